"""The check of ``lsq_gradient``: the gradient formulas hold on every seed and shape."""

from __future__ import annotations

import pandas as pd

from gdlab.checks import report
from gdlab.frames import last_rows
from gdlab.problems.lsq_gradient import ERRORS


def gradient_formulas(problem: str, df: pd.DataFrame, tolerances: dict) -> dict:
    runs = last_rows(df)
    failures, per_shape = [], {}
    for setting, r in runs.groupby("setting", sort=True):
        worst = {col: float(r[col].max()) for col in ERRORS}
        per_shape[setting] = worst
        for col, err in worst.items():
            if not err <= tolerances[col]:
                seed = int(r.loc[r[col].idxmax(), "seed"])
                failures.append(f"{setting} seed {seed}: {col} = {err:.3g} > {tolerances[col]:g}")
    values = {"tolerances": tolerances, "max_errors": per_shape, "runs": len(runs)}
    return report(problem, values, failures)
