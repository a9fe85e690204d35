"""The theory of ``sharp_wide``: GD can converge only to a minimum where α < 2/f''(x*).

No single outcome is predicted (a run may end in either stable minimum, or leave
both).  A row agrees when no run converged to a minimum that is unstable for its
α, and no run settled on a periodic orbit while both minima are stable (an orbit
appears near a minimum GD cannot converge to, α·f''(x*) > 2).  Each converged
run's rate is compared with |1 − α f''(x*)| of its own minimum; the table gives
the rates of the two minima apart.  Shares come with 95 % Wilson intervals; the
same starts serve every α (paired), so neighbouring rows are not independent.
"""

from __future__ import annotations

import pandas as pd

from gdlab.problems.sharp_wide.numerics import reachable, sharp_basin_share
from gdlab.stats import wilson
from gdlab.tables import median

threshold = None
CLASSES = ("sharp", "wide", "cycle")


def predict(value: float) -> None:
    return None  # which stable minimum a run reaches depends on its start


def _class(runs: pd.DataFrame) -> pd.Series:
    return runs["minimum"].where(runs["outcome"] != "cycle", "cycle")


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
    cycles_allowed = len(reach) < 2
    row["prediction"] = "stable at: " + (", ".join(reach) if reach else "neither minimum")
    if cycles_allowed:
        row["prediction"] += "; orbits possible"
    converged_at = set(runs.loc[runs["outcome"] == "converged", "minimum"])
    row["agrees"] = converged_at <= set(reach) and (cycles_allowed or not (ended == "cycle").any())
    return row
