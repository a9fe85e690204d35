"""The threshold experiment of ``sharp_wide`` (docs/thresholds.md): each minimum.

At a minimum x*, GD's map is e ↦ (1 − α f''(x*))e to first order, unstable iff
α > 2/f''(x*): ≈ 0.0995 at the sharp minimum, ≈ 2.0 at the wide one (the bracket
is in α).  x* and f''(x*) are :func:`numerics.critical_points` (bisection on f',
a central difference of f').
"""

from __future__ import annotations

import numpy as np

from gdlab.problems.sharp_wide.numerics import Model, critical_points

MINIMA = ("sharp", "wide")


def cases() -> dict:
    """The fields of :class:`gdlab.threshold.Cases`: both minima, theory 2/f''(x*)."""
    cp = critical_points()
    return {
        "names": [f"minimum={m}" for m in MINIMA],
        "model": Model(),
        "x_star": np.array([[cp[m][0]] for m in MINIMA]),
        "theory": np.array([2.0 / cp[m][1] for m in MINIMA]),
    }
