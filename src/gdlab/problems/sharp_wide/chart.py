"""The interactive chart of ``sharp_wide``: where GD ends, per α (log axis), from the
convergence table — the share of starts in the sharp and the wide minimum, on an
orbit, aperiodic, diverged and not converged, each with its 95 % Wilson interval —
beside the theory: 2/f''(x*) of each minimum (GD cannot converge to a minimum at a
larger α), 1/max f'' (at or below it no run can settle on an orbit) and gradient
flow's share of starts in the sharp minimum (α → 0)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from gdlab import charts, stats
from gdlab.problems.sharp_wide import numerics

# where a run ended, and its colour (as in the figures)
CLASSES = {
    "sharp": charts.VERMILLION,
    "wide": charts.BLUE,
    "cycle": charts.PURPLE,
    "aperiodic": charts.GREEN,
    "diverged": charts.BLACK,
    "not converged": charts.ORANGE,
}


def shares(table: pd.DataFrame) -> pd.DataFrame:
    """One row per grid point and class: its share of the runs, count and interval."""
    out = []
    for _, row in table.iterrows():
        runs = int(row["runs"])
        counts = {
            "sharp": round(row["share_sharp"] * runs),
            "wide": round(row["share_wide"] * runs),
            "cycle": int(row["cycle"]),
            "aperiodic": int(row["aperiodic"]),
            "diverged": int(row["diverged"]),
            "not converged": int(row["max_steps"]),
        }
        for name, k in counts.items():
            lo, hi = stats.wilson(k, runs)
            out.append(
                {
                    "alpha": float(row["alpha"]),
                    "class": name,
                    "share": k / runs,
                    "lo": lo,
                    "hi": hi,
                    "runs": runs,
                    "count": k,
                }
            )
    return pd.DataFrame(out)


def _measured(df: pd.DataFrame, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    """The shares per α and class, and their intervals; the legend picks a class."""
    color = alt.Color(
        "class:N",
        title="where GD ended",
        scale=alt.Scale(domain=list(CLASSES), range=list(CLASSES.values())),
    )
    tooltip = [
        charts.tip("alpha", "α", fmt=".6g"),
        charts.tip("class", "ended", "N"),
        charts.tip("share", "share"),
        charts.tip("count", "runs there", fmt="d"),
        charts.tip("runs", "runs", fmt="d"),
        charts.tip("lo", "95 % interval, lower"),
        charts.tip("hi", "95 % interval, upper"),
    ]
    pick = alt.selection_point(name="pick", fields=["class"], bind="legend")
    seen = alt.condition(pick, alt.value(1.0), alt.value(0.12))
    bands = (
        alt.Chart(df, name="interval")
        .mark_rule(strokeWidth=1)
        .encode(
            x=x,
            y="lo:Q",
            y2="hi:Q",
            color=color,
            opacity=alt.condition(pick, alt.value(0.45), alt.value(0.05)),
            tooltip=tooltip,
        )
    )
    lines = (
        alt.Chart(df, name="shares")
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50))
        .encode(x=x, y=y, color=color, opacity=seen, tooltip=tooltip)
        .add_params(pick)
    )
    return [bands, lines]


def _theory(x: alt.X, y: alt.Y, left: float, monotone: float, flow: float) -> list[alt.Chart]:
    """1/max f'', gradient flow's share and 2/f''(x*) of each minimum, in that order."""
    critical = numerics.critical_points()
    limits = numerics.thresholds()
    rules = pd.DataFrame(
        {
            "alpha": [limits["sharp"], limits["wide"]],
            "label": [f"2/f''(x*) of the {m} minimum" for m in ("sharp", "wide")],
            "note": [
                f"x* = {critical[m][0]:.6g}, f''(x*) = {critical[m][1]:.6g}: GD cannot converge "
                f"to the {m} minimum at a larger α"
                for m in ("sharp", "wide")
            ],
            "color": [CLASSES["sharp"], CLASSES["wide"]],
        }
    )
    lone = pd.DataFrame(
        {
            "alpha": [monotone],
            "label": ["1/max f''"],
            "note": ["at or below it the GD map is non-decreasing: no orbit, no aperiodic run"],
        }
    )
    flow_rule = pd.DataFrame(
        {
            "alpha": [left],
            "alpha_end": [limits["sharp"]],
            "share": [flow],
            "label": ["gradient flow (α → 0)"],
            "note": ["the share of starts left of the local maximum: where α → 0 ends sharp"],
        }
    )
    gradient_flow = (
        alt.Chart(charts.records(flow_rule), name=f"{charts.THEORY}_gradient_flow")
        .mark_rule(strokeDash=[2, 2], strokeWidth=2, color=CLASSES["sharp"])
        .encode(
            x=x,
            x2="alpha_end:Q",
            y=y,
            tooltip=[
                charts.tip("label", "line", "N"),
                charts.tip("share", "share in the sharp minimum"),
                charts.tip("note", "meaning", "N"),
            ],
        )
    )
    return [
        charts.vertical_rules(lone, "alpha", "α", f"{charts.THEORY}_monotone", color=charts.GREY),
        gradient_flow,
        charts.vertical_rules(rules, "alpha", "α", f"{charts.THEORY}_thresholds"),
    ]


def chart(problem: str, table: pd.DataFrame):
    df = charts.records(shares(table))
    monotone = float(table["alpha_monotone"].iloc[0])
    flow = float(table["share_sharp_gradient_flow"].iloc[0])
    left = min(float(df["alpha"].min()), monotone) / 1.5
    right = max(float(df["alpha"].max()), numerics.thresholds()["wide"]) * 1.5
    x = alt.X(
        "alpha:Q",
        title="step size α (log scale)",
        scale=alt.Scale(type="log", domain=[left, right], nice=False),
    )
    y = alt.Y("share:Q", title="share of starts", scale=alt.Scale(domain=[0.0, 1.0]))
    return alt.layer(  # the theory on top: its tooltip wins where marks overlap
        *_measured(df, x, y), *_theory(x, y, left, monotone, flow)
    ).properties(
        width=charts.WIDTH,
        height=charts.HEIGHT,
        title="Which minimum GD finds: the share of starts per α, beside 2/f''(x*)",
    )
