/**
 * catapult-lab library API. Everything exported here is browser-safe (no Node imports):
 * the same numerical core runs in scripts, the CLI and the browser explorer.
 * Node-only helpers (files, run directories) live in src/io and src/experiments/runDir.ts.
 */
export * from './linalg/blas.ts';
export * from './linalg/prng.ts';
export * from './losses/losses.ts';
export * from './losses/scalar.ts';
export * from './models/deepLinear.ts';
export * from './models/model.ts';
export * from './models/diagonal.ts';
export * from './models/matrixFactorization.ts';
export * from './models/endToEndSpectrum.ts';
export * from './models/registry.ts';
export * from './models/init.ts';
export * from './models/weightsFormat.ts';
export { setKernelBackend, kernelBackend, wasmKernelAvailable, type KernelBackendChoice } from './models/passes.ts';
export { workspacesAvailable } from './linalg/wasm/workspace.ts';
export * from './curvature/index.ts';
export * from './curvature/modelOperators.ts';
export * from './data/index.ts';
export * from './train/metrics.ts';
export * from './train/trainer.ts';
export * from './theory/index.ts';
export * from './experiments/config.ts';
export * from './experiments/problem.ts';
export * from './train/lr/functions.ts';
export * from './train/lr/policy.ts';
export { parseLrPolicy, LrPolicySchema } from './train/lr/schema.ts';
export * from './train/lr/stability.ts';
export * from './train/optimizer.ts';
export * from './train/policyMetrics.ts';
export * from './linalg/svd.ts';
export * from './linalg/srank.ts';
export * from './theory/incremental.ts';
export * from './theory/diagonalFlow.ts';
export * from './train/marks.ts';
export * from './experiments/marginRun.ts';
export * from './rl/index.ts';
