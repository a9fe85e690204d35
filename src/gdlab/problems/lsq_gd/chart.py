"""The interactive chart of ``lsq_gd``: each run's measured rate against c (α in units
of 2/ρ(XᵀX) of its seed's X), beside its own predicted rate max_i |1 − ασᵢ²| (a tick:
each seed has its own spectrum), the top mode's rate |1 − 2c| (ασ_max² = 2c), below
which no seed's rate lies, and the threshold c = 1."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import charts
from gdlab.problems.lsq_gd import SPEC


def chart(problem: str, runs: pd.DataFrame):
    critical = SPEC.theory.critical
    right = 1.05 * max(float(runs["c"].max()), critical)
    c = np.union1d(np.linspace(0.0, right, 201), [0.5, *runs["c"].unique()])
    return charts.rates(
        runs,
        axis="c",
        axis_title="c = α / (2/ρ(XᵀX))",
        threshold=critical,
        threshold_label=f"c = {critical:g}: α = 2/ρ(XᵀX), the theory's threshold",
        curve=pd.DataFrame({"c": c, "rate": np.abs(1.0 - 2.0 * c)}),
        curve_label="|1 − 2c|: the top mode's rate, a lower bound of max_i |1 − ασᵢ²|",
        title="GD on least squares: each run's rate vs its theory max_i |1 − ασᵢ²|",
    )
