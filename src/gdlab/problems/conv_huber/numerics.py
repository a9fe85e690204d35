"""The numerics of ``conv_huber``: the matrix-free convolution, its Huber objective and GD.

A ∈ ℝ^{(n−r+1)×n}, (Ax)_j = Σ_i k_i x_{i+j} (valid cross-correlation with the
filter k ∈ ℝ^r); Aᵀy is the full convolution of y with k, of length n.  Neither
is ever built as a matrix except in :func:`dense` (for the check).

huber(t) = t²/2 if |t| ≤ 1 else |t| − ½, summed; F(x) = huber(Ax − b) + (λ/2)‖x‖².
GD: x ← x − α(Aᵀ huber'(Ax − b) + λx) from x = 0 (the homework's code adds λx
outside the step, a slip).  GD converges for α < 2/(‖A‖₂² + λ).

Seeds draw k then b from NumPy's legacy ``RandomState(seed)``, so seed 0 is the
homework's reference run (r = 3, n = 20, λ = 0.1, α = 0.01: F(x_100) =
0.4587586843129764).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdlab import descent, seeding
from gdlab.theory import next_rate

NAME = "conv_huber"


# ---- the operator -----------------------------------------------------------------
# Blocks of runs: a loop over the r taps, each a vector operation over all runs,
# is fastest for short filters and signals (the default study: r = 3, n = 20);
# beyond these sizes one numpy.correlate / numpy.convolve call per run is (one
# pass over the data instead of 2r).  The choice depends on (n, r) only, never on
# the number of runs, so a run's numbers do not depend on its block.
_TAP_LOOP_MAX_R, _TAP_LOOP_MAX_N = 16, 4096


def _per_run(op, k: np.ndarray, v: np.ndarray, length: int) -> np.ndarray:
    if v.shape[0] == 1:
        return op(k[0], v[0])[None, :]  # no copy
    out = np.empty((v.shape[0], length))
    for row, (kr, vr) in enumerate(zip(k, v, strict=True)):
        out[row] = op(kr, vr)
    return out


def apply(k: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Ax: valid cross-correlation, O(n·r) time, O(n) memory.

    ``k`` (r,) with ``x`` (n,) uses one ``numpy.correlate`` call; ``k`` (runs, r)
    with ``x`` (runs, n) applies each run's filter to its own row (a loop over the
    r taps, each a vector operation over all runs; for long filters or signals
    the 1-D call per run)."""
    if k.ndim == 1:
        return np.correlate(x, k, mode="valid")
    r = k.shape[1]
    m = x.shape[1] - r + 1
    if r > _TAP_LOOP_MAX_R or x.shape[1] > _TAP_LOOP_MAX_N:
        return _per_run(apply, k, x, m)
    out = k[:, :1] * x[:, :m]
    for i in range(1, r):
        out += k[:, i : i + 1] * x[:, i : i + m]
    return out


def apply_transpose(k: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Aᵀy: full convolution of y with k, length n = len(y) + r − 1."""
    if k.ndim == 1:
        return np.convolve(y, k, mode="full")
    r = k.shape[1]
    m = y.shape[1]
    if r > _TAP_LOOP_MAX_R or m + r - 1 > _TAP_LOOP_MAX_N:
        return _per_run(apply_transpose, k, y, m + r - 1)
    out = np.zeros((y.shape[0], m + r - 1))
    for i in range(r):
        out[:, i : i + m] += k[:, i : i + 1] * y
    return out


def dense(k: np.ndarray, n: int) -> np.ndarray:
    """The explicit (n−r+1)×n matrix of A (for checks only)."""
    r = k.size
    A = np.zeros((n - r + 1, n))
    for j in range(n - r + 1):
        A[j, j : j + r] = k
    return A


def naive_apply(k, x):
    """A Python loop like the homework's (for the benchmark's comparison only)."""
    r, n = len(k), len(x)
    return np.array([sum(k[i] * x[i + j] for i in range(r)) for j in range(n - r + 1)])


def naive_apply_transpose(k, y):
    """Aᵀy by a Python loop over a zero-padded y with the reversed filter."""
    r = len(k)
    padded = np.concatenate([np.zeros(r - 1), y, np.zeros(r - 1)])
    flipped = k[::-1]
    return np.array(
        [sum(flipped[i] * padded[j + i] for i in range(r)) for j in range(len(y) + r - 1)]
    )


# ---- the objective ----------------------------------------------------------------
def huber(t):
    a = np.abs(t)
    return np.where(a <= 1.0, 0.5 * t * t, a - 0.5)


def huber_prime(t):
    return np.minimum(np.maximum(t, -1.0), 1.0)  # np.clip, without its wrapper's cost


@dataclass
class Model:
    k: np.ndarray  # (runs, r)
    b: np.ndarray  # (runs, n − r + 1)
    lam: float

    def gradient(self, x):
        return apply_transpose(self.k, huber_prime(apply(self.k, x) - self.b)) + self.lam * x

    def loss(self, x):
        return huber(apply(self.k, x) - self.b).sum(axis=1) + 0.5 * self.lam * np.einsum(
            "ij,ij->i", x, x
        )

    def dist(self, x):
        return np.full(x.shape[:-1], np.nan)  # x* has no closed form: rates use ‖∇F‖

    def take(self, rows):
        return Model(self.k[rows], self.b[rows], self.lam)

    def hessian_vector(self, x, v):
        """(AᵀDA + λI)v, D marking the residuals inside |r| ≤ 1 at x."""
        inside = np.abs(apply(self.k, x) - self.b) <= 1.0
        return apply_transpose(self.k, inside * apply(self.k, v)) + self.lam * v


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`)."""
    r, n = settings["r"], settings["n"]
    return seeding.process(
        "RandomState",
        ("k", "standard_normal", {"size": r}),
        ("b", "standard_normal", {"size": n - r + 1}),
        # drawn after k and b: the homework's reference run is unaffected
        ("probe_x", "standard_normal", {"size": n}),
        ("probe_y", "standard_normal", {"size": n - r + 1}),
        then="x_0 = 0; probe_x, probe_y test A and its transpose (the operator check)",
    )


def draw(seed: int, r: int, n: int):
    """k = randn(r) then b = randn(n − r + 1) from RandomState(seed), as the homework."""
    d = seeding.draw(data_process({"r": r, "n": n}), NAME, seed, 0)
    return d["k"], d["b"], d["probe_x"], d["probe_y"]


def operator_errors(k, n, x, y) -> tuple[float, float]:
    """(dense error, adjoint error), both relative: max over A and Aᵀ of
    ‖matrix-free − dense‖/‖dense‖, and |⟨Ax, y⟩ − ⟨x, Aᵀy⟩| / (‖Ax‖‖y‖)."""
    A = dense(k, n)
    Ax, ATy = apply(k, x), apply_transpose(k, y)
    err_dense = max(
        np.linalg.norm(Ax - A @ x) / np.linalg.norm(A @ x),
        np.linalg.norm(ATy - A.T @ y) / np.linalg.norm(A.T @ y),
    )
    err_adjoint = abs(Ax @ y - x @ ATy) / (np.linalg.norm(Ax) * np.linalg.norm(y))
    return float(err_dense), float(err_adjoint)


def alpha_critical(k, n, lam) -> float:
    """2/(‖A‖₂² + λ): below it GD converges from anywhere (the global guarantee)."""
    return 2.0 / (np.linalg.norm(dense(k, n), 2) ** 2 + lam)


def local_spectrum(k, b, lam, x) -> np.ndarray:
    """The eigenvalues of the Hessian of F at x, AᵀDA + λI (D: 1 where the residual
    |Ax − b| ≤ 1, else 0), on range(Aᵀ): GD from x = 0 never leaves that subspace,
    since every gradient Aᵀhuber'(r) + λx lies in it.  Ascending; NaN if x is not
    finite."""
    if not np.isfinite(x).all():
        return np.full(b.size, np.nan)
    A = dense(k, x.size)
    inside = (np.abs(A @ x - b) <= 1.0).astype(float)
    Q, _ = np.linalg.qr(A.T)  # an orthonormal basis of range(Aᵀ) (A has full row rank)
    AQ = A @ Q
    return np.linalg.eigvalsh(AQ.T @ (inside[:, None] * AQ) + lam * np.eye(Q.shape[1]))


def local_theory(k, b, lam, x, alpha: float) -> tuple[float, float, float]:
    """(rate, α_critical, next rate) at x: max |1 − αμ| and 2/μ_max over
    :func:`local_spectrum`, and :func:`gdlab.theory.next_rate` of its |1 − αμ|."""
    mu = local_spectrum(k, b, lam, x)
    with np.errstate(over="ignore", invalid="ignore"):
        factors = np.abs(1.0 - alpha * mu)
        return float(np.max(factors)), float(2.0 / mu[-1]), next_rate(factors)


def run(settings: dict, alpha: float, seeds: list[int], traced: int | None = None) -> dict:
    r, n, lam = settings["r"], settings["n"], settings["lam"]
    draws = [draw(s, r, n) for s in seeds]
    k = np.stack([d[0] for d in draws])
    b = np.stack([d[1] for d in draws])
    errors = np.array([operator_errors(d[0], n, d[2], d[3]) for d in draws])
    critical = np.array([alpha_critical(d[0], n, lam) for d in draws])
    trace, cols = descent.run_block(
        Model(k, b, lam),
        np.zeros((len(seeds), n)),
        alpha,
        seeds,
        settings,
        scalar=False,
        extra_steps=(settings["reference_step"],),
        traced=traced,
    )
    # the local theory at the limit each converged run reached; a run that reached no
    # fixed point (a cycle, a run out of steps, a diverged one) has none (NULL)
    local = np.full((len(seeds), 3), np.nan)
    for i, outcome in enumerate(trace.outcome):
        if outcome == descent.CONVERGED:
            local[i] = local_theory(k[i], b[i], lam, trace.final_theta[i], alpha)
    cols["rate_theory"] = local[trace.run, 0]
    cols["alpha_critical"] = local[trace.run, 1]
    cols["rate_theory_next"] = local[trace.run, 2]
    cols["alpha_lipschitz"] = critical[trace.run]
    cols["err_dense"] = errors[trace.run, 0]
    cols["err_adjoint"] = errors[trace.run, 1]
    return cols
