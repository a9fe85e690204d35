"""The convergence figure of a problem whose theory is a threshold: distance to the
optimum vs step.

One panel per grid value, chosen to show the theory's threshold (e.g. α = 2, or
c = 1 for a step size in units of 2/ρ) from both sides: the smallest grid value,
the largest below the threshold, the threshold itself (if in the grid), the
smallest above it and the largest.  Each panel shows the relative distance
‖θ_k − θ*‖/‖θ_0 − θ*‖ on a log axis — every seed as a thin line and their median
(while most seeds still run) as a thick one, of the seeds that keep their trajectory
(``SPEC.trajectories``; the title's counts are of every run) — beside the theory's ρ^k (the
``rate_theory`` of the runs, its median over seeds), and says in its title what
the theory predicts and how many runs agree.  The problem's spec gives the axis
label, the model and ρ's formula (``Figure.options``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import grid, problems, style
from gdlab.frames import last_rows, median
from gdlab.plots.common import agreement, log_scale, per_step
from gdlab.theory import Exact

PREDICTED = {
    "converged": "converges",
    "diverged": "diverges",
    "cycle": "a periodic orbit",
    "aperiodic": "aperiodic motion",
    "max_steps": "neither",
}
OBSERVED = {
    "converged": "converged",
    "diverged": "diverged",
    "cycle": "settled on an orbit",
    "aperiodic": "moved aperiodically",
    "max_steps": "ran out of steps",
}


def pick(values: list[float], threshold: float) -> list[float]:
    """Up to five grid values that show the threshold from both sides (module docstring)."""
    values = sorted(set(values))
    below = [v for v in values if v < threshold]
    above = [v for v in values if v > threshold]
    chosen = []
    if below:
        chosen += [below[0], below[-1]]
    if threshold in values:
        chosen.append(threshold)
    if above:
        chosen += [above[0], above[-1]]
    return sorted(set(chosen))


def regime(value: float, threshold: float) -> str:
    return "below" if value < threshold else "at" if value == threshold else "above"


def _panel(
    ax, theory, rho_formula: str, value: float, data: pd.DataFrame, step_axis: bool, traced
) -> None:
    threshold, symbol = theory.threshold, theory.symbol
    color = style.REGIME_COLORS[regime(value, threshold)]
    runs = last_rows(data)  # every run: the title's counts
    # the trajectories: the seeds that keep every recorded row (SPEC.trajectories)
    data = data if traced is None else data[data["seed"] < traced]
    start = data[data["step"] == 0].set_index("seed")["dist"]
    data = data.assign(rel=data["dist"] / data["seed"].map(start))
    for i, (_seed, run) in enumerate(data.groupby("seed")):
        run = run[run["rel"] > 0]
        ax.plot(
            run["step"],
            run["rel"],
            color=color,
            lw=0.7,
            alpha=0.45,
            label="each seed" if i == 0 else None,
        )
    stats = per_step(data, "rel")
    steps = stats.index.to_numpy()
    ax.plot(steps, stats["median"], color=color, lw=2.6, alpha=0.9, label="median over seeds")
    rho = median(runs["rate_theory"])
    k = np.linspace(0, data["step"].max(), 200)
    with np.errstate(all="ignore"):
        theory_line = rho**k
    ok = (theory_line > 0) & np.isfinite(theory_line)
    ax.plot(k[ok], theory_line[ok], **style.THEORY, label=r"theory: $\rho^k$")
    expected = theory.predict(value)
    agree = int((runs["outcome"] == expected).sum())
    relation = "<" if value < threshold else "=" if value == threshold else ">"
    first = f"{symbol} = {Exact(value):g} {relation} {Exact(threshold):g}"
    second = rho_formula + f" = {rho:.3g}"
    if not step_axis:  # the grid value is not α itself: give the runs' α
        second = rf"$\alpha$ ≈ {median(runs['alpha']):.2g},  $\rho$ = {rho:.3g}"
    ax.set_title(
        f"{first}\n{second}\ntheory: {PREDICTED[expected]}\n"
        f"{agreement(agree, len(runs), OBSERVED[expected])}",
        fontsize=8,
        color=color if value != threshold else "0.2",
    )
    ax.set_xlabel("step k")
    ax.set_xlim(0, None)


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    ylabel: str,
    model: str,
    rho: str,
) -> list[float]:
    """Draw the figure of ``problem`` (its theory: a :class:`gdlab.theory.Threshold`);
    returns the grid values shown."""
    import matplotlib.pyplot as plt

    style.use()
    theory = problems.theory(problem)
    threshold, symbol, rho_formula = theory.threshold, theory.symbol, rho
    spec = problems.spec(problem)
    step_axis, traced = spec.grid.axis == "alpha", spec.trajectories
    values = {s: grid.parse_setting(s, problem)[1] for s in df["setting"].unique()}
    shown = pick(list(values.values()), threshold)
    ncols = min(len(shown), 5)
    fig, axes = plt.subplots(
        1,
        ncols,
        figsize=(style.WIDTH, 2.9),
        sharey=True,
        constrained_layout=True,
        squeeze=False,
    )
    for ax, value in zip(axes[0], shown, strict=False):
        setting = next(s for s, v in values.items() if v == value)
        _panel(ax, theory, rho_formula, value, df[df["setting"] == setting], step_axis, traced)
    # one log scale for the shared y axis, from every panel's data (diverged runs can
    # reach 1e300: see log_scale)
    boxes = [ax.dataLim for ax in axes[0][: len(shown)]]
    log_scale(axes[0, 0], "y", data=(min(b.minposy for b in boxes), max(b.y1 for b in boxes)))
    axes[0, 0].set_ylabel(ylabel + " (log scale)")
    n_seeds = df.groupby("setting")["seed"].nunique().max()
    drawn = "" if traced is None or n_seeds <= traced else f" (the first {traced} drawn)"
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles))
    fig.suptitle(
        f"{problem}: {model};  {n_seeds} seeds per panel{drawn}\n"
        f"theory: converges iff {symbol} < {threshold:g}, at the rate " + rho_formula,
        fontsize=9,
    )
    style.save(fig, paths, dpi=dpi)
    return shown
