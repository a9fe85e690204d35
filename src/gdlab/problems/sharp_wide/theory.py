"""The theory of ``sharp_wide``: GD can converge only to a minimum where α < 2/f''(x*).

No single outcome is predicted (a run may end in either stable minimum, or leave
both).  A row agrees when no run converged to a minimum that is unstable for its
α, every orbit a run settled on attracts (or is neutral: its multiplier, checked
for every problem by the table, :func:`gdlab.tables.orbit_counts`), and no run
settled on an orbit or moved aperiodically where the GD map T(x) = x − αf'(x) is
non-decreasing, α ≤ 1/max f'' (``alpha_monotone``): a bounded orbit of a
non-decreasing map of the line is monotone and converges to a fixed point.  Orbits
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

from gdlab.frames import median
from gdlab.problems.sharp_wide.numerics import alpha_monotone, reachable, sharp_basin_share
from gdlab.stats import wilson

threshold = None
CLASSES = ("sharp", "wide", "cycle", "aperiodic")


def predict(value: float) -> None:
    return None  # which stable minimum a run reaches depends on its start


def table_row(value: float, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    reach = reachable(value)
    # the columns as arrays, each once: a large study's table has 253 rows of 4000 runs
    outcome = runs["outcome"].to_numpy(dtype=object)
    minimum = runs["minimum"].to_numpy(dtype=object)
    moving = (outcome == "cycle") | (outcome == "aperiodic")
    ended, n = np.where(moving, outcome, minimum), len(runs)  # the minimum, or the motion
    row: dict = {}
    for c in CLASSES:
        k = int((ended == c).sum())
        row[f"share_{c}"] = k / n if n else float("nan")
        row[f"share_{c}_lo"], row[f"share_{c}_hi"] = wilson(k, n)
    row["share_sharp_gradient_flow"] = sharp_basin_share(context["settings"]["start_interval"])
    converged = outcome == "converged"
    for m in ("sharp", "wide"):
        at = converged & (minimum == m)
        row[f"rate_empirical_{m}"] = median(runs["rate_empirical"].to_numpy()[at])
        row[f"rate_theory_{m}"] = median(runs["rate_theory"].to_numpy()[at])
    row["prediction"] = "stable at: " + (", ".join(reach) if reach else "neither minimum")
    row["prediction"] += "; an orbit only where stable"
    row["alpha_monotone"] = alpha_monotone()
    # a non-decreasing map has no orbit and no aperiodic motion
    where_monotone = runs["alpha"].to_numpy() <= row["alpha_monotone"]
    row["moving_where_monotone"] = int((moving & where_monotone).sum())
    converged_at = set(minimum[converged].tolist())
    row["agrees"] = converged_at <= set(reach) and row["moving_where_monotone"] == 0
    return row
