/**
 * The update rule of a training step: plain GD (the default), heavy-ball momentum or Nesterov
 * momentum, in PyTorch's convention (so a varying η(t) scales the whole step):
 *   momentum:  v_{t+1} = β v_t + g_t,   θ_{t+1} = θ_t − η_t v_{t+1}
 *   nesterov:  v_{t+1} = β v_t + g_t,   θ_{t+1} = θ_t − η_t (g_t + β v_{t+1})
 * with v_0 = 0 and g_t the (full- or mini-batch) gradient at θ_t. For constant η the momentum
 * iterates are Polyak's θ_{t+1} = θ_t − η g_t + β(θ_t − θ_{t−1}).
 * The step is applied as the GD step (the model's fused rank-one update) followed by
 * θ −= η·β·(velocity): with β = 0 the iterates are GD's bit for bit.
 * Browser-safe.
 */
import { axpy } from '../linalg/blas.ts';
import type { AnyModel, ModelEvaluation } from '../models/model.ts';

export type OptimizerSpec = { kind: 'gd' } | { kind: 'momentum' | 'nesterov'; beta: number };

export class Optimizer {
  private readonly velocity: Float64Array | null;
  private readonly grad: Float64Array | null;

  constructor(
    private readonly model: AnyModel,
    readonly spec: OptimizerSpec = { kind: 'gd' },
  ) {
    if (spec.kind !== 'gd' && !(spec.beta >= 0 && spec.beta < 1)) throw new RangeError(`optimizer.beta must be in [0, 1), got ${spec.beta}`);
    const heavy = spec.kind !== 'gd';
    this.velocity = heavy ? new Float64Array(model.numParams) : null;
    this.grad = heavy ? new Float64Array(model.numParams) : null;
  }

  /** One step from θ = ev.theta with rate eta; ev (at θ_t, on the batch) is stale afterwards. */
  step(ev: ModelEvaluation, eta: number): void {
    const { model, velocity: v, grad } = this;
    if (v === null || grad === null || this.spec.kind === 'gd') return model.descend(ev, eta);
    const beta = this.spec.beta, n = v.length;
    model.gradient(ev, grad); // before descend: the evaluation goes stale
    if (this.spec.kind === 'momentum') {
      model.descend(ev, eta); // θ − η g_t
      axpy(n, -eta * beta, v, 0, ev.theta, 0); // − η β v_t
      for (let i = 0; i < n; i++) v[i] = beta * v[i] + grad[i];
    } else {
      for (let i = 0; i < n; i++) v[i] = beta * v[i] + grad[i];
      model.descend(ev, eta); // θ − η g_t
      axpy(n, -eta * beta, v, 0, ev.theta, 0); // − η β v_{t+1}
    }
  }
}
