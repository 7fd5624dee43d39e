/** Value-learning environments (groundwork for issue 14): tabular MDPs, exact DP, offline data, features, targets. Browser-safe. */
export * from './mdp.ts';
export * from './gridworld.ts';
export * from './randomMdp.ts';
export * from './denseSolve.ts';
export * from './dp.ts';
export * from './transitions.ts';
export * from './features.ts';
export * from './targets.ts';
export * from './rankPenalty.ts';
export * from './fittedQ.ts';
export * from './config.ts';
export * from './setup.ts';
