/**
 * The rank-collapse fix of Kumar et al. (2021, neighbours §E) as a differentiable penalty on a feature
 * matrix Φ (m × n, rows = samples):
 *     P(Φ) = (σ_max(Φ)² − σ_min(Φ)²) / m,   σ_min = σ_{min(m,n)},
 * the spread of the eigenvalues of the uncentered feature second-moment matrix ΦᵀΦ/m. Minimising it pulls
 * σ_min up relative to σ_max, so the features keep their rank. Since dσ_i² = 2σ_i u_iᵀ dΦ v_i for a simple σ_i,
 *     ∇_Φ P = (2/m)(σ_1 u_1 v_1ᵀ − σ_k u_k v_kᵀ) = (2/m) Φ (v_1 v_1ᵀ − v_k v_kᵀ)   (n ≤ m)
 *                                               = (2/m) (u_1 u_1ᵀ − u_k u_kᵀ) Φ   (m < n),
 * with v (u) the eigenvectors of the smaller Gram matrix ΦᵀΦ (ΦΦᵀ). Where σ_max or σ_min is repeated the
 * penalty is not differentiable and this is one element of its subdifferential.
 */
import { symmetricEigen } from '../linalg/jacobi.ts';

export interface RankPenaltyValue {
  /** (σ_max² − σ_min²)/m */
  value: number;
  sigmaMax: number;
  sigmaMin: number;
  /** ∇_Φ P, m × n row-major */
  grad: Float64Array;
}

export function rankPenalty(phi: Float64Array, m: number, n: number): RankPenaltyValue {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1) throw new RangeError(`rankPenalty: sizes must be positive integers, got ${m}×${n}`);
  if (phi.length !== m * n) throw new RangeError(`rankPenalty: expected ${m}×${n} = ${m * n} entries, got ${phi.length}`);
  const byColumns = n <= m;
  const k = byColumns ? n : m;
  // Gram matrix of the smaller side: C = ΦᵀΦ (k = n) or ΦΦᵀ (k = m).
  const C = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let acc = 0;
      if (byColumns) for (let a = 0; a < m; a++) acc += phi[a * n + i]! * phi[a * n + j]!;
      else for (let c = 0; c < n; c++) acc += phi[i * n + c]! * phi[j * n + c]!;
      C[i * k + j] = acc;
      C[j * k + i] = acc;
    }
  }
  const { values, vectors } = symmetricEigen(C, k);
  const top = vectors.subarray(0, k);
  const bottom = vectors.subarray((k - 1) * k, k * k);
  const lmax = Math.max(values[0]!, 0), lmin = Math.max(values[k - 1]!, 0);
  const grad = new Float64Array(m * n);
  const s = 2 / m;
  if (byColumns) {
    // row a of Φ(v1 v1ᵀ − vk vkᵀ) = (φ_a·v1) v1 − (φ_a·vk) vk
    for (let a = 0; a < m; a++) {
      let p1 = 0, pk = 0;
      for (let c = 0; c < n; c++) {
        p1 += phi[a * n + c]! * top[c]!;
        pk += phi[a * n + c]! * bottom[c]!;
      }
      for (let c = 0; c < n; c++) grad[a * n + c] = s * (p1 * top[c]! - pk * bottom[c]!);
    }
  } else {
    // (u1 u1ᵀ − uk ukᵀ)Φ = u1 (u1ᵀΦ) − uk (ukᵀΦ)
    const r1 = new Float64Array(n), rk = new Float64Array(n);
    for (let a = 0; a < m; a++) {
      for (let c = 0; c < n; c++) {
        r1[c] += top[a]! * phi[a * n + c]!;
        rk[c] += bottom[a]! * phi[a * n + c]!;
      }
    }
    for (let a = 0; a < m; a++) for (let c = 0; c < n; c++) grad[a * n + c] = s * (top[a]! * r1[c]! - bottom[a]! * rk[c]!);
  }
  return { value: (lmax - lmin) / m, sigmaMax: Math.sqrt(lmax), sigmaMin: Math.sqrt(lmin), grad };
}
