/**
 * Time the separability decomposition (src/data/separability.ts) on an MNIST binary task, printing each
 * round on stderr. Measurement script, asserts nothing:
 *   node --import tsx bench/separability.ts 3v5 [trainSize|all] [pool] [key=value options…]
 * Options are passed to analyzeSeparability as numbers (e.g. workingSetBatch=1000) or JSON objects (highsOptions={…}).
 */
import { loadMnistTask } from '../src/data/mnistFiles.ts';
import { parseBinaryTask } from '../src/data/binaryTasks.ts';
import { analyzeSeparability } from '../src/data/separability.ts';

const [taskSpec = '3v5', size = 'all', poolArg = '1', ...rest] = process.argv.slice(2);
const opts = Object.fromEntries(rest.map((kv) => { const i = kv.indexOf('='); const v = kv.slice(i + 1); return [kv.slice(0, i), v.startsWith('{') ? JSON.parse(v) : Number.isNaN(Number(v)) ? v : Number(v)]; }));
const t0 = performance.now();
const { train } = loadMnistTask({ task: parseBinaryTask(taskSpec), ...(size === 'all' ? {} : { trainSize: Number(size) }), pool: Number(poolArg), standardization: 'global', testSize: 1 });
console.error(`loaded ${train.name}: m = ${train.m}, d = ${train.d} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const r = await analyzeSeparability(train, {
  ...opts,
  onProgress: (p) => console.error(`  ${((performance.now() - t0) / 1000).toFixed(1)} s, cpu ${(process.cpuUsage().user / 1e6).toFixed(1)} s: ${JSON.stringify(p)}`),
});
const { basis, separableIndices, nonSeparableIndices, spectrum, separator, dualWeights, ...scalars } = r;
console.log(JSON.stringify({ ...scalars, rounds: r.rounds.length, rss: process.memoryUsage().rss }, null, 1));
