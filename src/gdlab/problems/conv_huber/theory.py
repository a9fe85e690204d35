"""The theory of ``conv_huber``: GD converges for α < 2/(‖A‖₂² + λ), a bound per seed.

The bound depends on the seed's filter, so no single outcome is predicted per
grid point: a row agrees when every run below its seed's bound converged (above
it the theory makes no claim).  Each converged run's rate is compared with the
local theory at its limit, max |1 − αμ| over the eigenvalues μ of AᵀDA + λI on
range(Aᵀ) (``rate_theory``; ``alpha_critical`` = 2/μ_max there); a run that reached
no limit has neither (NULL), so ``alpha_critical_min`` is over the converged runs.
"""

from __future__ import annotations

import pandas as pd

threshold = None


def predict(value: float) -> None:
    return None  # the bound 2/(‖A‖₂² + λ) is per seed


def table_row(value: float, runs: pd.DataFrame, rows: pd.DataFrame, context: dict) -> dict:
    below = runs["alpha"] < runs["alpha_lipschitz"]
    return {
        "alpha_lipschitz_min": float(runs["alpha_lipschitz"].min()),
        "alpha_critical_min": float(runs["alpha_critical"].min()),  # over converged runs
        "runs_below_critical": int(below.sum()),
        "prediction": (
            "converged (α < 2/(‖A‖²+λ) for every seed)"
            if below.all()
            else "converged where α < 2/(‖A‖²+λ); no claim above"
        ),
        "agrees": bool((runs.loc[below, "outcome"] == "converged").all()),
    }
