"""The numerical checks that fail the run when a number is out of tolerance.

* ``conv_huber``: the reference run's F(x_100) vs 0.4587586843129764, and the
  matrix-free A, Aᵀ vs a dense matrix and the adjoint identity, for every seed;
* ``lsq_gradient``: the gradient-formula errors, for every seed and shape;
* ``convergence``: every convergence table agrees with the theory.

Each check returns a JSON-able report with ``passed`` and a list of
``failures`` (sentences naming the number, its value and its tolerance).
"""

from __future__ import annotations

import math

import pandas as pd

from gdlab import grid
from gdlab.tables import last_rows


def _report(name: str, values: dict, failures: list[str]) -> dict:
    return {"check": name, "passed": not failures, "failures": failures, **values}


def conv_huber(df: pd.DataFrame, tol: dict, reference_step: int) -> dict:
    setting = grid.setting("conv_huber", tol["alpha"])
    ref = df[
        (df["setting"] == setting) & (df["seed"] == tol["seed"]) & (df["step"] == reference_step)
    ]
    failures = []
    if ref.empty:
        computed = math.nan
        run = df[(df["setting"] == setting) & (df["seed"] == tol["seed"])]
        why = (
            "keep seed 0 and α = 0.01 in the conv_huber grid"
            if run.empty
            else f"the run stopped at step {int(run['steps'].iloc[0])} "
            f"({run['outcome'].iloc[0]}) before it: lower the tolerance or raise max_steps"
        )
        failures.append(
            f"the reference run (seed {tol['seed']}, {setting}, step {reference_step}) is not in the "
            f"results: {why}"
        )
    else:
        computed = float(ref["loss"].iloc[0])
    rel = abs(computed - tol["value"]) / abs(tol["value"])
    if not rel <= tol["rtol"]:
        failures.append(
            f"F(x_{reference_step}) = {computed!r} differs from the reference {tol['value']!r} by "
            f"relative {rel:.3g} > {tol['rtol']:g}"
        )
    runs = last_rows(df)
    err_dense, err_adjoint = float(runs["err_dense"].max()), float(runs["err_adjoint"].max())
    for name, err in (("dense-matrix", err_dense), ("adjoint", err_adjoint)):
        if not err <= tol["operator_rtol"]:
            failures.append(
                f"{name} error {err:.3g} > {tol['operator_rtol']:g} (max over {len(runs)} runs)"
            )
    values = {
        "reference_value": tol["value"],
        "computed_value": computed,
        "relative_error": rel,
        "rtol": tol["rtol"],
        "reference_run": {"seed": tol["seed"], "setting": setting, "step": reference_step},
        "max_dense_error": err_dense,
        "max_adjoint_error": err_adjoint,
        "operator_rtol": tol["operator_rtol"],
        "runs": len(runs),
    }
    return _report("conv_huber", values, failures)


def lsq_gradient(df: pd.DataFrame, tol: dict) -> dict:
    runs = last_rows(df)
    failures, per_shape = [], {}
    for setting, r in runs.groupby("setting", sort=True):
        worst = {col: float(r[col].max()) for col in ("err_sum", "err_fd", "err_sample")}
        per_shape[setting] = worst
        for col, err in worst.items():
            if not err <= tol[col]:
                seed = int(r.loc[r[col].idxmax(), "seed"])
                failures.append(f"{setting} seed {seed}: {col} = {err:.3g} > {tol[col]:g}")
    values = {"tolerances": tol, "max_errors": per_shape, "runs": len(runs)}
    return _report("lsq_gradient", values, failures)


def convergence(tables: dict[str, pd.DataFrame]) -> dict:
    failures = [
        f"{problem} {row.setting}: runs disagree with the prediction '{row.prediction}'"
        for problem, t in tables.items()
        for row in t.itertuples()
        if not row.agrees
    ]
    values = {"tables": {p: len(t) for p, t in tables.items()}}
    return _report("convergence", values, failures)
