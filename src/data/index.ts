// Browser-safe data API. Node-only file loading is in ./files.ts.
export * from './dataset.ts';
export * from './generators.ts';
export * from './matrixSensing.ts';
export * from './transforms.ts';
export * from './csv.ts';
export * from './idx.ts';
export * from './cifar.ts';
export * from './binaryTasks.ts';
