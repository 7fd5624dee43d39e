/**
 * Deterministic elementary functions: exp, log, log1p, cos, sin, pow, powInt.
 *
 * WHY. ECMAScript leaves Math.exp/log/log1p/pow/cos/… "implementation-approximated", and engines
 * do change them: Chromium 156's Math.exp returns different bits from Node 20's on ~9 % of
 * arguments (Math.log, Math.log1p, Math.cos and Math.pow differ too, less often). Any training run
 * that calls them (logistic loss, Gaussian sampling, schedules, log-spaced grids) then differs in
 * the last bits between Node and the browser, and across Node versions. The project promises
 * bit-identical results, so the numerical core uses these functions instead. They are written only
 * with IEEE-754 double operations that every engine performs exactly (+ − × ÷, Math.sqrt,
 * Math.abs, comparisons, int32 bit operations) and with exact bit access through a shared
 * Float64Array/Int32Array, so every engine returns the same bits (test/detmath.test.ts checks
 * this against headless Chromium when it is installed).
 *
 * SOURCE. Faithful ports of fdlibm as kept in FreeBSD msun (lib/msun/src): e_exp.c
 * (__ieee754_exp), e_log.c (__ieee754_log), s_log1p.c, e_pow.c (__ieee754_pow), s_cos.c, s_sin.c,
 * k_cos.c, k_sin.c, e_rem_pio2.c and k_rem_pio2.c (Payne–Hanek reduction for huge arguments),
 * with the same constants, the same floating-point operations in the same order and the same
 * special-case handling. Their notice, preserved as its licence requires:
 *
 *   ====================================================
 *   Copyright (C) 1993, 2004 by Sun Microsystems, Inc. All rights reserved.
 *
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this
 *   software is freely granted, provided that this notice
 *   is preserved.
 *   ====================================================
 *
 * Deviations from the C code: `pow` follows ECMAScript where it differs from C99 (pow(±1, ±∞) and
 * pow(1, NaN) are NaN, as for Math.pow); "inexact"/"overflow" flag raising is dropped (JavaScript
 * has no floating-point flags). For speed in JavaScript engines, some high-word tests are written
 * as the equivalent comparisons of |x| with a threshold double, SET_HIGH_WORD normalizations as
 * the equivalent exact multiplications by a power of two, and rare branches live in separate
 * functions so that the common path is small enough to be inlined. The returned values are
 * unchanged, bit for bit.
 *
 * ACCURACY. fdlibm's error analysis bounds exp, log, log1p, sin and cos by < 1 ulp, and pow is
 * "nearly rounded" (< 1 ulp; exact for representable integer powers of integers). The tests
 * compare 70k–200k arguments per function (tiny, subnormal, near 0 and 1, near the overflow and
 * underflow thresholds, random bit patterns) with Node 20's Math.*: all within 1 ulp; exp, log and
 * log1p bit-identical to it on every argument (V8 of Node 20 uses the same fdlibm code), cos/sin
 * on ~99.3 % and pow on ~98.8 % (Node 20's are different < 1 ulp implementations). `powInt`
 * (repeated squaring) is not correctly rounded: each squaring doubles the relative error, so it is
 * bounded by about |n|·2^-53; it is for small integer exponents.
 *
 * Browser-safe: no imports, no Node APIs.
 */

// ---------------------------------------------------------------------------------------------
// Exact bit access. One 8-byte scratch buffer viewed as a double and as two 32-bit words.

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high (sign, exponent, top 20 mantissa bits) and low 32-bit words. */
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

/** High word of x, as a signed int32 (GET_HIGH_WORD). */
function highWord(x: number): number {
  F64[0] = x;
  return I32[HI]!;
}

/** Low word of x, as a signed int32 (GET_LOW_WORD; compare with 0 only, or use >>> 0). */
function lowWord(x: number): number {
  F64[0] = x;
  return I32[LO]!;
}

/** The double with the given high and low words (INSERT_WORDS). */
function fromWords(hi: number, lo: number): number {
  I32[HI] = hi;
  I32[LO] = lo;
  return F64[0]!;
}

/** x with its high word replaced (SET_HIGH_WORD). */
function withHighWord(x: number, hi: number): number {
  F64[0] = x;
  I32[HI] = hi;
  return F64[0]!;
}

/** x with its low word cleared (SET_LOW_WORD(x, 0)). */
function clearLowWord(x: number): number {
  F64[0] = x;
  I32[LO] = 0;
  return F64[0]!;
}

const TWO_P1023 = fromWords(0x7fe00000, 0); // 2^1023
const TWO_M969 = fromWords(0x03600000, 0); // 2^-1022 · 2^53

/** x · 2^n with a single rounding (musl/FreeBSD scalbn): exact unless the result is subnormal or overflows. */
function scalbn(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= TWO_P1023;
    n -= 1023;
    if (n > 1023) {
      y *= TWO_P1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    // keep the final n below −53 so that only the last product rounds (no double rounding)
    y *= TWO_M969;
    n += 1022 - 53;
    if (n < -1022) {
      y *= TWO_M969;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return y * fromWords((0x3ff + n) << 20, 0);
}

/** POW2[k + 1074] = 2^k exactly, for −1074 ≤ k ≤ 1023 (built by exact doublings and halvings). */
const POW2 = new Float64Array(2098);
POW2[1074] = 1;
for (let k = 1; k <= 1023; k++) POW2[1074 + k] = POW2[1073 + k]! * 2;
for (let k = -1; k >= -1074; k--) POW2[1074 + k] = POW2[1075 + k]! * 0.5;

// ---------------------------------------------------------------------------------------------
// exp (e_exp.c)
//
// The C code tests the high word of |x| against thresholds; since the bit patterns of
// non-negative doubles are ordered like their values, "hx >= T" is written "|x| >= [T, 0]",
// "hx > T" is "|x| >= [T + 1, 0]" and "hx < T" is "|x| < [T, 0]" ([hi, lo] = the double with
// those words), and 2^k comes from a table instead of INSERT_WORDS: the same values, computed
// without touching the bits (faster in JavaScript engines).

const EXP_O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const EXP_U_THRESHOLD = -7.45133219101941108420e2; // 0xc0874910 D52D3051
const LN2_HI = 6.93147180369123816490e-1; // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const INVLN2 = 1.44269504088896338700; // 0x3ff71547 652b82fe
const P1 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4 = -1.65339022054652515390e-6; // 0xBEBBBD41 C5D26BF1
const P5 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0
const TWOM1000 = 9.33263618503218878990e-302; // 2^-1000
const EXP_HX_HALF_LN2 = fromWords(0x3fd62e43, 0); // hx > 0x3fd62e42: |x| > 0.5 ln2
const EXP_HX_3HALF_LN2 = fromWords(0x3ff0a2b2, 0); // hx < 0x3ff0a2b2: |x| < 1.5 ln2
const EXP_HX_TINY = fromWords(0x3e300000, 0); // hx < 0x3e300000: |x| < 2^-28

/** e^x, < 1 ulp (fdlibm __ieee754_exp). exp(±0) = 1, exp(+∞) = +∞, exp(−∞) = +0, NaN → NaN. */
export function exp(x: number): number {
  // filter out non-finite argument: NaN, exp(±inf) = {inf, 0}, overflow, underflow (the C code
  // first tests |x| >= 709.78..., which only guards these)
  if (!(x >= EXP_U_THRESHOLD && x <= EXP_O_THRESHOLD)) return x !== x ? x + x : x > 0 ? Infinity : 0;
  const ax = Math.abs(x);

  // argument reduction
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (ax >= EXP_HX_HALF_LN2) {
    // |x| > 0.5 ln2
    if (ax < EXP_HX_3HALF_LN2) {
      // and |x| < 1.5 ln2
      if (x > 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = (INVLN2 * x + (x > 0 ? 0.5 : -0.5)) | 0; // C (int) truncation; |k| < 1100
      const t = k;
      hi = x - t * LN2_HI; // t*ln2HI is exact here
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < EXP_HX_TINY) {
    // |x| < 2^-28
    return 1 + x;
  } else {
    k = 0;
  }

  // x is now in primary range
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2.0 * TWO_P1023;
    return y * POW2[1074 + k]!; // twopk = 2^k
  }
  return y * POW2[2074 + k]! * TWOM1000; // twopk = 2^(k+1000)
}

// ---------------------------------------------------------------------------------------------
// log (e_log.c)

const TWO54 = 1.80143985094819840000e16; // 2^54
const Lg1 = 6.666666666666735130e-1; // 3FE55555 55555593
const Lg2 = 3.999999999940941908e-1; // 3FD99999 9997FA04
const Lg3 = 2.857142874366239149e-1; // 3FD24924 94229359
const Lg4 = 2.222219843214978396e-1; // 3FCC71C5 1D8E78AF
const Lg5 = 1.818357216161805012e-1; // 3FC74664 96CB03DE
const Lg6 = 1.531383769920937332e-1; // 3FC39A09 D078C69F
const Lg7 = 1.479819860511658591e-1; // 3FC2F112 DF3E5244

/** Natural logarithm, < 1 ulp (fdlibm __ieee754_log). log(±0) = −∞, log(x < 0) = NaN, log(+∞) = +∞. */
export function log(x: number): number {
  // Split into small functions so that engines inline the common path (a non-inlined call
  // returning a double allocates a heap number in V8).
  F64[0] = x;
  const hx = I32[HI]!;
  if (hx >= 0x00100000 && hx < 0x7ff00000) return logCore(x, hx, 0); // positive normal x
  return logSpecial(x, hx);
}

/** log for x < 2^-1022 (zero, negative, subnormal) and for NaN/+∞. */
function logSpecial(x: number, hx: number): number {
  if (hx < 0x00100000) {
    // x < 2^-1022 (including negative x)
    if (x === 0) return -Infinity; // log(±0) = −inf
    if (hx < 0) return NaN; // log(−#) = NaN
    x *= TWO54; // subnormal number, scale up x
    return logCore(x, highWord(x), -54);
  }
  return x + x; // hx >= 0x7ff00000
}

/** The body of __ieee754_log from "k += (hx>>20)-1023" on; hx is x's high word, x normal and positive. */
function logCore(x: number, hx: number, k: number): number {
  const e = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  // normalize x or x/2: SET_HIGH_WORD(x, hx | (i ^ 0x3ff00000)), i.e. an exact scaling by 2^-(e + i/2^20)
  x *= POW2[1074 - e - (i >> 20)]!;
  k += e + (i >> 20);
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) return logNearOne(f, k); // −2^-20 <= f < 2^-20
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) return f - (hfsq - s * (hfsq + R));
    return dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  if (k === 0) return f - s * (f - R);
  return dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

/** log(2^k (1 + f)) for |f| < 2^-20. */
function logNearOne(f: number, k: number): number {
  if (f === 0) {
    if (k === 0) return 0;
    const dk = k;
    return dk * LN2_HI + dk * LN2_LO;
  }
  const R = f * f * (0.5 - 0.33333333333333333 * f);
  if (k === 0) return f - R;
  const dk = k;
  return dk * LN2_HI - ((R - dk * LN2_LO) - f);
}

// ---------------------------------------------------------------------------------------------
// log1p (s_log1p.c); Lp1..Lp7 equal Lg1..Lg7

const LOG1P_HX_SQRT2 = fromWords(0x3fda827a, 0); // 1+x < sqrt(2)+
const LOG1P_HX_TINY = fromWords(0x3e200000, 0); // 2^-29
const LOG1P_HX_TINIER = fromWords(0x3c900000, 0); // 2^-54
const LOG1P_HX_SQRT1_2 = fromWords(0x3fd2bec5, 0); // −x below this: sqrt(2)/2− <= 1+x
const TWO53 = 9007199254740992.0; // [0x43400000, 0]

/** log(1 + x), < 1 ulp, accurate for tiny x (fdlibm log1p). log1p(−1) = −∞, log1p(x < −1) = NaN, log1p(±0) = ±0. */
export function log1p(x: number): number {
  // The high-word tests of the C code are written as comparisons (see exp): "hx < T" with signed
  // hx is "x < [T, 0]" (all negative x pass), "ax < T" is "|x| < [T, 0]". The branches are
  // regrouped so that the common path is one small function that engines inline (a non-inlined
  // call returning a double allocates a heap number in V8); the operations are the C code's.
  let f = x;
  let k = 0;
  let c = 0;
  let hu = 1;
  const ax = Math.abs(x);
  if (x < LOG1P_HX_SQRT2 && (x > 0 || ax < LOG1P_HX_SQRT1_2)) {
    // hx < 0x3fda827a && (hx > 0 || hx <= 0xbfd2bec4): sqrt(2)/2− <= 1+x < sqrt(2)+, k = 0, f = x
    if (ax < LOG1P_HX_TINY) return ax < LOG1P_HX_TINIER ? x : x - x * x * 0.5; // |x| < 2^-29 (x itself if < 2^-54)
  } else {
    // x <= −1, +inf and NaN: log1p(−1) = −inf, log1p(x < −1) = NaN, log1p(+inf) = +inf
    if (!(x > -1 && x < Infinity)) return x === -1 ? -Infinity : x === Infinity ? x : NaN;
    log1pReduce(x);
    f = LOG1P_RED[0]!;
    k = LOG1P_RED[1]!;
    c = LOG1P_RED[2]!;
    hu = LOG1P_RED[3]!;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) return log1pNearPow2(f, k, c, hfsq); // |f| < 2^-20
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (Lg1 + z * (Lg2 + z * (Lg3 + z * (Lg4 + z * (Lg5 + z * (Lg6 + z * Lg7))))));
  if (k === 0) return f - (hfsq - s * (hfsq + R));
  return k * LN2_HI - ((hfsq - (s * (hfsq + R) + (k * LN2_LO + c))) - f);
}

/** Output of log1pReduce: f, k, c, hu (a typed array, so that no number is boxed). */
const LOG1P_RED = new Float64Array(4);

/** The k != 0 reduction of fdlibm log1p: 1 + x = 2^k (1 + f) + c·(1 + x); hu = 0 flags |f| < 2^-20. */
function log1pReduce(x: number): void {
  let u: number;
  let hu: number;
  let k: number;
  let c: number;
  if (x < TWO53) {
    // hx < 0x43400000
    u = 1.0 + x;
    hu = highWord(u);
    k = (hu >> 20) - 1023;
    c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // correction term
    c /= u;
  } else {
    u = x;
    hu = highWord(u);
    k = (hu >> 20) - 1023;
    c = 0;
  }
  hu &= 0x000fffff;
  // The approximation to sqrt(2) used in thresholds is not critical. However, the ones used
  // above must give less strict bounds than the one here so that the k==0 case is never
  // reached from here, since here we have committed to using the correction term but don't
  // use it if k==0. SET_HIGH_WORD(u, hu | 0x3ff00000) / (u, hu | 0x3fe00000) are exact scalings.
  if (hu < 0x6a09e) {
    u *= POW2[1074 - k]!; // normalize u (u ~< sqrt(2))
  } else {
    k += 1;
    u *= POW2[1074 - k]!; // normalize u/2
    hu = (0x00100000 - hu) >> 2;
  }
  LOG1P_RED[0] = u - 1.0;
  LOG1P_RED[1] = k;
  LOG1P_RED[2] = c;
  LOG1P_RED[3] = hu;
}

/** The |f| < 2^-20 branch of fdlibm log1p. */
function log1pNearPow2(f: number, k: number, c: number, hfsq: number): number {
  if (f === 0) {
    if (k === 0) return 0;
    c += k * LN2_LO;
    return k * LN2_HI + c;
  }
  const R = hfsq * (1.0 - 0.66666666666666666 * f);
  if (k === 0) return f - R;
  return k * LN2_HI - ((R - (k * LN2_LO + c)) - f);
}

// ---------------------------------------------------------------------------------------------
// pow (e_pow.c)

const BP = [1.0, 1.5];
const DP_H = [0.0, 5.84962487220764160156e-1]; // 0x3FE2B803 40000000
const DP_L = [0.0, 1.35003920212974897128e-8]; // 0x3E4CFDEB 43CFD006
const HUGE = 1.0e300;
const TINY = 1.0e-300;
const L1 = 5.99999999999994648725e-1; // 0x3FE33333 33333303
const L2 = 4.28571428578550184252e-1; // 0x3FDB6DB6 DB6FABFF
const L3 = 3.33333329818377432918e-1; // 0x3FD55555 518F264D
const L4 = 2.72728123808534006489e-1; // 0x3FD17460 A91D4101
const L5 = 2.30660745775561754067e-1; // 0x3FCD864A 93C9DB65
const L6 = 2.06975017800338417784e-1; // 0x3FCA7E28 4A454EEF
const LG2 = 6.93147180559945286227e-1; // 0x3FE62E42 FEFA39EF
const LG2_H = 6.93147182464599609375e-1; // 0x3FE62E43 00000000
const LG2_L = -1.90465429995776804525e-9; // 0xBE205C61 0CA86C39
const OVT = 8.0085662595372944372e-17; // −(1024 − log2(ovfl + .5ulp))
const CP = 9.61796693925975554329e-1; // 0x3FEEC709 DC3A03FD = 2/(3 ln2)
const CP_H = 9.61796700954437255859e-1; // 0x3FEEC709 E0000000 = (float)cp
const CP_L = -7.02846165095275826516e-9; // 0xBE3E2FE0 145B01F5 = tail of cp_h
const IVLN2 = 1.44269504088896338700; // 0x3FF71547 652B82FE = 1/ln2
const IVLN2_H = 1.44269502162933349609; // 0x3FF71547 60000000 = 24b 1/ln2
const IVLN2_L = 1.92596299112661746887e-8; // 0x3E54AE0B F85DDF44 = 1/ln2 tail

/**
 * x^y, nearly rounded (< 1 ulp; fdlibm __ieee754_pow), with ECMAScript's special cases
 * (identical to Math.pow's: y = ±0 → 1, y = NaN → NaN, (±1)^(±∞) → NaN, (x < 0)^(non-integer) → NaN).
 * pow(integer, integer) is exact whenever the result is representable.
 */
export function pow(x: number, y: number): number {
  F64[0] = x;
  const hx = I32[HI]!;
  const lx = I32[LO]!;
  F64[0] = y;
  const hy = I32[HI]!;
  const ly = I32[LO]! >>> 0;
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;

  // y == zero: x**0 = 1 (also for NaN x)
  if ((iy | ly) === 0) return 1;
  // ECMAScript (unlike C99): a NaN exponent gives NaN, also for x = 1
  if (y !== y || x !== x) return NaN;
  // x == 1: 1**y = 1, except 1**±inf (NaN in ECMAScript; handled below)
  if (hx === 0x3ff00000 && lx === 0 && iy !== 0x7ff00000) return 1;

  // determine if y is an odd int when x < 0
  // yisint = 0 ... y is not an integer, 1 ... y is an odd int, 2 ... y is an even int
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) {
      yisint = 2; // even integer y
    } else if (iy >= 0x3ff00000) {
      const k = (iy >> 20) - 0x3ff; // exponent
      if (k > 20) {
        const j = ly >>> (52 - k);
        if (((j << (52 - k)) >>> 0) === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - k);
        if (j << (20 - k) === iy) yisint = 2 - (j & 1);
      }
    }
  }

  // special value of y
  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y is ±inf
      if (((ix - 0x3ff00000) | lx) === 0) return NaN; // (±1)**±inf is NaN (ECMAScript)
      if (ix >= 0x3ff00000) return hy >= 0 ? y : 0; // (|x|>1)**±inf = inf, 0
      return hy < 0 ? -y : 0; // (|x|<1)**∓inf = inf, 0
    }
    if (iy === 0x3ff00000) {
      // y is ±1
      return hy < 0 ? 1 / x : x;
    }
    if (hy === 0x40000000) return x * x; // y is 2
    if (hy === 0x3fe00000) {
      // y is 0.5
      if (hx >= 0) return Math.sqrt(x); // x >= +0
    }
  }

  let ax = Math.abs(x);
  // special value of x
  if (lx === 0) {
    if (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000) {
      let z = ax; // x is ±0, ±inf, ±1
      if (hy < 0) z = 1 / z; // z = (1/|x|)
      if (hx < 0) {
        if (((ix - 0x3ff00000) | yisint) === 0) {
          z = NaN; // (−1)**non-int is NaN
        } else if (yisint === 1) {
          z = -z; // (x<0)**odd = −(|x|**odd)
        }
      }
      return z;
    }
  }

  let n = (hx >>> 31) - 1; // 0 for x < 0, −1 otherwise

  // (x<0)**(non-int) is NaN
  if ((n | yisint) === 0) return NaN;

  let s = 1; // s (sign of result −ve**odd) = −1 else = 1
  if ((n | (yisint - 1)) === 0) s = -1; // (−ve)**(odd int)

  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| is huge: |y| > 2^31
    if (iy > 0x43f00000) {
      // |y| > 2^64, must o/uflow
      if (ix <= 0x3fefffff) return hy < 0 ? HUGE * HUGE : TINY * TINY;
      if (ix >= 0x3ff00000) return hy > 0 ? HUGE * HUGE : TINY * TINY;
    }
    // over/underflow if x is not close to one
    if (ix < 0x3fefffff) return hy < 0 ? s * HUGE * HUGE : s * TINY * TINY;
    if (ix > 0x3ff00000) return hy > 0 ? s * HUGE * HUGE : s * TINY * TINY;
    // now |1−x| is tiny <= 2^-20, suffice to compute log(x) by x−x^2/2+x^3/3−x^4/4
    const t = ax - 1; // t has 20 trailing zeros
    const w = t * t * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
    const u = IVLN2_H * t; // ivln2_h has 21 sig. bits
    const v = t * IVLN2_L - w * IVLN2;
    t1 = clearLowWord(u + v);
    t2 = v - (t1 - u);
  } else {
    n = 0;
    // take care of subnormal numbers
    if (ix < 0x00100000) {
      ax *= TWO53;
      n -= 53;
      ix = highWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    // determine interval
    ix = j | 0x3ff00000; // normalize ix
    let k: number;
    if (j <= 0x3988e) {
      k = 0; // |x| < sqrt(3/2)
    } else if (j < 0xbb67a) {
      k = 1; // |x| < sqrt(3)
    } else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHighWord(ax, ix);

    // compute ss = s_h+s_l = (x−1)/(x+1) or (x−1.5)/(x+1.5)
    let u = ax - BP[k]!; // bp[0]=1.0, bp[1]=1.5
    let v = 1 / (ax + BP[k]!);
    const ss = u * v;
    const s_h = clearLowWord(ss);
    // t_h = ax+bp[k] High
    let t_h = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    let t_l = ax - (t_h - BP[k]!);
    const s_l = v * ((u - s_h * t_h) - s_h * t_l);
    // compute log(ax)
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += s_l * (s_h + ss);
    s2 = s_h * s_h;
    t_h = clearLowWord(3.0 + s2 + r);
    t_l = r - ((t_h - 3.0) - s2);
    // u+v = ss*(1+...)
    u = s_h * t_h;
    v = s_l * t_h + t_l * ss;
    // 2/(3log2)*(ss+...)
    const p_h = clearLowWord(u + v);
    const p_l = v - (p_h - u);
    const z_h = CP_H * p_h; // cp_h+cp_l = 2/(3*log2)
    const z_l = CP_L * p_h + p_l * CP + DP_L[k]!;
    // log2(ax) = (ss+..)*2/(3*log2) = n + dp_h + z_h + z_l
    const t = n;
    t1 = clearLowWord(((z_h + z_l) + DP_H[k]!) + t);
    t2 = z_l - (((t1 - t) - DP_H[k]!) - z_h);
  }

  // split up y into y1+y2 and compute (y1+y2)*(t1+t2)
  const y1 = clearLowWord(y);
  const p_l = (y - y1) * t1 + y * t2;
  let p_h = y1 * t1;
  let z = p_l + p_h;
  F64[0] = z;
  let j = I32[HI]!;
  let i = I32[LO]!;
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i) !== 0) return s * HUGE * HUGE; // if z > 1024: overflow
    if (p_l + OVT > z - p_h) return s * HUGE * HUGE; // overflow
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= −1075
    if ((j ^ (0xc090cc00 | 0) | i) !== 0) return s * TINY * TINY; // if z < −1075: underflow
    if (p_l <= z - p_h) return s * TINY * TINY; // underflow
  }

  // compute 2**(p_h+p_l)
  i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  n = 0;
  if (i > 0x3fe00000) {
    // if |z| > 0.5, set n = [z+0.5]
    n = (j + (0x00100000 >> (k + 1))) | 0;
    k = ((n & 0x7fffffff) >> 20) - 0x3ff; // new k for n
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    p_h -= t;
  }
  let t = clearLowWord(p_l + p_h);
  const u = t * LG2_H;
  const v = (p_l - (t - p_h)) * LG2 + t * LG2_L;
  z = u + v;
  const w = v - (z - u);
  t = z * z;
  t1 = z - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const r = (z * t1) / (t1 - 2.0) - (w + z * w);
  z = 1.0 - (r - z);
  F64[0] = z;
  j = (I32[HI]! + (n << 20)) | 0;
  if (j >> 20 <= 0) {
    z = scalbn(z, n); // subnormal output
  } else {
    I32[HI] = j;
    z = F64[0]!;
  }
  return s * z;
}

/**
 * x^n for an integer n by binary (right-to-left) repeated squaring; n < 0 gives 1/x^|n|.
 * Not correctly rounded (relative error up to about |n|·2^-53, more if intermediate products leave
 * the normal range) but made only of multiplications (and one division), so engine-independent.
 * Prefer `pow` (< 1 ulp) for large exponents.
 */
export function powInt(x: number, n: number): number {
  if (!Number.isInteger(n)) throw new RangeError(`powInt needs an integer exponent, got ${n}`);
  if (n === 0) return 1;
  let e = Math.abs(n);
  let base = x;
  let result = 1;
  for (;;) {
    if (e % 2 === 1) result *= base;
    e = Math.floor(e / 2);
    if (e === 0) break;
    base *= base;
  }
  return n < 0 ? 1 / result : result;
}

// ---------------------------------------------------------------------------------------------
// sin / cos kernels on [−π/4, π/4] (k_cos.c, k_sin.c)

const C1 = 4.16666666666666019037e-2; // 0x3FA55555 5555554C
const C2 = -1.38888888888741095749e-3; // 0xBF56C16C 16C15177
const C3 = 2.48015872894767294178e-5; // 0x3EFA01A0 19CB1590
const C4 = -2.75573143513906633035e-7; // 0xBE927E4F 809C52AD
const C5 = 2.08757232129817482790e-9; // 0x3E21EE9E BDB4B1C4
const C6 = -1.13596475577881948265e-11; // 0xBDA8FAE9 BE8838D4

/** cos(x + y) for |x| ~< π/4, y the tail of x. */
function kernelCos(x: number, y: number): number {
  const z = x * x;
  let w = z * z;
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  w = 1.0 - hz;
  return w + (((1.0 - w) - hz) + (z * r - x * y));
}

const S1 = -1.66666666666666324348e-1; // 0xBFC55555 55555549
const S2 = 8.33333333332248946124e-3; // 0x3F811111 1110F8A6
const S3 = -1.98412698298579493134e-4; // 0xBF2A01A0 19C161D5
const S4 = 2.75573137070700676789e-6; // 0x3EC71DE3 57B1FE7D
const S5 = -2.50507602534068634195e-8; // 0xBE5AE5E6 8A2B9CEB
const S6 = 1.58969099521155010221e-10; // 0x3DE5D93A 5ACFD57C

/** sin(x + y) for |x| ~< π/4, y the tail of x; iy = 0 means y = 0. */
function kernelSin(x: number, y: number, iy: number): number {
  const z = x * x;
  const w = z * z;
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const v = z * x;
  if (iy === 0) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

// ---------------------------------------------------------------------------------------------
// Argument reduction x − n·π/2 (e_rem_pio2.c, k_rem_pio2.c)

const TWO24 = 1.67772160000000000000e7; // 2^24
const TWON24 = 5.96046447753906250000e-8; // 2^-24
const INVPIO2 = 6.36619772367581382433e-1; // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.57079632673412561417; // 0x3FF921FB 54400000
const PIO2_1T = 6.07710050650619224932e-11; // 0x3DD0B461 1A626331
const PIO2_2 = 6.07710050630396597660e-11; // 0x3DD0B461 1A600000
const PIO2_2T = 2.02226624879595063154e-21; // 0x3BA3198A 2E037073
const PIO2_3 = 2.02226624871116645580e-21; // 0x3BA3198A 2E000000
const PIO2_3T = 8.47842766036889956997e-32; // 0x397B839A 252049C1
const ROUND_MAGIC = 6755399441055744.0; // 0x1.8p52

/** Remainder y0 + y1 of the last reduction. */
let remY0 = 0;
let remY1 = 0;

/** Reduces x to y0 + y1 = x − n·π/2 (|y0 + y1| ~< π/4) into remY0/remY1; returns n (its low bits suffice). */
function remPio2(x: number): number {
  F64[0] = x;
  const hx = I32[HI]!;
  const ix = hx & 0x7fffffff;
  let medium = false;
  if (ix <= 0x400f6a7a) {
    // |x| ~<= 5π/4
    if ((ix & 0xfffff) === 0x921fb) {
      medium = true; // |x| ~= π/2 or 2π/2: cancellation, use the medium case
    } else if (ix <= 0x4002d97c) {
      // |x| ~<= 3π/4
      if (hx > 0) {
        const z = x - PIO2_1; // one round good to 85 bits
        remY0 = z - PIO2_1T;
        remY1 = (z - remY0) - PIO2_1T;
        return 1;
      }
      const z = x + PIO2_1;
      remY0 = z + PIO2_1T;
      remY1 = (z - remY0) + PIO2_1T;
      return -1;
    } else {
      if (hx > 0) {
        const z = x - 2 * PIO2_1;
        remY0 = z - 2 * PIO2_1T;
        remY1 = (z - remY0) - 2 * PIO2_1T;
        return 2;
      }
      const z = x + 2 * PIO2_1;
      remY0 = z + 2 * PIO2_1T;
      remY1 = (z - remY0) + 2 * PIO2_1T;
      return -2;
    }
  } else if (ix <= 0x401c463b) {
    // |x| ~<= 9π/4
    if (ix <= 0x4015fdbc) {
      // |x| ~<= 7π/4
      if (ix === 0x4012d97c) {
        medium = true; // |x| ~= 3π/2
      } else if (hx > 0) {
        const z = x - 3 * PIO2_1;
        remY0 = z - 3 * PIO2_1T;
        remY1 = (z - remY0) - 3 * PIO2_1T;
        return 3;
      } else {
        const z = x + 3 * PIO2_1;
        remY0 = z + 3 * PIO2_1T;
        remY1 = (z - remY0) + 3 * PIO2_1T;
        return -3;
      }
    } else if (ix === 0x401921fb) {
      medium = true; // |x| ~= 4π/2
    } else if (hx > 0) {
      const z = x - 4 * PIO2_1;
      remY0 = z - 4 * PIO2_1T;
      remY1 = (z - remY0) - 4 * PIO2_1T;
      return 4;
    } else {
      const z = x + 4 * PIO2_1;
      remY0 = z + 4 * PIO2_1T;
      remY1 = (z - remY0) + 4 * PIO2_1T;
      return -4;
    }
  }
  if (medium || ix < 0x413921fb) {
    // |x| ~< 2^20·(π/2), medium size; rint() by the 1.5·2^52 trick (round-to-nearest)
    const fn = x * INVPIO2 + ROUND_MAGIC - ROUND_MAGIC;
    const n = fn | 0;
    let r = x - fn * PIO2_1;
    let w = fn * PIO2_1T; // 1st round good to 85 bits
    const j = ix >> 20;
    remY0 = r - w;
    let i = j - ((highWord(remY0) >> 20) & 0x7ff);
    if (i > 16) {
      // 2nd iteration needed, good to 118
      let t = r;
      w = fn * PIO2_2;
      r = t - w;
      w = fn * PIO2_2T - ((t - r) - w);
      remY0 = r - w;
      i = j - ((highWord(remY0) >> 20) & 0x7ff);
      if (i > 49) {
        // 3rd iteration needed, 151 bits acc; will cover all possible cases
        t = r;
        w = fn * PIO2_3;
        r = t - w;
        w = fn * PIO2_3T - ((t - r) - w);
        remY0 = r - w;
      }
    }
    remY1 = (r - remY0) - w;
    return n;
  }
  // all other (large) arguments
  if (ix >= 0x7ff00000) {
    // x is inf or NaN
    remY0 = remY1 = x - x;
    return 0;
  }
  // set z = scalbn(|x|, ilogb(x) − 23)
  const e0 = (ix >> 20) - 1046; // e0 = ilogb(z) − 23
  let z = fromWords(ix - (e0 << 20), lowWord(x));
  const tx = REM_TX;
  for (let i = 0; i < 2; i++) {
    tx[i] = z | 0; // z < 2^24
    z = (z - tx[i]!) * TWO24;
  }
  tx[2] = z;
  let nx = 3;
  while (tx[nx - 1] === 0) nx--; // skip zero terms
  const n = kernelRemPio2(tx, e0, nx);
  if (hx < 0) {
    remY0 = -remY0;
    remY1 = -remY1;
    return -n;
  }
  return n;
}

/** 2/π in 24-bit chunks: IPIO2[i] holds bits 24i … 24i+23 after the binary point (first 66 of fdlibm's table). */
const IPIO2 = [
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7, 0x246e3a,
  0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c, 0x7026b4, 0x5f7e41,
  0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11, 0x8b5a0a, 0x6d1f6d, 0x367ecf,
  0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7, 0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08,
  0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e, 0xe61b08, 0x659985, 0x5f14a0, 0x68408d, 0xffd880,
  0x4d7327, 0x310606, 0x1556ca, 0x73a8c9, 0x60e27b, 0xc08c6b,
];

/** π/2 in 24-bit chunks. */
const PIO2 = [
  1.57079625129699707031, // 0x3FF921FB 40000000
  7.54978941586159635335e-8, // 0x3E74442D 00000000
  5.39030252995776476554e-15, // 0x3CF84698 80000000
  3.28200341580791294123e-22, // 0x3B78CC51 60000000
  1.27065575308067607349e-29, // 0x39F01B83 80000000
  1.22933308981111328932e-36, // 0x387A2520 40000000
  2.73370053816464559624e-44, // 0x36E38222 80000000
  2.16741683877804819444e-51, // 0x3569F31D 00000000
];

const REM_TX = new Float64Array(3);
const REM_F = new Float64Array(20);
const REM_FQ = new Float64Array(20);
const REM_Q = new Float64Array(20);
const REM_IQ = new Int32Array(20);

/**
 * Payne–Hanek reduction (fdlibm __kernel_rem_pio2, double precision: prec = 1, jk = 4).
 * x[0..nx−1] are 24-bit pieces of |x| with x[0]·2^e0 its leading part. Writes the remainder to
 * remY0/remY1 and returns n mod 8.
 */
function kernelRemPio2(x: Float64Array, e0: number, nx: number): number {
  const f = REM_F;
  const fq = REM_FQ;
  const q = REM_Q;
  const iq = REM_IQ;
  const jk = 4;
  const jp = jk;

  // determine jx, jv, q0; note that 3 > q0
  const jx = nx - 1;
  let jv = Math.trunc((e0 - 3) / 24);
  if (jv < 0) jv = 0;
  let q0 = e0 - 24 * (jv + 1);

  // set up f[0] to f[jx+jk] where f[jx+jk] = ipio2[jv+jk]
  let j = jv - jx;
  const m = jx + jk;
  for (let i = 0; i <= m; i++, j++) f[i] = j < 0 ? 0 : IPIO2[j]!;

  // compute q[0], q[1], ... q[jk]
  for (let i = 0; i <= jk; i++) {
    let fw = 0.0;
    for (j = 0; j <= jx; j++) fw += x[j]! * f[jx + i - j]!;
    q[i] = fw;
  }

  let jz = jk;
  let z: number;
  let n: number;
  let ih: number;
  for (;;) {
    // recompute:
    // distill q[] into iq[] reversingly
    let i = 0;
    j = jz;
    z = q[jz]!;
    for (; j > 0; i++, j--) {
      const fw = (TWON24 * z) | 0;
      iq[i] = (z - TWO24 * fw) | 0;
      z = q[j - 1]! + fw;
    }

    // compute n
    z = scalbn(z, q0); // actual value of z
    z -= 8.0 * Math.floor(z * 0.125); // trim off integer >= 8
    n = z | 0;
    z -= n;
    ih = 0;
    if (q0 > 0) {
      // need iq[jz−1] to determine n
      i = iq[jz - 1]! >> (24 - q0);
      n += i;
      iq[jz - 1] = iq[jz - 1]! - (i << (24 - q0));
      ih = iq[jz - 1]! >> (23 - q0);
    } else if (q0 === 0) {
      ih = iq[jz - 1]! >> 23;
    } else if (z >= 0.5) {
      ih = 2;
    }

    if (ih > 0) {
      // q > 0.5
      n += 1;
      let carry = 0;
      for (i = 0; i < jz; i++) {
        // compute 1−q
        j = iq[i]!;
        if (carry === 0) {
          if (j !== 0) {
            carry = 1;
            iq[i] = 0x1000000 - j;
          }
        } else {
          iq[i] = 0xffffff - j;
        }
      }
      if (q0 > 0) {
        // rare case: chance is 1 in 12
        if (q0 === 1) iq[jz - 1] = iq[jz - 1]! & 0x7fffff;
        else if (q0 === 2) iq[jz - 1] = iq[jz - 1]! & 0x3fffff;
      }
      if (ih === 2) {
        z = 1 - z;
        if (carry !== 0) z -= scalbn(1, q0);
      }
    }

    // check if recomputation is needed
    if (z === 0) {
      j = 0;
      for (i = jz - 1; i >= jk; i--) j |= iq[i]!;
      if (j === 0) {
        // need recomputation
        let k = 1;
        while (iq[jk - k] === 0) k++; // k = no. of terms needed
        for (i = jz + 1; i <= jz + k; i++) {
          // add q[jz+1] to q[jz+k]
          f[jx + i] = IPIO2[jv + i]!;
          let fw = 0.0;
          for (j = 0; j <= jx; j++) fw += x[j]! * f[jx + i - j]!;
          q[i] = fw;
        }
        jz += k;
        continue;
      }
    }
    break;
  }

  // chop off zero terms
  if (z === 0) {
    jz -= 1;
    q0 -= 24;
    while (iq[jz] === 0) {
      jz--;
      q0 -= 24;
    }
  } else {
    // break z into 24-bit if necessary
    z = scalbn(z, -q0);
    if (z >= TWO24) {
      const fw = (TWON24 * z) | 0;
      iq[jz] = (z - TWO24 * fw) | 0;
      jz += 1;
      q0 += 24;
      iq[jz] = fw;
    } else {
      iq[jz] = z | 0;
    }
  }

  // convert integer "bit" chunk to floating-point value
  let fw = scalbn(1, q0);
  for (let i = jz; i >= 0; i--) {
    q[i] = fw * iq[i]!;
    fw *= TWON24;
  }

  // compute PIo2[0,...,jp]*q[jz,...,0]
  for (let i = jz; i >= 0; i--) {
    fw = 0.0;
    for (let k = 0; k <= jp && k <= jz - i; k++) fw += PIO2[k]! * q[i + k]!;
    fq[jz - i] = fw;
  }

  // compress fq[] into y[] (prec = 1)
  fw = 0.0;
  for (let i = jz; i >= 0; i--) fw += fq[i]!;
  remY0 = ih === 0 ? fw : -fw;
  fw = fq[0]! - fw;
  for (let i = 1; i <= jz; i++) fw += fq[i]!;
  remY1 = ih === 0 ? fw : -fw;
  return n & 7;
}

// ---------------------------------------------------------------------------------------------
// cos, sin (s_cos.c, s_sin.c)

/** cos x, < 1 ulp for every finite x (fdlibm cos with full Payne–Hanek reduction). cos(±∞) = cos(NaN) = NaN. */
export function cos(x: number): number {
  F64[0] = x;
  const ix = I32[HI]! & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    // |x| ~< π/4
    if (ix < 0x3e400000) return 1.0; // |x| < 2^-27
    return kernelCos(x, 0);
  }
  if (ix >= 0x7ff00000) return x - x; // cos(Inf or NaN) is NaN
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelCos(remY0, remY1);
    case 1:
      return -kernelSin(remY0, remY1, 1);
    case 2:
      return -kernelCos(remY0, remY1);
    default:
      return kernelSin(remY0, remY1, 1);
  }
}

/** sin x, < 1 ulp for every finite x (fdlibm sin). sin(±0) = ±0, sin(±∞) = sin(NaN) = NaN. */
export function sin(x: number): number {
  F64[0] = x;
  const ix = I32[HI]! & 0x7fffffff;
  if (ix <= 0x3fe921fb) {
    // |x| ~< π/4
    if (ix < 0x3e500000) return x; // |x| < 2^-26
    return kernelSin(x, 0, 0);
  }
  if (ix >= 0x7ff00000) return x - x; // sin(Inf or NaN) is NaN
  const n = remPio2(x);
  switch (n & 3) {
    case 0:
      return kernelSin(remY0, remY1, 1);
    case 1:
      return kernelCos(remY0, remY1);
    case 2:
      return -kernelSin(remY0, remY1, 1);
    default:
      return -kernelCos(remY0, remY1);
  }
}
