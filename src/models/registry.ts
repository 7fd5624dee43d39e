import { DeepLinear } from './deepLinear.ts';
import { DiagonalLinear } from './diagonal.ts';
import { MatrixFactorization } from './matrixFactorization.ts';
import type { AnyModel } from './model.ts';
import { ReluMlp, reluMlpParamCount, type ReluMlpOptions } from './reluMlp.ts';

/**
 * Every model kind, built from its spec (the config's `model` block, or a weights file's `model`) and the
 * data's input dimension. Adding a model = one class implementing Model + one case here + its config schema
 * (src/experiments/config.ts).
 */
export type ModelSpec =
  | { kind: 'deep-linear'; width: number; depth: number }
  | { kind: 'diagonal'; depth: number }
  | { kind: 'matrix-factorization'; depth: number }
  | ({ kind: 'relu-mlp' } & ReluMlpOptions);

/** Parameter count of a model without building it (cost estimates run before any allocation). */
/**
 * Which kinds have the `linear` capability (f = β·x), known before a model is built so that configs needing it
 * (curvature.restricted) are refused at validation. A Record, so a new kind must say.
 */
const LINEAR_IN_INPUT: Record<ModelSpec['kind'], boolean> = { 'deep-linear': true, diagonal: true, 'matrix-factorization': true, 'relu-mlp': false };

export function isLinearInInput(kind: ModelSpec['kind']): boolean {
  return LINEAR_IN_INPUT[kind];
}

export function modelParamCount(spec: ModelSpec, d: number): number {
  switch (spec.kind) {
    case 'deep-linear':
      return d * spec.width + (spec.depth - 2) * spec.width * spec.width + spec.width;
    case 'diagonal':
      return 2 * d;
    case 'matrix-factorization':
      return spec.depth * d;
    case 'relu-mlp':
      return reluMlpParamCount(d, spec);
  }
}

/** The config fields that set a model's size, for messages ("model.width = 512, model.depth = 4"). */
export function modelSizeFields(spec: ModelSpec): string {
  switch (spec.kind) {
    case 'deep-linear':
      return `model.width = ${spec.width}, model.depth = ${spec.depth}`;
    case 'diagonal':
      return `model.kind = diagonal, model.depth = ${spec.depth}`;
    case 'matrix-factorization':
      return `model.kind = matrix-factorization, model.depth = ${spec.depth}`;
    case 'relu-mlp':
      return `model.kind = relu-mlp, model.widths = ${JSON.stringify(spec.widths)}`;
  }
}

export function createModel(spec: ModelSpec, d: number): AnyModel {
  switch (spec.kind) {
    case 'deep-linear':
      return new DeepLinear({ d, width: spec.width, depth: spec.depth });
    case 'diagonal':
      return new DiagonalLinear({ d, depth: spec.depth });
    case 'matrix-factorization':
      return new MatrixFactorization({ n: squareSide(d), depth: spec.depth });
    case 'relu-mlp':
      return new ReluMlp({ d, ...spec });
  }
}

/** n with n² = d: a matrix factorization reads each input as vec of an n×n measurement matrix. */
function squareSide(d: number): number {
  const n = Math.round(Math.sqrt(d));
  if (n * n !== d) throw new RangeError(`model.kind 'matrix-factorization' needs inputs of dimension d = n² (vec of an n×n measurement matrix), got d = ${d}`);
  return n;
}
