"""The landscape figure: f(x), its critical points, and where the
runs of every α started and ended.

Top: f(x) over the start interval with the sharp minimum, the local maximum (the
basin boundary of gradient flow) and the wide minimum marked, each labelled with
x*, f''(x*) and the step size below which GD is stable there.  Bottom: one row per
step size α (log axis); each run is a dot at its start x₀, coloured by where it
ended.  The local maximum and the thresholds 2/f''(x*) run through both panels,
so the picture reads as the theory: left of the maximum is the sharp basin, and
that basin empties once α > 2/f''(x*_sharp).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.plots.common import log_scale
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.ends import (
    CATEGORIES,
    COLORS,
    end_states,
    position_scale,
    x_range,
)


def _landscape(ax, interval, k: float = 1.0) -> None:
    """f(x) and its critical points; positions divided by ``k`` (:func:`position_scale`)."""
    lo, hi = x_range(interval)
    x = np.linspace(lo / k, hi / k, 1200)  # scaled: hi − lo may exceed the largest float
    ax.plot(x, numerics.f(x * k), color=style.BLACK, lw=1.4, zorder=2)
    cp = numerics.critical_points()
    thresholds = numerics.thresholds()
    notes = {  # name: (what it is, what the theory says, where the label goes)
        "sharp": ("sharp minimum", "GD stable there iff α < {t:.4f}", (-2.2, 215)),
        "maximum": ("local maximum", "the basin boundary of gradient flow", (5.0, 150)),
        "wide": ("wide minimum", "GD stable there iff α < {t:.2f}", (10.6, 22)),
    }
    for name, (title, claim, (tx, ty)) in notes.items():
        xs, f2 = cp[name]
        color = COLORS.get(name, "0.3")
        marker = "v" if name == "maximum" else "o"
        ax.plot(xs / k, numerics.f(xs), marker=marker, ms=7, color=color, zorder=4, clip_on=False)
        text = (
            f"{title}\nx* = {xs:.{5 if name == 'sharp' else 4}f},  f''(x*) = {f2:.2f}\n"
            + claim.format(t=thresholds.get(name, 0.0))
        )
        ax.annotate(
            text.replace("-", "−"),
            (xs / k, float(numerics.f(xs))),
            xytext=(tx / k, ty),
            ha="left",
            va="center",
            fontsize=7.5,
            color=color,
            arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.7, "shrinkB": 4},
        )
    ax.set_ylabel("f(x)")
    ax.set_ylim(-8, 270)
    ax.set_title(
        "f(x) = s(x)·10x² + (1 − s(x))·(½(x − 10)² + 50),  s(x) = 1/(1 + exp(3(x − 3)))",
        fontsize=8.5,
    )


RASTER_ABOVE = 20_000


def _starts(ax, runs: pd.DataFrame, homework_alphas: list[float], interval, k: float = 1.0) -> None:
    thresholds = numerics.thresholds()
    alphas = np.sort(runs["alpha"].unique())
    # the grid's α and both thresholds, so the lines and labels below are on the axis;
    # set before the dots (matplotlib's own margins overflow for α near the float limit)
    lo = float(min(alphas.min(), min(thresholds.values())))  # Python floats: no overflow
    hi = float(max(alphas.max(), max(thresholds.values())))  # warning near the float limit
    log_scale(ax, "y", (max(lo / 1.5, 1e-300), min(hi * 1.5, 1e300)))
    for c in CATEGORIES:
        sel = runs[runs["category"] == c]
        n = len(sel)
        ax.scatter(
            sel["x0"] / k,
            sel["alpha"],
            s=12,
            color=COLORS[c],
            label=f"{c} ({n} runs)",
            linewidths=0,
            zorder=3,
            # a large study's dots as one image in the SVG (one element per run: 86 MB
            # for 10^6 runs)
            rasterized=len(runs) > RASTER_ABOVE,
        )
    labels = [  # (α, text, colour), drawn beside the panel's right edge
        (t, rf"$\alpha = 2/f''(x^*_{{\rm {name}}})$ = {t:.3g}", COLORS[name])
        for name, t in thresholds.items()
    ] + [(a, f"homework α = {a:g}", "0.25") for a in homework_alphas if a in set(alphas)]
    for name, t in thresholds.items():
        ax.axhline(t, color=COLORS[name], ls="--", lw=1, zorder=2)
    for a, text, color in labels:
        style.label_right(ax, a, text, color)
    ax.set_xlabel("start x₀" + position_scale(*x_range(interval))[1])
    ax.set_ylabel("step size α (log scale)")
    ax.set_title("every run: a dot at its start x₀ on its α row, coloured by where GD ended")


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    homework_alphas: list[float],
    start_interval: list[float],
) -> pd.DataFrame:
    """Draw the figure from the runs of ``sharp_wide``; returns one row per run."""
    import matplotlib.pyplot as plt

    style.use()
    runs = end_states(df)
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(style.WIDTH, 6.0),
        sharex=True,
        gridspec_kw={"height_ratios": [1, 1.25]},
        constrained_layout=True,
    )
    lo, hi = x_range(start_interval)
    k, _note = position_scale(lo, hi)
    _landscape(top, start_interval, k)
    _starts(bottom, runs, homework_alphas, start_interval, k)
    x_max = numerics.critical_points()["maximum"][0]
    for ax in (top, bottom):
        ax.axvline(x_max / k, color=style.GREY, ls=":", lw=1, zorder=1)
    bottom.set_xlim(lo / k, hi / k)
    fig.legend(
        *bottom.get_legend_handles_labels(),
        loc="outside lower center",
        ncol=4,
        markerscale=1.6,
        title="where GD ended",
        title_fontsize=8,
    )
    style.save(fig, paths, dpi=dpi)
    return runs
