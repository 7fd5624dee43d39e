import type { AnyModel, ModelSpecJson } from './model.ts';

/**
 * The weights file format (JSON, version 1), the same for every model kind:
 *   { "format": "catapult-lab/weights", "version": 1,
 *     "model": { "kind": "deep-linear", "d": 784, "width": 512, "depth": 4 },
 *     "layers": [ { "name": "W1", "shape": [512, 784], "data": [ ...row-major... ] }, ..., { "name": "v", "shape": [1, 512], ... } ] }
 * `model` is the model's spec (its kind and hyper-parameters); `layers` are its named parameter blocks in order.
 * Numbers are written in JavaScript's shortest round-trip form, so reading gives the exact float64s.
 */
export const WEIGHTS_FORMAT = 'catapult-lab/weights';

export interface WeightsFile {
  format: typeof WEIGHTS_FORMAT;
  version: 1;
  model: ModelSpecJson;
  layers: { name: string; shape: [number, number]; data: number[] }[];
}

export function weightsToJson(model: AnyModel, theta: Float64Array): WeightsFile {
  model.checkTheta(theta);
  return {
    format: WEIGHTS_FORMAT,
    version: 1,
    model: model.spec(),
    layers: model.layers.map((l) => ({ name: l.name, shape: [l.rows, l.cols], data: Array.from(theta.subarray(l.offset, l.offset + l.rows * l.cols)) })),
  };
}

/** Parse a weights object for `model`; any mismatch is an error naming the source and the layer. */
export function weightsFromJson(model: AnyModel, obj: unknown, source: string): Float64Array {
  const fail = (msg: string): never => {
    throw new RangeError(`weights file ${source}: ${msg}`);
  };
  const w = obj as Partial<WeightsFile> | null;
  if (!w || typeof w !== 'object' || w.format !== WEIGHTS_FORMAT) fail(`not a ${WEIGHTS_FORMAT} file (missing or wrong "format")`);
  if (w!.version !== 1) fail(`unsupported version ${String(w!.version)} (this build reads version 1)`);
  // files written before model kinds existed may lack model.kind; they are deep-linear
  const fileKind = (w!.model as { kind?: unknown } | undefined)?.kind ?? 'deep-linear';
  if (fileKind !== model.kind) fail(`holds a '${String(fileKind)}' model but the config's model is '${model.kind}'`);
  const layers = w!.layers;
  if (!Array.isArray(layers)) fail('"layers" must be an array');
  if (layers!.length !== model.layers.length) fail(`has ${layers!.length} layers but the model expects ${model.layers.length} (${model.layers.map((l) => l.name).join(', ')})`);
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
