export * from './operator.ts';
export { symmetricEigen, type SymmetricEigenResult } from '../linalg/jacobi.ts';
export { lanczosTop, type LanczosOptions, type LanczosResult } from './lanczos.ts';
export { powerIteration, type PowerOptions } from './power.ts';
export * from './restricted.ts';
