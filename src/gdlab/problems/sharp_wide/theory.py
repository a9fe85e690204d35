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

import pandas as pd

from gdlab.frames import median
from gdlab.problems.sharp_wide.numerics import alpha_monotone, reachable, sharp_basin_share
from gdlab.stats import wilson

threshold = None
CLASSES = ("sharp", "wide", "cycle", "aperiodic")


def predict(value: float) -> None:
    return None  # which stable minimum a run reaches depends on its start


def _class(runs: pd.DataFrame) -> pd.Series:
    return runs["minimum"].mask(runs["outcome"].isin(["cycle", "aperiodic"]), runs["outcome"])


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
    row["alpha_monotone"] = alpha_monotone()
    # a non-decreasing map has no orbit and no aperiodic motion
    moving = runs["outcome"].isin(["cycle", "aperiodic"])
    row["moving_where_monotone"] = int((moving & (runs["alpha"] <= row["alpha_monotone"])).sum())
    # the distinct values first: iterating every run's Arrow string costs ~1 µs each
    converged_at = set(runs.loc[runs["outcome"] == "converged", "minimum"].unique())
    row["agrees"] = converged_at <= set(reach) and row["moving_where_monotone"] == 0
    return row
