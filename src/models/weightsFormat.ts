import type { DeepLinear } from './deepLinear.ts';

/**
 * The weights file format (JSON, version 1):
 *   { "format": "catapult-lab/weights", "version": 1,
 *     "model": { "kind": "deep-linear", "d": 784, "width": 512, "depth": 4 },
 *     "layers": [ { "name": "W1", "shape": [512, 784], "data": [ ...row-major... ] }, ..., { "name": "v", "shape": [1, 512], ... } ] }
 * Numbers are written in JavaScript's shortest round-trip form, so reading gives the exact float64s.
 */
export const WEIGHTS_FORMAT = 'catapult-lab/weights';

export interface WeightsFile {
  format: typeof WEIGHTS_FORMAT;
  version: 1;
  model: { kind: 'deep-linear'; d: number; width: number; depth: number };
  layers: { name: string; shape: [number, number]; data: number[] }[];
}

export function weightsToJson(model: DeepLinear, theta: Float64Array): WeightsFile {
  model.checkTheta(theta);
  return {
    format: WEIGHTS_FORMAT,
    version: 1,
    model: { kind: 'deep-linear', ...model.spec() },
    layers: model.layers.map((l, k) => ({ name: l.name, shape: [l.rows, l.cols], data: Array.from(model.layerView(theta, k)) })),
  };
}

/** Parse a weights object for `model`; any mismatch is an error naming the source and the layer. */
export function weightsFromJson(model: DeepLinear, obj: unknown, source: string): Float64Array {
  const fail = (msg: string): never => {
    throw new RangeError(`weights file ${source}: ${msg}`);
  };
  const w = obj as Partial<WeightsFile> | null;
  if (!w || typeof w !== 'object' || w.format !== WEIGHTS_FORMAT) fail(`not a ${WEIGHTS_FORMAT} file (missing or wrong "format")`);
  if (w!.version !== 1) fail(`unsupported version ${String(w!.version)} (this build reads version 1)`);
  const layers = w!.layers;
  if (!Array.isArray(layers)) fail('"layers" must be an array');
  if (layers!.length !== model.depth) fail(`has ${layers!.length} layers but the model (depth ${model.depth}) expects ${model.depth}`);
  const theta = new Float64Array(model.numParams);
  model.layers.forEach((l, k) => {
    const entry = layers![k];
    const shape = entry?.shape;
    if (!Array.isArray(shape) || shape[0] !== l.rows || shape[1] !== l.cols) {
      fail(`layer ${k + 1} (${entry?.name ?? '?'}) has shape ${JSON.stringify(shape)} but the model expects ${l.name} with shape [${l.rows},${l.cols}]`);
    }
    const data = entry.data;
    if (!Array.isArray(data) || data.length !== l.rows * l.cols) fail(`layer ${l.name}: expected ${l.rows * l.cols} numbers, found ${Array.isArray(data) ? data.length : 'none'}`);
    for (let i = 0; i < data.length; i++) {
      const x = data[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`layer ${l.name}: entry ${i} is not a finite number`);
      theta[l.offset + i] = x;
    }
  });
  return theta;
}
