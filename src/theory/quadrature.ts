/**
 * Globally adaptive Gauss–Kronrod (7, 15) quadrature with an error estimate (QUADPACK's QAG scheme
 * with the qk15 rule): the interval with the largest error estimate is bisected until the summed
 * estimate is below max(absTol, relTol·|I|). Deterministic (fixed nodes, fixed bisection order).
 * For smooth integrands on finite intervals; near-singular endpoints are handled by the bisection.
 */

/** Kronrod nodes (positive half, descending) and weights; Gauss weights for nodes 1, 3, 5, 7. QUADPACK qk15. */
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327];

export interface QuadratureResult {
  value: number;
  /** estimated absolute error */
  error: number;
  /** integrand evaluations */
  evaluations: number;
  /** the tolerance was met */
  converged: boolean;
}

export interface QuadratureOptions {
  relTol?: number;
  absTol?: number;
  /** maximal number of subintervals (default 1000; the result is returned with converged = false beyond) */
  maxIntervals?: number;
}

const ROUNDOFF = 50 * Number.EPSILON;

interface Piece {
  a: number;
  b: number;
  value: number;
  error: number;
  /** too short to be halved in floating point: not split again */
  frozen?: boolean;
}

function kronrod15(f: (x: number) => number, a: number, b: number): Piece {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const fc = f(c);
  let k = fc * WGK[7];
  let g = fc * WG[3];
  let abs = Math.abs(fc) * WGK[7];
  for (let j = 0; j < 7; j++) {
    const dx = h * XGK[j];
    const f1 = f(c - dx), f2 = f(c + dx);
    const s = f1 + f2;
    k += WGK[j] * s;
    abs += WGK[j] * (Math.abs(f1) + Math.abs(f2));
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  // |K − G| at the level of the rounding in the sum is no error bisection could remove (QUADPACK's roundoff floor).
  const err = Math.abs((k - g) * h);
  return { a, b, value: k * h, error: err <= ROUNDOFF * abs * Math.abs(h) ? 0 : err };
}

/** ∫_a^b f (a > b gives the negative). Throws if the integrand is not finite on a node. */
export function integrate(f: (x: number) => number, a: number, b: number, opts: QuadratureOptions = {}): QuadratureResult {
  if (a === b) return { value: 0, error: 0, evaluations: 0, converged: true };
  if (a > b) {
    const r = integrate(f, b, a, opts);
    return { ...r, value: -r.value };
  }
  const relTol = opts.relTol ?? 1e-13;
  const absTol = opts.absTol ?? 0;
  const maxIntervals = opts.maxIntervals ?? 1000;
  const pieces: Piece[] = [kronrod15(f, a, b)];
  let evaluations = 15;
  for (;;) {
    let value = 0, error = 0, worst = -1;
    for (let i = 0; i < pieces.length; i++) {
      value += pieces[i].value;
      error += pieces[i].error;
      if (!pieces[i].frozen && pieces[i].error > 0 && (worst < 0 || pieces[i].error > pieces[worst].error)) worst = i;
    }
    if (!Number.isFinite(value)) throw new RangeError(`integrate: integrand not finite on [${a}, ${b}]`);
    const converged = error <= Math.max(absTol, relTol * Math.abs(value));
    if (converged || worst < 0 || pieces.length >= maxIntervals) return { value, error, evaluations, converged };
    const w = pieces[worst];
    const mid = 0.5 * (w.a + w.b);
    if (!(mid > w.a && mid < w.b)) {
      w.frozen = true; // cannot be halved in floating point
      continue;
    }
    const left = kronrod15(f, w.a, mid);
    const right = kronrod15(f, mid, w.b);
    evaluations += 30;
    pieces[worst] = left;
    pieces.push(right);
  }
}
