/**
 * A resolved rl config → the fitted-Q problem (environment, features, offline data, value network, θ0) and
 * settings. Browser-safe; the same config always builds the same problem.
 */
import { createModel } from '../models/registry.ts';
import { constantInit, gaussianInit } from '../models/init.ts';
import type { RlConfig } from './config.ts';
import type { TabularMdp } from './mdp.ts';
import { gridworld, type Gridworld } from './gridworld.ts';
import { randomMdp } from './randomMdp.ts';
import { gridCoordinateFeatures, oneHotFeatures, randomFourierFeatures, type FeatureMap } from './features.ts';
import { allPairTransitions, sampleTransitions } from './transitions.ts';
import { uniformPolicy } from './dp.ts';
import type { FittedQProblem, FittedQSettings } from './fittedQ.ts';

export function buildEnvironment(cfg: RlConfig): TabularMdp {
  const env = cfg.env;
  if (env.kind === 'gridworld') return gridworld({ width: env.width, height: env.height, walls: env.walls, goal: env.goal, gamma: env.gamma });
  return randomMdp({ S: env.states, A: env.actions, branching: env.branching, gamma: env.gamma, seed: cfg.seed });
}

function baseFeatures(kind: 'one-hot' | 'grid-xy', mdp: TabularMdp): FeatureMap {
  if (kind === 'one-hot') return oneHotFeatures(mdp.S, mdp.A);
  if (!('width' in mdp)) throw new RangeError("features: 'grid-xy' needs a gridworld");
  return gridCoordinateFeatures(mdp as Gridworld);
}

export function buildFeatures(cfg: RlConfig, mdp: TabularMdp): FeatureMap {
  const f = cfg.features;
  if (f.kind === 'fourier') return randomFourierFeatures(baseFeatures(f.base, mdp), { D: f.D, bandwidth: f.bandwidth, seed: cfg.seed });
  return baseFeatures(f.kind, mdp);
}

export function buildFittedQ(cfg: RlConfig): { problem: FittedQProblem; settings: FittedQSettings } {
  const mdp = buildEnvironment(cfg);
  const features = buildFeatures(cfg, mdp);
  const policy = cfg.task === 'evaluation' ? uniformPolicy(mdp) : null;
  const transitions =
    cfg.data.kind === 'all-pairs'
      ? allPairTransitions(mdp, { seed: cfg.seed })
      : sampleTransitions(mdp, { n: cfg.data.transitions, horizon: cfg.data.horizon, behaviour: uniformPolicy(mdp), seed: cfg.seed });
  const model = createModel(cfg.model, features.d);
  const init = cfg.init;
  const theta0 = init.kind === 'constant' ? constantInit(model, init.value) : init.kind === 'gaussian' ? gaussianInit(model, cfg.seed, init.scale) : null;
  if (theta0 === null) throw new RangeError(`init.kind: '${init.kind}' init is not available for rl runs`);
  return {
    problem: { mdp, features, transitions, model, theta0, policy },
    settings: {
      iterations: cfg.iterations,
      stepsPerIteration: cfg.stepsPerIteration,
      lr: cfg.eta !== undefined ? { eta: cfg.eta } : { c: cfg.c ?? 0.5 },
      targets: cfg.targets,
      rankPenalty: cfg.rankPenalty,
      srankDelta: cfg.srankDelta,
      seed: cfg.seed,
      divergeBound: cfg.divergeBound,
    },
  };
}
