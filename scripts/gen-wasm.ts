/**
 * Regenerates src/linalg/wasm/kernelBytes.ts from src/linalg/wasm/kernelSource.ts (data passes) and
 * weightKernelSource.ts (weight passes).
 * Run: npx tsx scripts/gen-wasm.ts   (the output is committed; the runtime never runs the assembler).
 * test/kernels.test.ts checks that the committed bytes match the source.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildKernelModule, DEFAULT_SHAPE } from '../src/linalg/wasm/kernelSource.ts';
import { buildWeightModule } from '../src/linalg/wasm/weightKernelSource.ts';
import { renderKernelBytesModule } from '../src/linalg/wasm/render.ts';

const modules = [
  { name: 'KERNEL_WASM', doc: 'The data-pass kernels for float64 X', bytes: buildKernelModule(DEFAULT_SHAPE, ['f64']) },
  { name: 'KERNEL_F32_WASM', doc: 'The data-pass kernels for float32 X', bytes: buildKernelModule(DEFAULT_SHAPE, ['f32']) },
  { name: 'WEIGHT_WASM', doc: 'The weight-pass kernel module', bytes: buildWeightModule() },
];
for (const m of modules) if (!WebAssembly.validate(m.bytes)) throw new Error(`generated ${m.name} does not validate`);
const out = fileURLToPath(new URL('../src/linalg/wasm/kernelBytes.ts', import.meta.url));
writeFileSync(out, renderKernelBytesModule(modules));
console.log(`wrote ${out} (${modules.map((m) => `${m.name} ${m.bytes.length} bytes`).join(', ')})`);
