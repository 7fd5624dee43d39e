/**
 * Seeded pseudo-random numbers that are bit-identical in Node and in browsers.
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna), 128-bit state, period 2^128 − 1.
 * It uses only 32-bit integer operations (Math.imul, shifts), which JavaScript defines exactly,
 * so every engine produces the same stream. The state is seeded by SplitMix32 from the seed,
 * which may be any integer in [0, 2^53).
 *
 * Doubles: 53 random bits from two outputs, u ∈ [0, 1).
 * Gaussians: Marsaglia's polar method (needs only log and Math.sqrt; sqrt is correctly rounded
 * everywhere, and log is detmath's fdlibm port, not Math.log, whose rounding differs between
 * engines and engine versions).
 *
 * Independent streams for independent purposes (data, init, shuffling, Lanczos start) come from
 * `deriveSeed(seed, label)`, so adding a consumer never shifts another consumer's numbers.
 */

import { log } from './detmath.ts';

/** SplitMix32 step, used only to expand a seed into generator state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a 32-bit hash of a string (deterministic stream labels). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
  }
}

/** A seed for an independent stream named `label`, derived from `seed`. */
export function deriveSeed(seed: number, label: string): number {
  checkSeed(seed);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const st = { s: (lo ^ Math.imul(hi, 0x27d4eb2d) ^ fnv1a(label)) | 0 };
  const a = splitmix32(st);
  const b = splitmix32(st) & 0x1fffff; // 21 bits: a + b·2^32 stays below 2^53
  return a + b * 4294967296;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    checkSeed(seed);
    const st = { s: ((seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1)) | 0 };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is forbidden
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal N(0, 1), Marsaglia polar method. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const k = Math.sqrt((-2 * log(s)) / s);
    this.spare = v * k;
    this.hasSpare = true;
    return u * k;
  }

  /** Fill `out` with N(0, scale²) samples. */
  fillNormal(out: Float64Array, scale = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.normal();
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
