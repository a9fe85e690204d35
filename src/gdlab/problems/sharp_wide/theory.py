"""The theory of ``sharp_wide``: GD can converge only to a minimum where α < 2/f''(x*).

No single outcome is predicted (a run may end in either stable minimum, or leave
both); a row agrees when no run converged to a minimum that is unstable for its α.
"""

from __future__ import annotations

import pandas as pd

from gdlab.problems.sharp_wide.numerics import reachable, sharp_basin_share

threshold = None


def predict(value: float) -> None:
    return None  # which stable minimum a run reaches depends on its start


def table_row(value: float, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    reach = reachable(value)
    row: dict = {f"share_{m}": float((runs["minimum"] == m).mean()) for m in ("sharp", "wide")}
    row["share_sharp_gradient_flow"] = sharp_basin_share(context["settings"]["start_interval"])
    row["prediction"] = "stable at: " + (", ".join(reach) if reach else "neither minimum")
    converged_at = set(runs.loc[runs["outcome"] == "converged", "minimum"])
    row["agrees"] = converged_at <= set(reach)
    return row
