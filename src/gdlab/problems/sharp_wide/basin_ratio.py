"""The basin-ratio figure: which minimum GD finds, per step size.

Left: the homework's three α as stacked bars (sharp, wide, a periodic orbit,
diverged, not converged), each share with its 95 % Wilson interval.  Right: the
same shares for the whole α grid on a log axis, with their intervals as bands,
the stability thresholds 2/f''(x*) of both minima marked, the three regimes they
delimit named, and the gradient-flow share of the sharp basin (the part of the
start interval left of the local maximum) drawn as a reference line.  The same
starts serve every α (paired), so neighbouring points are one sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.plots.common import log_scale
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.ends import CATEGORIES, COLORS, end_states
from gdlab.stats import wilson


def basin_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Per α (float index): the share of starts in each of :data:`CATEGORIES`, and ``runs``."""
    runs = end_states(df)
    shares = pd.crosstab(runs["alpha"], runs["category"], normalize="index")
    for c in CATEGORIES:
        if c not in shares:
            shares[c] = 0.0
    counts = runs.groupby("alpha").size().rename("runs")
    return shares[list(CATEGORIES)].join(counts).sort_index()


def intervals(shares: pd.DataFrame, category: str) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % Wilson interval (lo, hi) of one category's share at every α."""
    bounds = [
        wilson(round(s * n), int(n)) for s, n in zip(shares[category], shares["runs"], strict=True)
    ]
    return np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])


def _bars(ax, shares: pd.DataFrame, alphas: list[float], gradient_flow: float) -> None:
    hw = [a for a in alphas if a in shares.index]
    x = np.arange(len(hw))
    bottom = np.zeros(len(hw))
    for c in CATEGORIES:
        vals = shares.loc[hw, c].to_numpy()
        ax.bar(x, vals, bottom=bottom, color=COLORS[c], label=c, width=0.62)
        # the share's 95 % interval, at the segment's upper edge (where the share ends);
        # not at the bar's top, which is 1 whatever the share
        lo, hi = intervals(shares.loc[hw], c)
        top = bottom + vals
        shown = (vals > 0) & (top < 1 - 1e-9)
        ax.errorbar(
            x[shown] + 0.22,  # beside the segment's label
            top[shown],
            yerr=np.vstack([vals - lo, hi - vals])[:, shown],
            fmt="none",
            ecolor=style.BLACK,
            elinewidth=1.1,
            capsize=3,
            zorder=4,
        )
        for i, v in enumerate(vals):
            if v >= 0.07:
                n = round(v * shares.loc[hw[i], "runs"])
                ax.text(
                    x[i],
                    bottom[i] + v / 2,
                    f"{v:.0%}\n({n})",
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=7.5,
                    fontweight="bold",
                )
        bottom += vals
    ax.set_xticks(x, [f"α = {a:g}" for a in hw])
    ax.grid(axis="x", visible=False)
    n = int(shares.loc[hw, "runs"].max()) if hw else 0
    ax.set_ylabel(f"share of the {n} starts")
    ax.set_ylim(0, 1)
    ax.set_xlim(-0.5, len(hw) - 0.5)
    ax.set_title("the homework's three step sizes")
    # gradient flow's share over the first (small-α) bar only, where it applies
    if hw and hw[0] < numerics.thresholds()["sharp"]:
        ax.plot([-0.42, 0.42], [gradient_flow] * 2, color="white", lw=2.6, solid_capstyle="butt")
        ax.plot([-0.42, 0.42], [gradient_flow] * 2, color=style.VERMILLION, ls=":", lw=1.8)


def _sweep(ax, shares: pd.DataFrame, gradient_flow: float) -> None:
    thresholds = numerics.thresholds()
    t_sharp, t_wide = thresholds["sharp"], thresholds["wide"]
    # the grid's α and both thresholds: the regimes the axes name are always on it
    lo = max(float(min(shares.index.min(), t_sharp)) / 1.4, 1e-300)  # Python floats: no
    hi = min(float(max(shares.index.max(), t_wide)) * 1.4, 1e300)  # overflow warning
    log_scale(ax, "x", (lo, hi))
    ax.set_ylim(-0.03, 1.03)
    # the three regimes, shaded and named in the empty middle of the axes
    ax.axvspan(t_sharp, t_wide, color=style.BLUE, alpha=0.06, lw=0)
    ax.axvspan(t_wide, hi, color=style.BLACK, alpha=0.06, lw=0)
    regimes = [
        (lo, t_sharp, "both minima\nstable"),
        (t_sharp, t_wide, "only the wide\nminimum stable"),
        (t_wide, hi, "neither\nminimum\nstable"),
    ]
    for a, b, text in regimes:
        ax.text(np.sqrt(a * b), 0.5, text, ha="center", va="center", fontsize=7.5, color="0.3")
    for name, a in thresholds.items():
        ax.axvline(a, color=COLORS[name], ls="--", lw=1)
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        [t_sharp, t_wide],
        [
            rf"$2/f''(x^*_{{\rm sharp}}) = {t_sharp:.4f}$",
            rf"$2/f''(x^*_{{\rm wide}}) = {t_wide:.2f}$",
        ],
    )
    top.tick_params(length=3, labelsize=7.5)
    for label, name in zip(top.get_xticklabels(), ("sharp", "wide"), strict=True):
        label.set_color(COLORS[name])
    top.minorticks_off()
    # gradient flow (α → 0): the share of starts left of the local maximum
    ax.plot(
        [lo, t_sharp],
        [gradient_flow] * 2,
        color=style.VERMILLION,
        ls=":",
        lw=1.6,
        label=f"gradient flow (α → 0): {gradient_flow:.3f}",
    )
    for c in CATEGORIES:
        lo, hi = intervals(shares, c)  # 95 % Wilson band
        ax.fill_between(shares.index, lo, hi, color=COLORS[c], alpha=0.15, lw=0, zorder=2)
        ax.plot(
            shares.index,
            shares[c],
            marker="o",
            ms=3,
            lw=1.3,
            color=COLORS[c],
            label=c,
            clip_on=False,
            zorder=3,
        )
    ax.set_xlabel(f"step size α (log scale; {len(shares)} values)")
    ax.set_ylabel("share of starts")


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    homework_alphas: list[float],
    start_interval: list[float],
) -> pd.DataFrame:
    """Draw the figure from the runs of ``sharp_wide``; returns the shares it shows."""
    import matplotlib.pyplot as plt

    style.use()
    shares = basin_shares(df)
    gradient_flow = numerics.sharp_basin_share(start_interval)
    fig, (bars, sweep) = plt.subplots(
        1,
        2,
        figsize=(style.WIDTH, 3.3),
        gridspec_kw={"width_ratios": [1, 2.2]},
        constrained_layout=True,
    )
    _bars(bars, shares, homework_alphas, gradient_flow)
    _sweep(sweep, shares, gradient_flow)
    handles, labels = sweep.get_legend_handles_labels()
    order = [*range(1, len(handles)), 0]  # outcomes first, the reference line last
    lo, hi = start_interval
    fig.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="outside lower center",
        ncol=4,
        title=f"where GD from x₀ ~ U[{lo:g}, {hi:g}) ended".replace("-", "−"),
        title_fontsize=8,
    )
    fig.suptitle(
        "Which minimum does GD find?   f(x) = s(x)·10x² + (1 − s(x))·(½(x − 10)² + 50),"
        "  s(x) = 1/(1 + exp(3(x − 3)))"
    )
    style.save(fig, paths, dpi=dpi)
    return shares
