"""The numerics of ``lsq_gd``: GD on least squares, a block of seeds at one c.

θ_{k+1} = θ_k − α Xᵀ(Xθ_k − Y).  With θ* the least-squares solution and
ζ_k = θ_k − θ*, ζ_k = (I − αXᵀX)^k ζ_0 (the homework's eq. 23 drops the power k).
With XᵀX = VΣ²Vᵀ and ρ(XᵀX) = σ_1², GD converges for α < 2/ρ(XᵀX), diverges for
generic θ_0 when α > 2/ρ(XᵀX), and contracts asymptotically at max_i |1 − ασ_i²|.

The grid value is c, the step size in units of 2/ρ(XᵀX) (ρ changes with the
seed): α = c · 2/ρ(XᵀX), recorded per run in the ``alpha`` column.
"""

from __future__ import annotations

import numpy as np

from gdlab import descent, objectives, seeding
from gdlab.theory import next_rate

NAME = "lsq_gd"


Model = objectives.LeastSquares  # the block's model (gdlab.objectives)


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`)."""
    return seeding.process(
        "SeedSequence",
        *objectives.least_squares_draws(settings["shape"]),
    )


def draw(seed: int, root_seed: int, n_samples: int, n_features: int):
    """X, Y, θ_0 of one seed (independent of α)."""
    d = seeding.draw(data_process({"shape": [n_samples, n_features]}), NAME, seed, root_seed)
    return d["X"], d["Y"], d["theta0"]


def spectrum(X: np.ndarray) -> np.ndarray:
    """Eigenvalues σ_i² of XᵀX, descending."""
    return np.linalg.eigvalsh(X.T @ X)[::-1]


def run(settings: dict, c: float, seeds: list[int], traced: int | None = None) -> dict:
    n_samples, n_features = settings["shape"]
    draws = [draw(s, settings["root_seed"], n_samples, n_features) for s in seeds]
    X = np.stack([d[0] for d in draws])
    Y = np.stack([d[1] for d in draws])
    theta0 = np.stack([d[2] for d in draws])
    theta_star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    sigma2 = np.stack([spectrum(x) for x in X])  # (runs, p)
    alpha_critical = 2.0 / sigma2[:, 0]
    with np.errstate(over="ignore"):  # a finite c may give α = inf: those runs diverge
        alpha = c * alpha_critical
        factors = np.abs(1.0 - alpha[:, None] * sigma2)
    rate = np.max(factors, axis=1)
    following = np.array([next_rate(f) for f in factors])
    trace, cols = descent.run_block(
        Model(X, Y, theta_star), theta0, alpha, seeds, settings, scalar=False, traced=traced
    )
    cols["alpha_critical"] = alpha_critical[trace.run]
    cols["rate_theory"] = rate[trace.run]
    cols["rate_theory_next"] = following[trace.run]
    return cols
