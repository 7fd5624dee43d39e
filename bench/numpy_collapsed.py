"""numpy float64 reference for `npm run bench`: the same GD step, exact HVP and NTK matvec as the
engine (src/models/deepLinear.ts), in the collapsed form (rank-one gradient, never a dense
Jacobian), on the data and initial weights the bench wrote.

Usage (bench/run.ts runs it with one BLAS thread): python3 bench/numpy_collapsed.py DIR
DIR holds meta.json, X.f64, y.f64, theta.f64, dir.f64, u.f64 (little-endian float64).
The script writes grad.f64, hvp.f64, ntk.f64 at the initial weights (the bench compares them
with its own), prints "ready", then for every "round" line on stdin runs one step, one HVP and
one NTK matvec and prints their times in ms as one JSON line. "quit" ends it.
"""
import json
import sys
import time

import numpy as np

d_ir = sys.argv[1]
meta = json.load(open(f"{d_ir}/meta.json"))
m, d, width, depth = meta["m"], meta["d"], meta["width"], meta["depth"]
load = lambda name: np.fromfile(f"{d_ir}/{name}.f64", dtype="<f8")
X = load("X").reshape(m, d)
y = load("y")
theta = load("theta")
direction = load("dir")
u = load("u")

# layer k: rows x cols, scale 1/sqrt(cols); W_0 is width x d, hidden width x width, v is 1 x width
shapes = [(1 if k == depth - 1 else width, d if k == 0 else width) for k in range(depth)]
offsets = np.cumsum([0] + [r * c for r, c in shapes])
scales = [1 / np.sqrt(c) for _, c in shapes]


def layers(vec):
    return [vec[offsets[k]:offsets[k + 1]].reshape(shapes[k]) for k in range(depth)]


def evaluate(W):
    """Loss, d1, the backward vectors e_k and r = X^T l'/m: one pass for f, one for r."""
    e = [None] * (depth + 1)
    e[depth] = np.ones(1)
    for k in range(depth - 1, -1, -1):
        e[k] = scales[k] * (W[k].T @ e[k + 1])
    f = X @ e[0]
    z = -y * f
    value = np.mean(np.logaddexp(0, z))
    d1 = -y / (1 + np.exp(-z))  # l'(f) = -y sigma(-y f)
    r = X.T @ (d1 / m)
    return f, d1, e, r


def forward_chain(W, r):
    q = [r]
    for k in range(depth - 1):
        q.append(scales[k] * (W[k] @ q[k]))
    return q


def step(W, eta):
    """Evaluate, then W_k -= eta * s_k e_{k+1} q_k^T, with q_{k+1} from the old W_k."""
    _, _, e, r = evaluate(W)
    qk = r
    for k in range(depth):
        nxt = scales[k] * (W[k] @ qk)
        W[k] -= (eta * scales[k]) * np.outer(e[k + 1], qk)
        qk = nxt


def gradient(W, e, q):
    return np.concatenate([(scales[k] * np.outer(e[k + 1], q[k])).ravel() for k in range(depth)])


def hvp(W, e, q, d2, dW, out):
    """R-operator: backward tangents de_k and a_k = s_k dW_k q_k, one data pass, then the forward tangents."""
    de = [None] * (depth + 1)
    de[depth] = np.zeros(1)
    a = [None] * depth
    for k in range(depth - 1, -1, -1):
        de[k] = scales[k] * (dW[k].T @ e[k + 1] + W[k].T @ de[k + 1])
        if k < depth - 1:
            a[k] = scales[k] * (dW[k] @ q[k])
    dr = X.T @ (d2 * (X @ de[0]) / m)
    dq = dr
    O = layers(out)
    for k in range(depth):
        O[k][:] = scales[k] * (np.outer(de[k + 1], q[k]) + np.outer(e[k + 1], dq))
        if k < depth - 1:
            dq = a[k] + scales[k] * (W[k] @ dq)
    return out


def ntk(W, e, vec):
    """Theta u = X K X^T u, K = sum_k w_k A_k^T A_k in Horner form (no parameter-sized vector)."""
    r = X.T @ vec
    q = forward_chain(W, r)
    w = [float(e[k + 1] @ e[k + 1]) * scales[k] ** 2 for k in range(depth)]
    acc = w[depth - 1] * q[depth - 1]
    for k in range(depth - 1, 0, -1):
        acc = scales[k - 1] * (W[k - 1].T @ acc) + w[k - 1] * q[k - 1]
    return X @ acc


W0 = layers(theta)
f, d1, e, r = evaluate(W0)
q = forward_chain(W0, r)
s = 1 / (1 + np.exp(-y * f))
d2 = s * (1 - s)  # l''(f) of the logistic loss
dW = layers(direction)
out = np.zeros_like(theta)
gradient(W0, e, q).tofile(f"{d_ir}/grad.f64")
hvp(W0, e, q, d2, dW, out).tofile(f"{d_ir}/hvp.f64")
ntk(W0, e, u).tofile(f"{d_ir}/ntk.f64")

Wstep = layers(theta.copy())
for _ in range(3):  # warm-up, as the JS side does
    step(Wstep, 1e-9)
    hvp(W0, e, q, d2, dW, out)
    ntk(W0, e, u)
print("ready", flush=True)
for line in sys.stdin:
    if line.strip() != "round":
        break
    t = {}
    t0 = time.perf_counter()
    step(Wstep, 1e-9)
    t1 = time.perf_counter()
    hvp(W0, e, q, d2, dW, out)
    t2 = time.perf_counter()
    ntk(W0, e, u)
    t3 = time.perf_counter()
    print(json.dumps({"step": (t1 - t0) * 1e3, "hvp": (t2 - t1) * 1e3, "ntk": (t3 - t2) * 1e3}), flush=True)
