"""The OLS-GD work in plain NumPy, shared by the objective, dataset and solver.

No benchopt import here: gdlab's unit tests check these functions against
gdlab's ``lsq_gd`` numerics (tests/unit/test_benchmark.py) without benchopt.
"""

import zlib

import numpy as np

# gdlab's stream names: seed s of lsq_gd draws from
# default_rng(SeedSequence([root_seed, crc32("lsq_gd"), s])), X, then Y, then θ_0.
PROBLEM = "lsq_gd"
ROOT_SEED = 20240309


def draw(seed: int, n_samples: int, n_features: int, root_seed: int = ROOT_SEED):
    """X, Y, θ_0 of one seed, the very numbers gdlab's lsq_gd draws for it."""
    entropy = [int(root_seed), zlib.crc32(PROBLEM.encode()), int(seed)]
    rng = np.random.default_rng(np.random.SeedSequence(entropy))
    X = rng.standard_normal(size=[n_samples, n_features])
    Y = rng.standard_normal(size=n_samples)
    theta0 = rng.standard_normal(size=n_features)
    return X, Y, theta0


def loss(X, Y, theta) -> float:
    """f(θ) = ½‖Xθ − Y‖²."""
    r = X @ theta - Y
    return 0.5 * float(r @ r)


def gradient(X, Y, theta):
    """∇f(θ) = Xᵀ(Xθ − Y)."""
    return X.T @ (X @ theta - Y)


def step_size(X, c: float) -> float:
    """α = c · 2/ρ(XᵀX)."""
    return c * 2.0 / np.linalg.eigvalsh(X.T @ X)[-1]


def gd(X, Y, theta0, alpha, *, tolerance, max_steps, divergence_factor):
    """θ ← θ − α∇f(θ) under gdlab's stopping rule, checked at every iterate θ_k
    before its step: ``diverged`` when θ_k or the distance to θ* is not finite or
    the distance exceeds divergence_factor · max(‖θ_0 − θ*‖, 1); ``converged`` when
    ‖∇f(θ_k)‖ ≤ tolerance; ``max_steps`` at k = max_steps.

    Returns (θ_k, k, outcome)."""
    H, b = X.T @ X, X.T @ Y
    theta_star = np.linalg.lstsq(X, Y, rcond=None)[0]
    theta = np.array(theta0, dtype=float)
    bound = None
    with np.errstate(all="ignore"):
        for k in range(max_steps + 1):
            g = H @ theta - b
            dist = float(np.linalg.norm(theta - theta_star))
            if bound is None:
                bound = divergence_factor * max(dist, 1.0)
            if not (np.isfinite(dist) and np.isfinite(theta).all()) or dist > bound:
                return theta, k, "diverged"
            if np.linalg.norm(g) <= tolerance:
                return theta, k, "converged"
            if k == max_steps:
                return theta, k, "max_steps"
            theta = theta - alpha * g
    raise AssertionError("unreachable")
