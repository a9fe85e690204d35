"""Convergence figures of ``quadratic`` and ``lsq_gd``: distance to the optimum vs step.

One panel per step size, chosen to show the theory's threshold (α = 2 for
``quadratic``, c = 1, i.e. α = 2/ρ(XᵀX), for ``lsq_gd``) from both sides: the
smallest grid value, the largest below the threshold, the threshold itself (if
in the grid), the smallest above it and the largest.  Each panel shows the
relative distance ‖θ_k − θ*‖/‖θ_0 − θ*‖ on a log axis — every seed as a thin
line and their median (while most seeds still run) as a thick one — beside the theory's
ρ^k (ρ = |1 − α| for ``quadratic``, max_i |1 − ασ_i²| for ``lsq_gd``, its median
over seeds), and says in its title what the theory predicts and how many runs
agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import grid, style
from gdlab.plots.common import agreement, log_scale, per_step
from gdlab.problems import module
from gdlab.tables import last_rows

# problem -> (threshold of the grid value, its symbol, the y label, the model, ρ's formula)
THEORY = {
    "quadratic": (
        2.0,
        "α",
        r"$|\theta_k|\,/\,|\theta_0|$",
        r"GD on $f(\theta) = \theta^2/2$:  $\theta_k = (1-\alpha)^k\,\theta_0$",
        r"$\rho = |1-\alpha|$",
    ),
    "lsq_gd": (
        1.0,
        "c",
        r"$\|\theta_k - \theta^*\|\,/\,\|\theta_0 - \theta^*\|$",
        r"GD on $\frac{1}{2}\|X\theta - Y\|^2$ with $\alpha = c \cdot 2/\rho(X^\top X)$",
        r"$\rho = \max_i |1-\alpha\sigma_i^2|$",
    ),
}
PREDICTED = {"converged": "converges", "diverged": "diverges", "max_steps": "neither"}
OBSERVED = {"converged": "converged", "diverged": "diverged", "max_steps": "ran out of steps"}


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


def _panel(ax, problem: str, value: float, data: pd.DataFrame) -> None:
    threshold, symbol, _ylabel, _model, rho_formula = THEORY[problem]
    color = style.REGIME_COLORS[regime(value, threshold)]
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
    runs = last_rows(data)
    rho = float(runs["rate_theory"].median())
    k = np.linspace(0, data["step"].max(), 200)
    with np.errstate(all="ignore"):
        theory = rho**k
    ok = (theory > 0) & np.isfinite(theory)
    ax.plot(k[ok], theory[ok], **style.THEORY, label=r"theory: $\rho^k$")
    expected = module(problem).predict(value)
    agree = int((runs["outcome"] == expected).sum())
    relation = "<" if value < threshold else "=" if value == threshold else ">"
    first = f"{symbol} = {value:g} {relation} {threshold:g}"
    second = rho_formula + f" = {rho:.3g}"
    if problem == "lsq_gd":
        second = rf"$\alpha$ ≈ {runs['alpha'].median():.2g},  $\rho$ = {rho:.3g}"
    ax.set_title(
        f"{first}\n{second}\ntheory: {PREDICTED[expected]}\n"
        f"{agreement(agree, len(runs), OBSERVED[expected])}",
        fontsize=8,
        color=color if value != threshold else "0.2",
    )
    ax.set_xlabel("step k")
    ax.set_xlim(0, None)


def figure(problem: str, df: pd.DataFrame, paths: list[str], dpi: int = 150) -> list[float]:
    """Draw the figure of ``problem`` (quadratic or lsq_gd); returns the grid values shown."""
    import matplotlib.pyplot as plt

    style.use()
    threshold, symbol, ylabel, model, rho_formula = THEORY[problem]
    values = {s: grid.parse_setting(s)[1] for s in df["setting"].unique()}
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
        _panel(ax, problem, value, df[df["setting"] == setting])
    # one log scale for the shared y axis, from every panel's data (diverged runs can
    # reach 1e300: see log_scale)
    boxes = [ax.dataLim for ax in axes[0][: len(shown)]]
    log_scale(axes[0, 0], "y", data=(min(b.minposy for b in boxes), max(b.y1 for b in boxes)))
    axes[0, 0].set_ylabel(ylabel + " (log scale)")
    n_seeds = df.groupby("setting")["seed"].nunique().max()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(handles))
    fig.suptitle(
        f"{problem}: {model};  {n_seeds} seeds per panel\n"
        f"theory: converges iff {symbol} < {threshold:g}, at the rate " + rho_formula,
        fontsize=9,
    )
    style.save(fig, paths, dpi=dpi)
    return shown
