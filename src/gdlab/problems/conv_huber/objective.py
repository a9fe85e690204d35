"""The objective figure: F(x_k) vs step, per step size.

Left: the homework's instance (seed 0: k and b from ``RandomState(0)``), F(x_k)
for every α of the grid, with the homework's reference value F(x_100) at
α = 0.01 marked where this run passes step 100.  Right: every seed, the gap
F(x_k) − F* to the lowest value that seed reached at any α (F* of a converged
run, ‖∇F‖ ≤ tolerance), median and spread over seeds.  The theory: GD converges
for α < 2/(‖A‖₂² + λ), a bound that depends on the seed's filter k, so each
legend entry says for how many seeds α is below it and how many converged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.frames import last_rows
from gdlab.plots.common import log_scale, per_step
from gdlab.problems.conv_huber.reference import relative_error


def _reference_point(df: pd.DataFrame, reference: dict, step: int) -> float:
    ref = df[
        (df["alpha"] == reference["alpha"])
        & (df["seed"] == reference["seed"])
        & (df["step"] == step)
    ]
    return float(ref["loss"].iloc[0]) if len(ref) else float("nan")


def _gap(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of every run with ``gap`` = F(x_k) − (lowest converged F of that seed)."""
    ends = last_rows(df)
    best = ends[ends["outcome"] == "converged"].groupby("seed")["loss"].min()
    return df.assign(gap=df["loss"] - df["seed"].map(best))


def _curves(one, every, df: pd.DataFrame, seed: int) -> None:
    """Per α: the reference seed's F(x_k) (left), every seed's gap median and spread
    (right), labelled with how many seeds are below their bound and converged."""
    alphas = sorted(df["alpha"].unique())
    colors = dict(zip(alphas, style.OKABE_ITO, strict=False))
    ends = last_rows(df)
    gaps = _gap(df)
    for a in alphas:
        runs = df[(df["alpha"] == a) & (df["seed"] == seed) & (df["step"] > 0)]
        one.plot(runs["step"], runs["loss"], color=colors[a], lw=1.6)
        r = ends[ends["alpha"] == a]
        below = int((a < r["alpha_lipschitz"]).sum())
        converged = int((r["outcome"] == "converged").sum())
        stats = per_step(gaps[(gaps["alpha"] == a) & (gaps["step"] > 0)], "gap")
        every.fill_between(
            stats.index, stats["min"], stats["max"], color=colors[a], alpha=0.18, lw=0
        )
        every.plot(
            stats.index,
            stats["median"],
            color=colors[a],
            lw=1.6,
            label=f"α = {a:g}: α < 2/(‖A‖²+λ) for {below}/{len(r)} seeds, "
            f"{converged}/{len(r)} converged",
        )


def _mark_reference(one, reference: dict, step: int, computed: float) -> None:
    """The homework's F(x_step) as a star where the run passes it, with the computed
    value and the error beside it."""
    one.plot(
        step,
        reference["value"],
        marker="*",
        ms=13,
        color=style.BLACK,
        mfc="white",
        mew=1.3,
        zorder=5,
        ls="none",
    )
    one.annotate(
        f"homework reference (α = {reference['alpha']:g}):\n"
        f"F(x₁₀₀) = {reference['value']:.10f}\n"
        f"this run:  {computed:.10f}\n"
        f"{'relative' if reference['value'] else 'absolute'} error "
        f"{relative_error(computed, reference['value']):.1e}",
        (step, reference["value"]),
        xytext=(0.52, 0.45),
        textcoords="axes fraction",
        fontsize=7.5,
        bbox={"boxstyle": "round,pad=0.35", "fc": "white", "ec": "0.75", "alpha": 0.92},
        arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 0.8, "shrinkB": 7},
    )


def _axes(one, every, seed: int, crit_seed: float, n_seeds: int) -> None:
    from matplotlib import ticker

    log_scale(one, "x")  # no step > 0 (every run stopped at once): a linear axis
    if not log_scale(one, "y"):  # readable values (unless diverged runs span 30+ decades)
        one.yaxis.set_major_locator(ticker.FixedLocator([0.2, 0.5, 1, 2, 5, 10, 20, 50]))
        one.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        one.yaxis.set_minor_formatter(ticker.NullFormatter())
    one.set_xlabel("step k (log scale)")
    one.set_ylabel(r"$F(x_k) = \mathrm{huber}(Ax_k - b) + \frac{\lambda}{2}\|x_k\|^2$")
    one.set_title(
        f"the homework's instance (seed {seed}): 2/(‖A‖²+λ) = {crit_seed:.3f}", fontsize=8.5
    )
    log_scale(every, "x")
    log_scale(every, "y")
    every.set_xlabel("step k (log scale)")
    every.set_ylabel(r"$F(x_k) - F^*$ (log scale)")
    every.set_title(
        f"all {n_seeds} seeds: gap to the seed's lowest F; median, min–max", fontsize=8.5
    )


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    reference_seed: int,
    reference_alpha: float,
    reference_value: float,
    reference_step: int,
) -> float:
    """Draw the figure from the runs of ``conv_huber``; returns the computed F(x_step) of
    the reference run (NaN when the reference run is not in the grid)."""
    reference = {"seed": reference_seed, "alpha": reference_alpha, "value": reference_value}
    import matplotlib.pyplot as plt

    style.use()
    ends = last_rows(df)
    fig, (one, every) = plt.subplots(1, 2, figsize=(style.WIDTH, 3.4), constrained_layout=True)
    seed = reference["seed"]
    crit_seed = float(ends.loc[ends["seed"] == seed, "alpha_lipschitz"].iloc[0])
    _curves(one, every, df, seed)
    computed = _reference_point(df, reference, reference_step)
    if np.isfinite(computed):
        _mark_reference(one, reference, reference_step, computed)
    _axes(one, every, seed, crit_seed, df["seed"].nunique())
    fig.legend(*every.get_legend_handles_labels(), loc="outside lower center", ncol=2)
    fig.suptitle(
        "conv_huber: GD  x ← x − α(Aᵀhuber′(Ax − b) + λx)  from x = 0;"
        "  theory: converges for α < 2/(‖A‖₂² + λ)"
    )
    style.save(fig, paths, dpi=dpi)
    return computed
