"""The theory of ``sharp_wide``: GD can converge only to a minimum where α < 2/f''(x*).

No single outcome is predicted (a run may end in either stable minimum, or leave
both).  A row agrees when no run converged to a minimum that is unstable for its
α, and every run that settled on a periodic orbit settled on a stable one: its
last iterate returns to itself after ``period`` GD steps and the orbit's
multiplier ∏(1 − α f''(x_i)) over its points has modulus below 1 (linear
stability of the GD map T(x) = x − αf'(x), checked run by run).  Such an orbit
can coexist with a stable minimum: at α = 0.09817, just below 2/f''(sharp) =
0.0995, T has a stable 2-orbit {−2.400, 2.312} (multiplier −0.61) beside the
stable sharp minimum, and 12.6 % of 4000 starts end on it.  Each converged
run's rate is compared with |1 − α f''(x*)| of its own minimum; the table gives
the rates of the two minima apart.  Shares come with 95 % Wilson intervals; the
same starts serve every α (paired), so neighbouring rows are not independent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab.problems.sharp_wide.numerics import fprime, fsecond, reachable, sharp_basin_share
from gdlab.stats import wilson
from gdlab.tables import median

threshold = None
CLASSES = ("sharp", "wide", "cycle")


def predict(value: float) -> None:
    return None  # which stable minimum a run reaches depends on its start


def _class(runs: pd.DataFrame) -> pd.Series:
    return runs["minimum"].where(runs["outcome"] != "cycle", "cycle")


# an orbit closes when its last iterate returns within this (relative) distance
ORBIT_RTOL = 1e-6


def stable_orbit(x: float, alpha: float, period: int) -> bool:
    """Is x on a stable periodic orbit of T(x) = x − αf'(x) of ``period``: T^p(x) = x
    (relative ``ORBIT_RTOL``) and |∏ T'(x_i)| = |∏(1 − α f''(x_i))| < 1?"""
    if not (np.isfinite(x) and period >= 1):
        return False
    points = [float(x)]
    for _ in range(int(period)):
        points.append(points[-1] - alpha * float(fprime(points[-1])))
    closes = abs(points[-1] - points[0]) <= ORBIT_RTOL * max(1.0, abs(points[0]))
    multiplier = float(np.prod([1.0 - alpha * float(fsecond(p)) for p in points[:-1]]))
    return bool(closes and abs(multiplier) < 1.0)


def table_row(value: float, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    reach = reachable(value)
    ended, n = _class(runs), len(runs)
    row: dict = {}
    for c in CLASSES:
        k = int((ended == c).sum())
        row[f"share_{c}"] = k / n if n else float("nan")
        row[f"share_{c}_lo"], row[f"share_{c}_hi"] = wilson(k, n)
    row["share_sharp_gradient_flow"] = sharp_basin_share(context["settings"]["start_interval"])
    for m in ("sharp", "wide"):
        at = runs[(runs["outcome"] == "converged") & (runs["minimum"] == m)]
        row[f"rate_empirical_{m}"] = median(at["rate_empirical"])
        row[f"rate_theory_{m}"] = median(at["rate_theory"])
    row["prediction"] = "stable at: " + (", ".join(reach) if reach else "neither minimum")
    row["prediction"] += "; an orbit only where stable"
    cycles = runs[runs["outcome"] == "cycle"]
    row["unstable_orbits"] = int(
        sum(
            not stable_orbit(x, a, p)
            for x, a, p in zip(cycles["x"], cycles["alpha"], cycles["period"], strict=True)
        )
    )
    converged_at = set(runs.loc[runs["outcome"] == "converged", "minimum"])
    row["agrees"] = converged_at <= set(reach) and row["unstable_orbits"] == 0
    return row
