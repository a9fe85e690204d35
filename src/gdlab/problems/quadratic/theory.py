"""The theory of ``quadratic``: the threshold α = 2, and every iterate in closed form.

A row agrees when every run did what the threshold predicts and every recorded
iterate matches θ_0 (1 − α)^k within ``closed_form_rtol`` per unit of rounding
growth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab.problems.quadratic.numerics import ALPHA_CRITICAL, closed_form
from gdlab.theory import Threshold

THRESHOLD = Threshold(critical=ALPHA_CRITICAL, symbol="α")
threshold = THRESHOLD.threshold
predict = THRESHOLD.predict
symbol = THRESHOLD.symbol


def _closed_form_rel(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per comparable row: relative error of θ_k vs θ_0(1 − α)^k, and its rounding
    growth k·(1 + |α/(1 − α)|) (one GD step θ − αθ cancels digits when α ≈ 1)."""
    start = df[df["step"] == 0].set_index(["setting", "seed"])["x"]
    theta0 = start.reindex(pd.MultiIndex.from_frame(df[["setting", "seed"]])).to_numpy()
    alpha, step = df["alpha"].to_numpy(), df["step"].to_numpy()
    with np.errstate(all="ignore"):  # (1 − α)^k overflows where a run diverged
        exact = closed_form(theta0, alpha, step)
        rel = np.abs(df["x"].to_numpy() - exact) / np.abs(exact)
        growth = np.maximum(1.0, step * (1.0 + np.abs(alpha / (1.0 - alpha))))
    # subnormal iterates (|θ_k| < 2.2e-308) carry fewer digits: only normal floats compare
    keep = np.isfinite(rel) & (np.abs(exact) >= np.finfo(float).tiny) & np.isfinite(growth)
    return rel[keep], growth[keep]


def closed_form_error(df: pd.DataFrame) -> float:
    """Max relative error of the recorded θ_k vs θ_0(1 − α)^k over finite, normal
    (not subnormal) iterates."""
    rel, _growth = _closed_form_rel(df)
    return float(rel.max()) if rel.size else 0.0


def closed_form_agrees(df: pd.DataFrame, rtol: float) -> bool:
    """Every relative error within ``rtol`` per unit of rounding growth
    k·(1 + |α/(1 − α)|): α = 0.99999 loses five digits in each θ − αθ, exactly."""
    rel, growth = _closed_form_rel(df)
    return bool((rel <= rtol * growth).all())


def table_row(value: float, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    row = THRESHOLD.table_row(value, runs, rows, context)
    agrees = row.pop("agrees")
    row["closed_form_max_rel_err"] = closed_form_error(rows)
    row["agrees"] = agrees and closed_form_agrees(rows, context["checks"]["closed_form_rtol"])
    return row
