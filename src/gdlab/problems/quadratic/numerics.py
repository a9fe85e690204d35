"""The numerics of ``quadratic``: GD on f(θ) = θ²/2, a block of seeds at one α.

θ_{k+1} = θ_k − α f'(θ_k) = (1 − α) θ_k, hence θ_k = θ_0 (1 − α)^k: GD converges
for 0 < α < 2, keeps |θ_k| = |θ_0| at α = 2 and diverges for α > 2, at the rate
|1 − α| per step.
"""

from __future__ import annotations

import numpy as np

from gdlab import descent, objectives, seeding

NAME = "quadratic"
ALPHA_CRITICAL = 2.0


def closed_form(theta0: float, alpha: float, k) -> np.ndarray:
    """θ_k = θ_0 (1 − α)^k."""
    return theta0 * (1.0 - alpha) ** np.asarray(k, dtype=float)


def rate_theory(alpha: float) -> float:
    return abs(1.0 - alpha)


Model = objectives.HalfSquare  # the block's model (gdlab.objectives)


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`)."""
    return seeding.process(
        "SeedSequence",
        *objectives.half_square_draws(),
        then="theta_0 = size * sign (0.5 <= |theta_0| < 10, never 0)",
    )


def initial_point(seed: int, root_seed: int) -> float:
    """θ_0 with 0.5 ≤ |θ_0| < 10 and a random sign (never 0)."""
    d = seeding.draw(data_process({}), NAME, seed, root_seed)
    return float(d["size"] * d["sign"])


def run(settings: dict, alpha: float, seeds: list[int], traced: int | None = None) -> dict:
    theta0 = np.array([[initial_point(s, settings["root_seed"])] for s in seeds])
    _trace, cols = descent.run_block(
        Model(), theta0, alpha, seeds, settings, scalar=True, traced=traced
    )
    n = len(cols["step"])
    cols["alpha_critical"] = np.full(n, ALPHA_CRITICAL)
    cols["rate_theory"] = np.full(n, rate_theory(alpha))
    return cols
