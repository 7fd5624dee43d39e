import { readFileSync } from 'node:fs';
import { loadCsvFile } from '../data/files.ts';
import { fashionMnistDir, loadMnistTask } from '../data/mnistFiles.ts';
import { parseBinaryTask } from '../data/binaryTasks.ts';
import type { Loaders } from './problem.ts';
import type { AnyModel } from '../models/model.ts';
import { weightsFromJson, weightsToJson } from '../models/weightsFormat.ts';
import { atomicWriteJson } from '../io/atomic.ts';

/** Read a weights JSON file for `model` (clear errors for missing files, bad JSON, wrong shapes). */
export function readWeightsFile(path: string, model: AnyModel): Float64Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RangeError(`weights file ${path}: cannot be read (missing or unreadable)`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`weights file ${path}: not valid JSON (${(e as Error).message})`);
  }
  return weightsFromJson(model, obj, path);
}

export function writeWeightsFile(path: string, model: AnyModel, theta: Float64Array): void {
  atomicWriteJson(path, weightsToJson(model, theta));
}

/** File loaders for buildProblem in Node. */
export const nodeLoaders: Loaders = {
  csv: (dc) => {
    const opts: Parameters<typeof loadCsvFile>[1] = {};
    if (dc.labelColumn !== undefined) opts.labelColumn = dc.labelColumn;
    if (dc.positive) opts.positive = dc.positive;
    if (dc.negative) opts.negative = dc.negative;
    return loadCsvFile(dc.path, opts);
  },
  mnist: (dc, seed) => {
    const { train, test } = loadMnistTask({ task: parseBinaryTask(dc.task), trainSize: dc.trainSize, testSize: dc.testSize, seed, standardization: dc.standardization, labelNoise: dc.labelNoise, pool: dc.pool, ...(dc.source === 'fashion-mnist' ? { dir: fashionMnistDir() } : {}) });
    return { train, test };
  },
  weights: readWeightsFile,
};
