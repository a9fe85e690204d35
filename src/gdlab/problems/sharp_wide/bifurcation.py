"""The bifurcation diagram: where each run is at the end of its budget, against α.

Every run that stayed bounded is a dot at (α, its last iterate x_K), coloured by
where it ended (the basin map's classes): a converged run sits on its minimum, a run
on a period-p orbit on one of the orbit's p points (its phase set by its start, so
the starts of one α fill in all p), an aperiodic run somewhere on its attractor, and
a run out of steps wherever it was (the y axis is the landscape's x range; runs
beyond it, far excursions of an aperiodic motion, are counted in the title).  Left:
every α of the grid (log axis), both
stability thresholds 2/f''(x*) and 1/max f'' (below which the GD map is monotone: no
orbit, no aperiodic motion) as vertical lines.  Right: the α within 10 % of
2/f''(x*_sharp) (linear axis), where the sharp minimum loses stability: orbits
coexist with it just below, double their period above, and turn aperiodic.
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

ZOOM = 0.1  # the right panel: α within this fraction of 2/f''(x*_sharp)
SHOWN = tuple(c for c in CATEGORIES if c != "diverged")


def points(df: pd.DataFrame) -> pd.DataFrame:
    """One row per bounded run: ``alpha``, ``x`` (its last iterate) and ``category``."""
    runs = end_states(df)
    bounded = runs["category"].isin(SHOWN) & np.isfinite(runs["x"].astype(float))
    return runs.loc[bounded, ["alpha", "x", "category"]].reset_index(drop=True)


def _panel(ax, dots: pd.DataFrame, lines: dict[str, float], k: float) -> dict[str, int]:
    """The dots of ``dots`` by class (positions divided by ``k``), and ``lines``
    (label: α) as vertical lines; returns the runs drawn per class."""
    drawn = {}
    for c in SHOWN:
        at = dots[dots["category"] == c]
        drawn[c] = len(at)
        ax.scatter(
            at["alpha"], at["x"] / k, s=2.5, lw=0, color=COLORS[c], rasterized=True, zorder=2
        )
    for label, alpha in lines.items():
        ls = (0, (1.5, 1.5)) if label.startswith("1/") else (0, (6, 3))
        ax.axvline(alpha, color=style.BLACK, lw=0.8, ls=ls, zorder=1)
    return drawn


def figure(
    problem: str, df: pd.DataFrame, paths: list[str], dpi: int, start_interval: list[float]
) -> pd.DataFrame:
    """Draw the diagram from the runs of ``sharp_wide`` (per row, or one row per run);
    returns its dots (:func:`points`)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    style.use()
    dots = points(df)
    y_lo, y_hi = x_range(start_interval)
    k, note = position_scale(y_lo, y_hi)
    beyond = int(((dots["x"] < y_lo) | (dots["x"] > y_hi)).sum())
    t = numerics.thresholds()
    lines = {
        f"2/f''(x*_sharp) = {t['sharp']:.4f}": t["sharp"],
        f"2/f''(x*_wide) = {t['wide']:.3f}": t["wide"],
        f"1/max f'' = {numerics.alpha_monotone():.4f}": numerics.alpha_monotone(),
    }
    zoom = dots[(dots["alpha"] - t["sharp"]).abs() <= ZOOM * t["sharp"]]
    fig, axes = plt.subplots(
        1, 2, figsize=(style.WIDTH, 3.8), constrained_layout=True, width_ratios=(3, 2)
    )
    drawn = _panel(axes[0], dots, lines, k)
    log_scale(axes[0], "x")
    axes[0].set_xlabel("step size α (log scale; every α of the grid)")
    axes[0].set_title(f"{len(dots):,} bounded runs ({beyond:,} beyond the axis)", fontsize=8.5)
    _panel(axes[1], zoom, {n: v for n, v in lines.items() if n.startswith("2/f''(x*_s")}, k)
    axes[1].xaxis.set_major_locator(MaxNLocator(4))
    for ax in axes:
        ax.set_ylim(y_lo / k, y_hi / k)
        ax.set_ylabel("last iterate $x_K$" + note)
    axes[1].set_xlabel(f"α within {ZOOM:.0%} of 2/f''(x*_sharp) (linear)")
    axes[1].set_title(
        f"near the sharp minimum's threshold: {zoom['alpha'].nunique()} α", fontsize=8.5
    )
    handles = [Line2D([], [], ls="", marker="o", ms=4, color=COLORS[c]) for c in SHOWN]
    handles += [
        Line2D([], [], color=style.BLACK, lw=0.8, ls=(0, (6, 3))),
        Line2D([], [], color=style.BLACK, lw=0.8, ls=(0, (1.5, 1.5))),
    ]
    labels = [f"{c} ({drawn[c]:,} runs)" for c in SHOWN]
    labels += ["2/f''(x*): sharp, wide", f"1/max f'' = {numerics.alpha_monotone():.4f}"]
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=7.5)
    fig.suptitle("Where GD is after its budget, against the step size", fontsize=9.5)
    style.save(fig, paths, dpi=dpi)
    return dots
