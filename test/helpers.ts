import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/** Shared test utilities. */
export function relErr(a: number, b: number, floor = 1e-12): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
}

export function maxRelErrVec(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(a[i]), Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-300);
}

/**
 * A maker of temporary directories that the calling test file removes when it ends
 * (registers one `after` hook on the file's root test).
 */
export function tempDirs(defaultPrefix = 'catapult-test-'): (prefix?: string) => string {
  const made: string[] = [];
  after(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return (prefix = defaultPrefix) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    made.push(d);
    return d;
  };
}

/**
 * Dense Hessian by central differences of an exact gradient: column j = (∇L(θ + h e_j) − ∇L(θ − h e_j)) / 2h,
 * stored row-major P×P.
 */
export function fdHessian(theta: Float64Array, gradientAt: (t: Float64Array) => Float64Array, h: number): Float64Array {
  const P = theta.length;
  const H = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    const t = theta.slice();
    t[j] += h;
    const gp = gradientAt(t);
    t[j] -= 2 * h;
    const gm = gradientAt(t);
    for (let i = 0; i < P; i++) H[i * P + j] = (gp[i] - gm[i]) / (2 * h);
  }
  return H;
}
