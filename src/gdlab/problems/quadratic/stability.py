"""The threshold experiment of ``quadratic`` (docs/thresholds.md): its one minimum.

At x* = 0, f'' = 1, so GD's map e ↦ (1 − α)e is unstable iff |1 − α| > 1: the theory's
threshold is α = 2 (the bracket is in α).
"""

from __future__ import annotations

import numpy as np

from gdlab.problems.quadratic.numerics import ALPHA_CRITICAL, Model


def cases() -> dict:
    """The fields of :class:`gdlab.threshold.Cases`: x* = 0, theory 2."""
    return {
        "names": ["minimum=0"],
        "model": Model(),
        "x_star": np.zeros((1, 1)),
        "theory": np.array([ALPHA_CRITICAL]),
    }
