"""Figures.  Pandas and matplotlib live here, never in solver jobs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.problems import sharp_wide
from gdlab.tables import last_rows

CATEGORIES = ("sharp", "wide", "diverged", "not converged")


def basin_shares(df: pd.DataFrame) -> pd.DataFrame:
    """sharp_wide: per α, the share of starts ending in each category."""
    runs = last_rows(df)
    cat = np.where(
        runs["outcome"] == "converged",
        runs["minimum"],
        np.where(runs["outcome"] == "diverged", "diverged", "not converged"),
    )
    runs = runs.assign(category=cat, alpha=runs["alpha"].astype(float))
    shares = pd.crosstab(runs["alpha"], runs["category"], normalize="index")
    for c in CATEGORIES:
        if c not in shares:
            shares[c] = 0.0
    counts = runs.groupby("alpha").size().rename("runs")
    return shares[list(CATEGORIES)].join(counts).sort_index()


def log_axis(ax, values, margin: float = 0.05) -> None:
    """A log x axis around ``values`` (with a margin) that also works for α near
    1e±300, where matplotlib's own margin and tick locator overflow (a RuntimeWarning,
    then an OverflowError): limits are set before the log scale and kept inside the
    floats, and a span of more than 30 decades gets about six fixed decade ticks."""
    from matplotlib.ticker import FixedLocator, NullLocator

    logs = np.log10([v for v in values if v > 0])
    pad = margin * max(logs.max() - logs.min(), 1.0)
    lo, hi = max(logs.min() - pad, -300.0), min(logs.max() + pad, 300.0)
    ax.set_xlim(10.0**lo, 10.0**hi)
    ax.set_xscale("log")
    if hi - lo > 30:
        step = math.ceil((hi - lo) / 6)
        ax.xaxis.set_major_locator(
            FixedLocator(10.0 ** np.arange(math.ceil(lo), math.floor(hi) + 1, step))
        )
        ax.xaxis.set_minor_locator(NullLocator())


def basin_ratio(
    df: pd.DataFrame, homework_alphas: list[float], paths: list[str], dpi: int = 150
) -> pd.DataFrame:
    """The basin-ratio figure: stacked bars for the homework's α, shares vs α (log axis)
    for the whole sweep, with the stability thresholds 2/f''(x*) marked."""
    import matplotlib.pyplot as plt

    style.use()
    shares = basin_shares(df)
    fig, (bars, sweep) = plt.subplots(
        1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1, 2.2]}, constrained_layout=True
    )
    hw = [a for a in homework_alphas if a in shares.index]
    bottom = np.zeros(len(hw))
    labels = [f"α = {a:g}" for a in hw]
    for c in CATEGORIES:
        vals = shares.loc[hw, c].to_numpy()
        bars.bar(labels, vals, bottom=bottom, color=style.OUTCOME_COLORS[c], label=c, width=0.6)
        for i, v in enumerate(vals):
            if v >= 0.06:
                bars.text(
                    i,
                    bottom[i] + v / 2,
                    f"{v:.0%}",
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=9,
                )
        bottom += vals
    n = int(shares["runs"].max()) if len(shares) else 0
    bars.set_ylabel(f"share of {n} starts x₀ ~ U[−5, 20)")
    bars.set_ylim(0, 1)
    bars.set_title("The homework's three step sizes")
    for c in CATEGORIES:
        sweep.plot(
            shares.index, shares[c], marker="o", ms=3.5, color=style.OUTCOME_COLORS[c], label=c
        )
    log_axis(sweep, list(shares.index) + list(sharp_wide.thresholds().values()))
    sweep.set_xlabel("step size α (log scale)")
    sweep.set_ylabel("share of starts")
    sweep.set_ylim(-0.02, 1.02)
    for name, a in sharp_wide.thresholds().items():
        sweep.axvline(a, color=style.OUTCOME_COLORS[name], ls="--", lw=1)
        sweep.text(
            a, 1.0, f" 2/f''({name}) = {a:.4g}", rotation=90, va="top", ha="right", fontsize=8
        )
    sweep.set_title(f"Sweep over {len(shares)} step sizes")
    sweep.legend(loc="center left", frameon=False)
    fig.suptitle(
        "Which minimum does GD find? f(x) = s·10x² + (1−s)(½(x−10)²+50): share of starts per outcome"
    )
    style.save(fig, paths, dpi=dpi)
    return shares
