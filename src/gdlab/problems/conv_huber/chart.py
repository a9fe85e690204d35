"""The interactive chart of ``conv_huber``: F(x_k) against step k for every run (one
line per seed, coloured by α), beside the homework's reference value F(x_100) at
α = 0.01 (a dashed rule and a star where the reference run passes its step) and the
value this run computed there, with its relative error."""

from __future__ import annotations

import altair as alt
import pandas as pd

from gdlab import charts
from gdlab.problems.conv_huber.reference import relative_error


def _runs(df: pd.DataFrame, x: alt.X, y: alt.Y) -> alt.Chart:
    """F(x_k) of every run, a line per seed coloured by α; the legend picks an α."""
    rows = df[["alpha", "seed", "step", "loss", "outcome", "steps", "alpha_lipschitz"]].copy()
    rows["below"] = (rows["alpha"] < rows["alpha_lipschitz"]).map({True: "yes", False: "no"})
    rows = charts.records(rows.sort_values(["alpha", "seed", "step"]).reset_index(drop=True))
    pick = alt.selection_point(name="pick", fields=["alpha"], bind="legend")
    return (
        alt.Chart(rows, name="runs")
        .transform_filter("datum.loss > 0")
        .mark_line(strokeWidth=1.2, point=alt.OverlayMarkDef(filled=True, size=14))
        .encode(
            x=x,
            y=y,
            detail="seed:O",
            color=alt.Color("alpha:O", title="α", scale=alt.Scale(range=charts.OKABE_ITO)),
            opacity=alt.condition(pick, alt.value(0.85), alt.value(0.08)),
            tooltip=[
                charts.tip("alpha", "α", fmt=".6g"),
                charts.tip("seed", "seed", "O"),
                charts.tip("step", "step k", fmt="d"),
                charts.tip("loss", "F(x_k)", fmt=".10g"),
                charts.tip("outcome", "outcome", "N"),
                charts.tip("steps", "steps", fmt="d"),
                charts.tip("alpha_lipschitz", "2/(‖A‖²+λ) of its seed"),
                charts.tip("below", "α below it", "N"),
            ],
        )
        .add_params(pick)
    )


def _reference_point(x: alt.X, y: alt.Y, step: int, value: float, computed: float) -> alt.Chart:
    """The homework's value and this run's at the reference step, with its error."""
    point = pd.DataFrame(
        {
            "step": [step, step],
            "loss": [value, computed],
            "label": ["the homework's value", "this run's value"],
            "error": [0.0, relative_error(computed, value)],
        }
    )
    return (
        alt.Chart(charts.records(point), name=f"{charts.THEORY}_reference_point")
        .mark_point(shape="diamond", size=160, filled=False, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "label:N",
                title="at the reference step",
                scale=alt.Scale(range=[charts.BLACK, charts.VERMILLION]),
            ),
            tooltip=[
                charts.tip("label", "value", "N"),
                charts.tip("step", "step k", fmt="d"),
                charts.tip("loss", "F(x_k)", fmt=".16g"),
                charts.tip("error", "relative error vs the homework", fmt=".2e"),
            ],
        )
    )


def chart(
    problem: str,
    df: pd.DataFrame,
    reference_seed: int,
    reference_alpha: float,
    reference_value: float,
    reference_step: int,
):
    at = df[
        (df["alpha"] == reference_alpha)
        & (df["seed"] == reference_seed)
        & (df["step"] == reference_step)
    ]
    computed = float(at["loss"].iloc[0]) if len(at) else float("nan")
    x = alt.X(
        "step:Q", title="step k (symmetric log scale)", scale=alt.Scale(type="symlog", nice=False)
    )
    y = alt.Y("loss:Q", title="F(x_k) (log scale)", scale=alt.Scale(type="log"))
    label = (
        f"the homework's F(x_{reference_step}) at α = {reference_alpha:g}, seed {reference_seed}"
    )
    reference = pd.DataFrame(
        {
            "loss": [reference_value],
            "label": [label],
            "note": ["the value this problem is checked against (checks.conv_huber.value)"],
        }
    )
    return (
        alt.layer(
            charts.horizontal_rules(reference, "loss", "F", f"{charts.THEORY}_reference"),
            _runs(df, x, y),
            _reference_point(x, y, reference_step, reference_value, computed),
        )
        .resolve_scale(color="independent")
        .properties(
            width=charts.WIDTH,
            height=charts.HEIGHT,
            title="conv_huber: F(x_k) of every run, and the homework's reference value",
        )
    )
