"""The threshold experiment of ``momentum_quadratic`` (docs/thresholds.md): its one
minimum x* = 0 under each method at β ∈ {0, 0.5, 0.9, 0.99}.

The bracket is in h = α·λ_max (λ_max = f'' = 1): heavy ball's theory is h* = 2(1 + β)
(2, 3, 3.8, 3.98), Nesterov's (2 + 2β)/(1 + 2β) (2, 1.5, 1.357143, 1.335570).
"""

from __future__ import annotations

import numpy as np

from gdlab.problems.momentum_quadratic.numerics import METHODS, Model, method

BETAS = (0.0, 0.5, 0.9, 0.99)


def cases() -> list[dict]:
    """One group of :class:`gdlab.threshold.Cases` fields per (method, β)."""
    out = []
    for name in METHODS:
        for beta in BETAS:
            m = method(name, beta)
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
