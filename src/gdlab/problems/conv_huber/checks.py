"""The check of ``conv_huber``: the homework's reference value F(x_100) and, for every
seed, the matrix-free A and Aᵀ against a dense matrix and the adjoint identity."""

from __future__ import annotations

import math

import pandas as pd

from gdlab.checks import report
from gdlab.frames import last_rows
from gdlab.problems.conv_huber import GRID
from gdlab.problems.conv_huber.reference import relative_error


def reference_and_operator(
    problem: str, df: pd.DataFrame, tolerances: dict, reference_step: int
) -> dict:
    tol = tolerances
    setting = GRID.point(tol["alpha"])
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
    rel = relative_error(computed, tol["value"])
    if not rel <= tol["rtol"]:
        failures.append(
            f"F(x_{reference_step}) = {computed!r} differs from the reference {tol['value']!r} by "
            f"{'relative' if tol['value'] else 'absolute (the reference is 0)'} {rel:.3g} > "
            f"{tol['rtol']:g}"
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
    return report(problem, values, failures)
