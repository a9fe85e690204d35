"""Which minimum heavy ball finds on the sharp/wide landscape, per α, for β ∈ {0, 0.5,
0.9}: the study's starts (its seeds' x_0) run again under heavy ball, one panel per β.

Heavy ball is linearly stable at a minimum x* iff α·f''(x*) < 2(1 + β) (docs/theory.md,
"Momentum"): momentum moves both thresholds up by the factor 1 + β, the sharp
minimum's from 0.0995 to 0.149 (β = 0.5) and 0.189 (β = 0.9), the wide one's from 2
to 3 and 3.8.  Whether a start reaches a stable minimum is another matter: the
figure measures it.  β = 0 is plain GD (the basin-ratio figure's runs again).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import descent, style
from gdlab.methods import HeavyBall
from gdlab.plots.common import log_scale
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.ends import CATEGORIES, COLORS

BETAS = (0.0, 0.5, 0.9)
ALPHAS = tuple(float(f"{a:.4g}") for a in np.geomspace(1e-3, 10.0, 25))
# the first starts of the study at most: a large study's 4000 would be 300 000 runs
MAX_STARTS = 200


def shares(settings: dict, seeds: int, beta: float, alphas=ALPHAS) -> pd.DataFrame:
    """Per α (index): the share of the ``seeds`` starts in each of :data:`CATEGORIES`
    under heavy ball with momentum ``beta``, and ``runs``."""
    x0 = numerics.initial_points(settings, list(range(seeds)))[:, None]
    alpha = np.repeat(np.asarray(alphas, dtype=float), seeds)
    trace = descent.descend(
        numerics.Model(),
        np.tile(x0, (len(alphas), 1)),
        alpha,
        method=HeavyBall(beta=float(beta)),
        **descent.stopping(settings),
        record=frozenset({0}),
    )
    outcome = np.array(trace.outcome, dtype=object)
    found = np.array(numerics.classify(trace.final_theta[:, 0]), dtype=object)
    category = np.select(
        [outcome == "converged", np.isin(outcome, ["cycle", "aperiodic", "diverged"])],
        [found, outcome],
        default="not converged",
    )
    table = pd.crosstab(alpha, category, normalize="index")
    for c in CATEGORIES:
        if c not in table:
            table[c] = 0.0
    return table[list(CATEGORIES)].assign(runs=seeds)


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    start_interval: list[float],
    seeds: int,
    max_steps: int,
    tolerance: float,
    divergence_factor: float,
    root_seed: int,
) -> dict[float, pd.DataFrame]:
    """Draw the three panels (the study's first :data:`MAX_STARTS` starts at most, its
    stopping rule); returns the shares they show, per β."""
    import matplotlib.pyplot as plt

    style.use()
    seeds = min(int(seeds), MAX_STARTS)
    settings = {
        "start_interval": start_interval,
        "root_seed": root_seed,
        "max_steps": max_steps,
        "tolerance": tolerance,
        "divergence_factor": divergence_factor,
    }
    curvature = {m: numerics.critical_points()[m][1] for m in ("sharp", "wide")}
    fig, axes = plt.subplots(
        1, len(BETAS), figsize=(style.WIDTH, 3.2), sharey=True, layout="constrained"
    )
    out = {}
    for ax, beta in zip(axes, BETAS, strict=True):
        out[beta] = table = shares(settings, seeds, beta)
        bottom = np.zeros(len(table))
        for c in CATEGORIES:
            ax.fill_between(
                table.index, bottom, bottom + table[c], color=COLORS[c], lw=0, label=c, step="mid"
            )
            bottom += table[c].to_numpy()
        for name, f2 in curvature.items():
            ax.axvline(2 * (1 + beta) / f2, color=COLORS[name], ls="--", lw=1)
        log_scale(ax, "x", (ALPHAS[0], ALPHAS[-1]))
        ax.set_ylim(0, 1)
        ax.set_title(f"heavy ball, β = {beta:g}" + (" (GD)" if beta == 0 else ""), fontsize=8)
        ax.set_xlabel("step size α")
    axes[0].set_ylabel(f"share of the {seeds} starts")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(CATEGORIES), fontsize=7)
    fig.suptitle(
        "where heavy ball ends on the sharp/wide landscape; dashed: 2(1 + β)/f''(x*) of "
        "each minimum",
        fontsize=8.5,
    )
    style.save(fig, paths, dpi=dpi)
    return out
