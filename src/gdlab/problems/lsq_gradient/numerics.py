"""The numerics of ``lsq_gradient``: the least-squares gradient, one draw per seed.

ℓ_i(θ) = ½(X_iᵀθ − Y_i)², L(θ) = ½‖Xθ − Y‖² = Σ_i ℓ_i(θ).
Claims: ∇ℓ_i(θ) = (X_iᵀθ − Y_i) X_i and ∇L(θ) = Xᵀ(Xθ − Y).

Per seed (and shape N×p): draw X, Y, θ and compare the matrix form with the sum
of the per-sample gradients and with central finite differences of L and of
every ℓ_i.  No step size, no iteration: one row per seed.
"""

from __future__ import annotations

import numpy as np

from gdlab import seeding

NAME = "lsq_gradient"
OUTCOME = "checked"


def loss(X, Y, theta):
    r = X @ theta - Y
    return 0.5 * r @ r


def gradient(X, Y, theta):
    """∇L(θ) = Xᵀ(Xθ − Y)."""
    return X.T @ (X @ theta - Y)


def sample_gradients(X, Y, theta):
    """Row i: ∇ℓ_i(θ) = (X_iᵀθ − Y_i) X_i."""
    return (X @ theta - Y)[:, None] * X


def sample_losses(X, Y, theta):
    """ℓ_i(θ) for every i; θ may be (p,) or (p, m) for m points at once."""
    r = X @ theta - (Y if theta.ndim == 1 else Y[:, None])
    return 0.5 * r**2


def central_differences(X, Y, theta, h: float):
    """(N, p) central differences of every ℓ_i in every coordinate, step h·max(1, |θ_j|)."""
    step = h * np.maximum(1.0, np.abs(theta))
    E = np.diag(step)
    plus = sample_losses(X, Y, theta[:, None] + E)  # (N, p)
    minus = sample_losses(X, Y, theta[:, None] - E)
    return (plus - minus) / (2 * step)


def _rel(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


def check(X, Y, theta, h: float) -> dict:
    """The three relative errors of the gradient formulas for one draw."""
    g = gradient(X, Y, theta)
    per_sample = sample_gradients(X, Y, theta)
    fd_samples = central_differences(X, Y, theta, h)
    row_err = np.linalg.norm(per_sample - fd_samples, axis=1) / np.maximum(
        np.linalg.norm(per_sample, axis=1), np.finfo(float).tiny
    )
    return {
        "loss": float(loss(X, Y, theta)),
        "grad_norm": float(np.linalg.norm(g)),
        "err_sum": _rel(per_sample.sum(axis=0), g),
        # ∇L by differences: the sum over i of the per-sample differences
        "err_fd": _rel(fd_samples.sum(axis=0), g),
        "err_sample": float(row_err.max()),
    }


def data_process(settings: dict, shape=None) -> dict:
    """How one seed's data are drawn at grid point ``shape`` (:func:`gdlab.seeding.process`)."""
    n_samples, n_features = shape
    return seeding.process(
        "SeedSequence",
        ("X", "standard_normal", {"size": [n_samples, n_features]}),
        ("Y", "standard_normal", {"size": n_samples}),
        ("theta", "standard_normal", {"size": n_features}),
    )


def draw(seed: int, root_seed: int, n_samples: int, n_features: int):
    d = seeding.draw(data_process({}, (n_samples, n_features)), NAME, seed, root_seed)
    return d["X"], d["Y"], d["theta"]


def run(settings: dict, shape: tuple[int, int], seeds: list[int]) -> dict:
    rows = [
        check(*draw(s, settings["root_seed"], *shape), settings["finite_difference_step"])
        for s in seeds
    ]
    n = len(seeds)
    cols = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    cols.update(
        seed=np.asarray(seeds, dtype=np.int64),
        step=np.zeros(n, dtype=np.int64),
        outcome=[OUTCOME] * n,
    )
    return cols
