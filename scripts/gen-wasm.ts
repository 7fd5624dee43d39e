/**
 * Regenerates src/linalg/wasm/kernelBytes.ts from src/linalg/wasm/kernelSource.ts.
 * Run: npx tsx scripts/gen-wasm.ts   (the output is committed; the runtime never runs the assembler).
 * test/kernels.test.ts checks that the committed bytes match the source.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildKernelModule } from '../src/linalg/wasm/kernelSource.ts';
import { renderKernelBytesModule } from '../src/linalg/wasm/render.ts';

const bytes = buildKernelModule();
if (!WebAssembly.validate(bytes)) throw new Error('generated kernel module does not validate');
const out = fileURLToPath(new URL('../src/linalg/wasm/kernelBytes.ts', import.meta.url));
writeFileSync(out, renderKernelBytesModule(bytes));
console.log(`wrote ${out} (${bytes.length} bytes of wasm)`);
