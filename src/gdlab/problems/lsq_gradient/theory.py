"""The theory of ``lsq_gradient``: the gradient formulas hold to their tolerances.

No step size, hence no threshold and no predicted outcome: a row (one shape N×p)
agrees when every seed's three errors are within the configured tolerances.
"""

from __future__ import annotations

import pandas as pd

from gdlab.problems.lsq_gradient import ERRORS

threshold = None
PREDICTION = "∇L = Xᵀ(Xθ−Y) = Σ∇ℓ_i, ∇ℓ_i = (X_iᵀθ−Y_i)X_i"


def predict(value) -> None:
    return None  # no iteration: no outcome to predict


def table_row(value, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    tol = context["checks"]["lsq_gradient"]
    row: dict = {f"max_{col}": float(runs[col].max()) for col in ERRORS}
    row["prediction"] = PREDICTION
    row["agrees"] = all(bool((runs[col] <= tol[col]).all()) for col in ERRORS)
    return row
