export * from './degenerate.ts';
export * from './phase.ts';
