/**
 * Synthetic binary-classification data (browser-safe, deterministic from a seed).
 *
 * Each random ingredient (teacher, inputs, labels, label noise) draws from its own stream
 * `deriveSeed(seed, label)`, so e.g. changing `labelNoise` leaves X and the teacher unchanged
 * and runs with different noise levels are paired.
 */
import { exp } from '../linalg/detmath.ts';
import { deriveSeed, Rng } from '../linalg/prng.ts';
import { makeDataset, type Dataset } from './dataset.ts';

function requirePositiveInt(what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
}

function requireUnit(what: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${what} must be in [0, 1], got ${v}`);
}

export interface DegenerateOptions {
  m: number;
  d: number;
  /** Fraction of +1 labels: the first p·m rows are +1, the rest −1. p·m must be an integer (the theory's p is exact). */
  p: number;
  /** The last round(flipFraction·m) rows get input −x and label −y (same y·x, same problem). */
  flipFraction?: number;
}

/**
 * Degenerate data of theory §6: every input is ±x with x = (1,…,1) ∈ R^d, so after folding the
 * signs into the labels the whole data set is the single number p. p ∈ {0, 1} is separable,
 * 0 < p < 1 is not. No randomness.
 */
/**
 * p·m as an integer, or null when it is not one. The recursion of theory §6 and c* = 1/(p(1−p)) use p itself,
 * so a silently rounded label count would be a different problem from the one the theory predicts.
 * (Tolerates the round-off of p·m in floating point, e.g. 0.3·10 = 3.0000000000000004.)
 */
export function exactLabelCount(p: number, m: number): number | null {
  const pm = p * m;
  const n = Math.round(pm);
  return Math.abs(pm - n) > 1e-9 * Math.max(1, pm) ? null : n;
}

function positiveCount(p: number, m: number): number {
  const n = exactLabelCount(p, m);
  if (n === null) {
    throw new RangeError(`degenerate data: p·m = ${p}·${m} = ${p * m} is not an integer; choose p a multiple of 1/m = ${1 / m} or an m with p·m whole`);
  }
  return n;
}

export function degenerateData({ m, d, p, flipFraction = 0 }: DegenerateOptions): Dataset {
  requirePositiveInt('degenerateData: m', m);
  requirePositiveInt('degenerateData: d', d);
  requireUnit('degenerateData: p', p);
  requireUnit('degenerateData: flipFraction', flipFraction);
  const nPos = positiveCount(p, m);
  const firstFlipped = m - Math.round(flipFraction * m);
  const X = new Float64Array(m * d);
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const s = i < firstFlipped ? 1 : -1;
    X.fill(s, i * d, (i + 1) * d);
    y[i] = s * (i < nPos ? 1 : -1);
  }
  const flip = flipFraction > 0 ? `,flip=${flipFraction}` : '';
  return makeDataset(X, y, d, `degenerate(m=${m},d=${d},p=${p}${flip})`);
}

export interface GaussianTeacherOptions {
  m: number;
  d: number;
  seed: number;
  /** Each label is flipped independently with this probability (non-separable when > 0). */
  labelNoise?: number;
  /** Teacher vector of length d; drawn from N(0, I) with the seed when omitted. */
  teacher?: Float64Array;
}

export interface TeacherDataset extends Dataset {
  readonly teacher: Float64Array;
}

/**
 * Teacher–student data: x ~ N(0, I_d) (so ‖x‖² ≈ d, the scale the networks expect),
 * y = sign(w·x) with sign(0) := +1, then each label flipped with probability `labelNoise`.
 */
export function gaussianTeacherData({ m, d, seed, labelNoise = 0, teacher }: GaussianTeacherOptions): TeacherDataset {
  requirePositiveInt('gaussianTeacherData: m', m);
  requirePositiveInt('gaussianTeacherData: d', d);
  requireUnit('gaussianTeacherData: labelNoise', labelNoise);
  let w: Float64Array;
  if (teacher) {
    if (teacher.length !== d) throw new RangeError(`gaussianTeacherData: teacher has length ${teacher.length}, expected d = ${d}`);
    if (!teacher.every(Number.isFinite) || teacher.every((t) => t === 0)) {
      throw new RangeError('gaussianTeacherData: teacher must be finite and nonzero');
    }
    w = Float64Array.from(teacher);
  } else {
    w = new Rng(deriveSeed(seed, 'gaussianTeacher/teacher')).fillNormal(new Float64Array(d));
  }
  const X = new Rng(deriveSeed(seed, 'gaussianTeacher/inputs')).fillNormal(new Float64Array(m * d));
  const noise = new Rng(deriveSeed(seed, 'gaussianTeacher/labelNoise'));
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += w[j]! * X[i * d + j]!;
    const label = s >= 0 ? 1 : -1;
    y[i] = noise.uniform() < labelNoise ? -label : label;
  }
  const name = `gaussianTeacher(m=${m},d=${d},noise=${labelNoise},seed=${seed}${teacher ? ',teacher=given' : ''})`;
  return { ...makeDataset(X, y, d, name), teacher: w };
}

export interface TwoGaussiansOptions {
  m: number;
  d: number;
  seed: number;
  /** Distance between the class means ±(separation/2)·e, e = (1,…,1)/√d. */
  separation: number;
  /** Per-coordinate standard deviation of each class. */
  sigma?: number;
}

/**
 * Two isotropic Gaussian classes: y = ±1 with probability ½ each, x ~ N(y·(separation/2)·e, σ² I),
 * e = (1,…,1)/√d. The Bayes classifier is sign(e·x) and its error is Φ(−separation/(2σ))
 * (see `twoGaussiansBayesError`): separation = 0 is pure noise (error ½), separation ≫ σ makes the
 * classes nearly disjoint. For any finite separation a large sample is non-separable.
 */
export function twoGaussiansData({ m, d, seed, separation, sigma = 1 }: TwoGaussiansOptions): Dataset {
  requirePositiveInt('twoGaussiansData: m', m);
  requirePositiveInt('twoGaussiansData: d', d);
  if (!(separation >= 0 && Number.isFinite(separation))) {
    throw new RangeError(`twoGaussiansData: separation must be finite and ≥ 0, got ${separation}`);
  }
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`twoGaussiansData: sigma must be finite and > 0, got ${sigma}`);
  const labels = new Rng(deriveSeed(seed, 'twoGaussians/labels'));
  const X = new Rng(deriveSeed(seed, 'twoGaussians/inputs')).fillNormal(new Float64Array(m * d), sigma);
  const y = new Float64Array(m);
  const shift = separation / 2 / Math.sqrt(d);
  for (let i = 0; i < m; i++) {
    y[i] = labels.uniform() < 0.5 ? 1 : -1;
    for (let j = 0; j < d; j++) X[i * d + j] += y[i]! * shift;
  }
  return makeDataset(X, y, d, `twoGaussians(m=${m},d=${d},separation=${separation},sigma=${sigma},seed=${seed})`);
}

/** Bayes error of `twoGaussiansData`: Φ(−separation/(2σ)), independent of d (relative accuracy ~1e-7). */
export function twoGaussiansBayesError(separation: number, sigma = 1): number {
  if (!(separation >= 0) || !(sigma > 0)) throw new RangeError(`twoGaussiansBayesError: need separation ≥ 0 and sigma > 0`);
  return 0.5 * erfc(separation / (2 * sigma) / Math.SQRT2);
}

/** Complementary error function, Chebyshev fit (Numerical Recipes erfcc), relative error < 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}
