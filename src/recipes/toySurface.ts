/**
 * LRBench's 2-D toy surface (its visualizer notebook): noisy hills with two local minima near the
 * origin and two steep Gaussian trenches,
 *   z(x, y) = −sin(x²)cos(3y²)e^{−(xy)²} − 2.5e^{−(x+y)²} − N(x, y; (1, −0.5), 0.25) − N(x, y; (−1, 0.5), 0.2)
 * with N the normalized bivariate Gaussian with equal widths σ, and the Nesterov-momentum path
 * (β = 0.9, TF/PyTorch convention: v ← βv + g, p ← p − η(g + βv)) from (0.75, 1.0) for 50
 * iterations under a learning-rate policy. A qualitative picture: which policies escape into a
 * trench. The gradient is a central difference (h = 1e-6): a figure, not a measurement.
 * Browser-safe.
 */
import { cos, exp, sin } from '../linalg/detmath.ts';

function gaussian(x: number, y: number, mx: number, my: number, s: number): number {
  return (1 / (2 * Math.PI * s * s)) * exp(-((x - mx) * (x - mx)) / (2 * s * s) - ((y - my) * (y - my)) / (2 * s * s));
}

export function toySurface(x: number, y: number): number {
  const hills = -sin(x * x) * cos(3 * y * y) * exp(-(x * y) * (x * y)) - 2.5 * exp(-(x + y) * (x + y));
  return hills - gaussian(x, y, 1, -0.5, 0.25) - gaussian(x, y, -1, 0.5, 0.2);
}

export interface PathPoint {
  iteration: number;
  x: number;
  y: number;
  z: number;
}

/** Nesterov path on the toy surface; η_t from `eta(t)`. Stops early if it leaves [−1.5, 1.5]². */
export function nesterovPath(eta: (t: number) => number, opts: { start?: [number, number]; beta?: number; iterations?: number } = {}): PathPoint[] {
  let [x, y] = opts.start ?? [0.75, 1.0];
  const beta = opts.beta ?? 0.9, T = opts.iterations ?? 50, h = 1e-6;
  let vx = 0, vy = 0;
  const out: PathPoint[] = [{ iteration: 0, x, y, z: toySurface(x, y) }];
  for (let t = 0; t < T; t++) {
    const gx = (toySurface(x + h, y) - toySurface(x - h, y)) / (2 * h);
    const gy = (toySurface(x, y + h) - toySurface(x, y - h)) / (2 * h);
    vx = beta * vx + gx;
    vy = beta * vy + gy;
    const lr = eta(t);
    x -= lr * (gx + beta * vx);
    y -= lr * (gy + beta * vy);
    if (!(Math.abs(x) <= 1.5 && Math.abs(y) <= 1.5)) break;
    out.push({ iteration: t + 1, x, y, z: toySurface(x, y) });
  }
  return out;
}
