"""The threshold experiment of ``momentum_quadratic`` (docs/thresholds.md): its one
minimum x* = 0 under each (method, β) of the grid.

The bracket is in h = α·λ_max (λ_max = f'' = 1): heavy ball's theory is h* = 2(1 + β)
(2, 3, 3.8, 3.98 at β = 0, 0.5, 0.9, 0.99), Nesterov's (2 + 2β)/(1 + 2β) (2, 1.5,
1.357143, 1.335570).
"""

from __future__ import annotations

import numpy as np

from gdlab.methods import by_name
from gdlab.problems.momentum_quadratic.numerics import Model


def cases(methods: list[str], betas: list[float]) -> list[dict]:
    """One group of :class:`gdlab.threshold.Cases` fields per (method, β)."""
    out = []
    for name in methods:
        for beta in betas:
            m = by_name(name, beta)
            out.append(
                {
                    "names": ["minimum=0"],
                    "model": Model(),
                    "x_star": np.zeros((1, 1)),
                    "theory": np.array([m.critical_alpha_lambda()]),  # λ_max = 1
                    "method": m,
                }
            )
    return out
