"""The figure ``basin_momentum``: the table of the check ``momentum_basins``
(:mod:`.momentum_basins`), one panel per method and β, each minimum's bound dashed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.methods import by_name
from gdlab.plots.common import log_scale
from gdlab.problems.sharp_wide.ends import CATEGORIES, COLORS
from gdlab.problems.sharp_wide.momentum_basins import ALPHAS, BETAS, METHODS, MINIMA, bound


def figure(problem: str, df: pd.DataFrame, paths: list[str], dpi: int) -> None:
    """A panel per method and β: the shares of the check's table, the bounds dashed."""
    import matplotlib.pyplot as plt

    style.use()
    fig, axes = plt.subplots(
        len(METHODS),
        len(BETAS),
        figsize=(style.WIDTH, 5.6),
        sharex=True,
        sharey=True,
        layout="constrained",
    )
    for (method, beta), ax in zip(
        [(m, b) for m in METHODS for b in BETAS], axes.ravel(), strict=True
    ):
        table = df[(df["method"] == method) & (df["beta"] == beta)].sort_values("alpha")
        bottom = np.zeros(len(table))
        for c in CATEGORIES:
            ax.fill_between(
                table["alpha"],
                bottom,
                bottom + table[c],
                color=COLORS[c],
                lw=0,
                label=c,
                step="mid",
            )
            bottom += table[c].to_numpy()
        for m in MINIMA:
            ax.axvline(bound(method, beta, m), color=COLORS[m], ls="--", lw=1)
        log_scale(ax, "x", (ALPHAS[0], ALPHAS[-1]))
        ax.set_ylim(0, 1)
        name = by_name(method, beta).label
        ax.set_title(f"{name}, β = {beta:g}" + (" (GD)" if beta == 0 else ""), fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("step size α")
    runs = int(df["runs"].max()) if len(df) else 0
    for ax in axes[:, 0]:
        ax.set_ylabel(f"share of the {runs} starts")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(CATEGORIES), fontsize=7)
    fig.suptitle(
        "where heavy ball and Nesterov end on the sharp/wide landscape; dashed: each "
        "minimum's bound h*(β)/f''(x*)",
        fontsize=8.5,
    )
    style.save(fig, paths, dpi=dpi)
