/** A positive numeric limit from the environment (documented overrides such as CATAPULT_MAX_RUNS), or the default. */
export function envLimit(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const v = Number(text);
  if (!(v > 0)) throw new Error(`${name} must be a positive number, got '${text}'`);
  return v;
}
