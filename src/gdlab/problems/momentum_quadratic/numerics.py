"""The numerics of ``momentum_quadratic``: heavy ball or Nesterov on f(θ) = θ²/2, a
block of seeds at one (method, β, h).

f'' = 1, so α = h, and along the one eigenvector the error obeys the method's 2 × 2
companion matrix (:meth:`gdlab.methods.Method.companion` at αλ = h): the run
converges iff its spectral radius is below 1, at that rate per step.
"""

from __future__ import annotations

import numpy as np

from gdlab import descent, objectives, seeding
from gdlab.methods import by_name, rates

NAME = "momentum_quadratic"


Model = objectives.HalfSquare  # the block's model (gdlab.objectives)


def data_process(settings: dict, value=None) -> dict:
    """How one seed's θ_0 is drawn (:func:`gdlab.seeding.process`)."""
    return seeding.process(
        "SeedSequence",
        *objectives.half_square_draws(),
        then="theta_0 = size * sign (0.5 <= |theta_0| < 10, never 0); theta_{-1} = theta_0",
    )


def run(settings: dict, value, seeds: list[int], traced: int | None = None) -> dict:
    name, beta, h = value
    m = by_name(name, beta)
    d = seeding.draw_block(data_process(settings), NAME, seeds, settings["root_seed"])
    theta0 = (d["size"] * d["sign"])[:, None]
    _trace, cols = descent.run_block(
        Model(), theta0, h, seeds, settings, scalar=True, method=m, traced=traced
    )
    n = len(cols["step"])
    (rate,), (following,) = rates(m, [[h]])
    cols["alpha_critical"] = np.full(n, m.critical_alpha_lambda())  # λ = 1
    cols["rate_theory"] = np.full(n, rate)
    cols["rate_theory_next"] = np.full(n, following)
    return cols
