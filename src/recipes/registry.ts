import { join } from 'node:path';
import { s, type Recipe, type RecipeOutput } from './common.ts';
import { fashionNonseparable, mnistNonseparable } from './mnistNonseparable.ts';
import { loadRecipeFile, resolveRecipe, runRecipeSweep, type Profile, type RecipeSweepSpec, type SweepData } from '../experiments/recipeFiles.ts';
import { STUDIES, studyByName, type StudyName } from '../experiments/studies.ts';
import { lrPolicies } from './lrPolicies.ts';
import { edgeOfStability } from './edgeOfStability.ts';
import { incrementalLearning } from './incrementalLearning.ts';
import { reluCatapult } from './reluCatapult.ts';
import { rlSrank } from './rlSrank.ts';
import { diagonalKernelRich } from './diagonalKernelRich.ts';
import { diagonalLargeStep } from './diagonalLargeStep.ts';
import { uvTrajectories } from './uvTrajectories.ts';
import { uvPhaseVsC } from './uvPhaseVsC.ts';
import { widthScaling } from './widthScaling.ts';
import { gaussianDeep } from './gaussianDeep.ts';
import { mnist } from './mnist.ts';
import { annealing } from './annealing.ts';
import { restrictedFlatness } from './restrictedFlatness.ts';
export type { AnalyzeContext, FigureOut, Recipe, RecipeContext, RecipeOutput, TableOut } from './common.ts';

export const RECIPES: readonly Recipe[] = [uvTrajectories, uvPhaseVsC, widthScaling, gaussianDeep, mnist, mnistNonseparable, annealing, restrictedFlatness, lrPolicies, fashionNonseparable, edgeOfStability, reluCatapult, rlSrank, incrementalLearning, diagonalKernelRich, diagonalLargeStep];

/** The recipes a profile runs by default. */
export const recipesFor = (profile: Profile): Recipe[] => RECIPES.filter((r) => !r.profiles || r.profiles.includes(profile));

export function recipeByName(name: string): Recipe {
  const r = RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(`unknown recipe '${name}'; known: ${RECIPES.map((x) => x.name).join(', ')}`);
  return r;
}

/** The study a recipe belongs to. */
export const studyOf = (r: Recipe): StudyName => r.study ?? 'paper';

/**
 * Recipes named by recipe or study names (a study name selects its recipes that run in `profile`), in the
 * order given, without repeats; an unknown name is an error listing both kinds of names.
 */
export function recipesByNames(names: readonly string[], profile: Profile): Recipe[] {
  const out: Recipe[] = [];
  for (const name of names) {
    const recipe = RECIPES.find((x) => x.name === name);
    const study = recipe ? undefined : studyByName(name);
    if (!recipe && !study) {
      throw new Error(`unknown recipe or study '${name}'; recipes: ${RECIPES.map((x) => x.name).join(', ')}; studies: ${STUDIES.map((x) => x.name).join(', ')}`);
    }
    const picked = recipe ? [recipe] : recipesFor(profile).filter((r) => studyOf(r) === study!.name);
    for (const r of picked) if (!out.includes(r)) out.push(r);
  }
  return out;
}

export interface RecipeRun {
  recipe: Recipe;
  specs: RecipeSweepSpec[];
  sweeps: Record<string, SweepData>;
  output: RecipeOutput;
  seconds: number;
  ran: number;
  reused: number;
}

export interface RunRecipeOptions {
  jobs: number;
  /** called before each sweep */
  onSweep?: (spec: RecipeSweepSpec, index: number, count: number) => void;
  onProgress?: (spec: RecipeSweepSpec, done: number, total: number, reused: number) => void;
}

/** Run (or resume) a recipe's sweeps under `sweepsDir/<recipe>-<key>/` and analyze them. */
export async function runRecipe(recipe: Recipe, profile: Profile, dirs: { sweeps: string; data: string }, opts: RunRecipeOptions): Promise<RecipeRun> {
  const t0 = Date.now();
  const file = loadRecipeFile(recipe.name);
  const { params, sweeps: specs } = resolveRecipe(file, profile, { dataDir: dirs.data });
  await recipe.prepare?.({ profile, params, dataDir: dirs.data });
  const sweeps: Record<string, SweepData> = {};
  let ran = 0, reused = 0;
  for (const [i, spec] of specs.entries()) {
    opts.onSweep?.(spec, i, specs.length);
    const res = await runRecipeSweep(spec, join(dirs.sweeps, spec.sweep.name), { jobs: opts.jobs, onProgress: (d, t, r) => opts.onProgress?.(spec, d, t, r) });
    sweeps[spec.key] = res;
    ran += res.ran;
    reused += res.reused;
  }
  const output = await recipe.analyze({ profile, params, dataDir: dirs.data, sweeps });
  return { recipe, specs, sweeps, output, seconds: (Date.now() - t0) / 1000, ran, reused };
}
