"""The interactive chart of ``lsq_gradient``: each run's three gradient-formula errors
(log scale) per shape N×p, beside the tolerance the check holds each of them to."""

from __future__ import annotations

import altair as alt
import pandas as pd

from gdlab import charts
from gdlab.problems.lsq_gradient import ERRORS, SPEC

# below every error a double can show: where an error of exactly 0 is drawn
FLOOR = 1e-18


def errors(runs: pd.DataFrame, tolerances: dict) -> pd.DataFrame:
    """One row per run and error: its value, where it is drawn, its tolerance."""
    rows = []
    for _, run in runs.iterrows():
        for name in ERRORS:
            value = float(run[name])
            rows.append(
                {
                    "shape": f"{int(run['N'])}×{int(run['p'])}",
                    "seed": int(run["seed"]),
                    "error": name,
                    "meaning": SPEC.columns[name][1],
                    "value": value,
                    "drawn": max(value, FLOOR),
                    "tolerance": float(tolerances[name]),
                }
            )
    return pd.DataFrame(rows)


def chart(problem: str, runs: pd.DataFrame, tolerances: dict):
    df = charts.records(errors(runs, tolerances))
    limits = charts.records(
        pd.DataFrame(
            {
                "error": list(ERRORS),
                "tolerance": [float(tolerances[e]) for e in ERRORS],
                "label": [f"checks.lsq_gradient.{e}" for e in ERRORS],
            }
        )
    )
    x = alt.X("error:N", title="error", sort=list(ERRORS), axis=alt.Axis(labelAngle=0))
    y = alt.Y(
        "drawn:Q",
        title="relative error (log scale; an exact 0 at the bottom)",
        scale=alt.Scale(type="log", domain=[FLOOR, 1.0]),
        axis=alt.Axis(format=".0e"),
    )
    points = (
        alt.Chart(df, name="errors")
        .mark_point(filled=True, size=60, opacity=0.85)
        .encode(
            x=x,
            xOffset=alt.XOffset("shape:N", title="shape N×p"),
            y=y,
            color=alt.Color("shape:N", title="shape N×p", scale=alt.Scale(range=charts.OKABE_ITO)),
            tooltip=[
                charts.tip("error", "error", "N"),
                charts.tip("meaning", "meaning", "N"),
                charts.tip("shape", "shape N×p", "N"),
                charts.tip("seed", "seed", "O"),
                charts.tip("value", "value", fmt=".3e"),
                charts.tip("tolerance", "tolerance", fmt=".1e"),
            ],
        )
    )
    tolerance = (
        alt.Chart(limits, name=f"{charts.THEORY}_tolerance")
        .mark_tick(color=charts.BLACK, thickness=3, size=90, orient="horizontal")
        .encode(
            x=x,
            y=alt.Y("tolerance:Q"),
            tooltip=[
                charts.tip("label", "tolerance", "N"),
                charts.tip("tolerance", "value", fmt=".1e"),
            ],
        )
    )
    return alt.layer(tolerance, points).properties(
        width=charts.WIDTH,
        height=charts.HEIGHT,
        title="∇L = Xᵀ(Xθ − Y) = Σᵢ∇ℓᵢ: each run's errors vs the check's tolerances",
    )
