"""The interactive chart of ``quadratic``: each run's measured rate against α, beside
the theory's |1 − α| (the curve, and each run's own prediction) and the threshold α = 2."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import charts
from gdlab.problems.quadratic.numerics import rate_theory
from gdlab.problems.quadratic.theory import THRESHOLD


def chart(problem: str, runs: pd.DataFrame):
    hi = 1.05 * max(float(runs["alpha"].max()), THRESHOLD.critical)
    # the curve through its kink at α = 1 and through every grid value
    alphas = np.union1d(np.linspace(0.0, hi, 201), [1.0, *runs["alpha"].unique()])
    curve = pd.DataFrame({"alpha": alphas, "rate": [rate_theory(a) for a in alphas]})
    return charts.rates(
        runs,
        axis="alpha",
        axis_title="step size α",
        threshold=THRESHOLD.critical,
        threshold_label=f"α = {THRESHOLD.critical:g}: the theory's threshold",
        curve=curve,
        curve_label="|1 − α|",
        title="GD on θ²/2: each run's rate vs the theory's |1 − α|",
    )
