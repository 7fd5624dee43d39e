/**
 * Which backend the kernels use: one switch for the data passes (src/models/passes.ts) and the weight passes
 * (src/linalg/rowOps.ts). Both backends give bit-identical results, so this is a speed (and testing) knob only.
 *  - 'auto': WebAssembly SIMD when the engine supports it, except for operations so small that call overhead
 *    dominates;
 *  - 'wasm': always WebAssembly (an error where it is unavailable);
 *  - 'js':   always the plain JS loops.
 */
export type KernelBackendChoice = 'js' | 'wasm' | 'auto';

let choice: KernelBackendChoice = 'auto';

export function backendChoice(): KernelBackendChoice {
  return choice;
}

/** Sets the choice; `wasmAvailable` is checked by the caller so that this module stays dependency-free. */
export function setBackendChoice(b: KernelBackendChoice, wasmAvailable: boolean): void {
  if (b !== 'js' && b !== 'wasm' && b !== 'auto') throw new Error(`unknown kernel backend ${String(b)}`);
  if (b === 'wasm' && !wasmAvailable) throw new Error('WebAssembly SIMD is not available in this engine');
  choice = b;
}
