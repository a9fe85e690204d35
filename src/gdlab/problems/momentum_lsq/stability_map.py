"""The (αλ_max, β) plane of ``momentum_lsq``: where heavy ball and Nesterov are stable
on seed 0's least squares, and how fast, measured.

For every point of a fine grid of h = α·λ_max and β, the growth per step of a
perturbation of θ* under the method with the problem's own gradient
(:func:`gdlab.threshold.growth`, as the threshold experiment measures it) is its
measured rate: the colour where it is below 1, grey where the point is unstable.
Drawn over it: both theories' curves h = 2(1 + β) (heavy ball) and
h = (2 + 2β)/(1 + 2β) (Nesterov), heavy ball's optimum (α*, β*) of seed 0, and the
study's grid points with where their runs ended.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import momentum, style, threshold
from gdlab.methods import by_name
from gdlab.problems.momentum_lsq.numerics import optimum, problem_data

H = np.linspace(0.025, 4.5, 90)
BETAS = np.linspace(0.0, 0.975, 40)
WINDOW = 400
MARKERS = {"converged": ("o", style.BLUE), "cycle": ("s", style.ORANGE)}
MARKERS |= {"diverged": ("x", style.VERMILLION)}


def measured_map(name: str, shape, root_seed: int) -> np.ndarray:
    """(betas, h): the measured growth per step of seed 0 under ``name`` at each point."""
    model, _theta0, spectrum = problem_data([0], shape, root_seed)
    hh, bb = np.meshgrid(H, BETAS)
    rows = np.zeros(hh.size, dtype=np.int64)
    cases = threshold.Cases(
        names=[""] * hh.size,
        model=model.take(rows),
        x_star=model.theta_star[rows],
        theory=np.ones(hh.size),  # unused: growth only
        method=by_name(name, 0.0).__class__(beta=bb.reshape(-1, 1)),
    )
    return threshold.growth(cases, hh.ravel() / spectrum[0, 0], WINDOW)[0].reshape(hh.shape)


def _panel(ax, name: str, growth: np.ndarray, runs: pd.DataFrame, best) -> object:
    stable = np.where(growth < 1.0, growth, np.nan)
    # one image each in the SVG, not a path per cell (2.7 MB and 2 s of drawing before)
    ax.pcolormesh(
        H, BETAS, np.where(growth < 1.0, np.nan, 1.0), cmap="Greys", vmin=0, vmax=3, rasterized=True
    )
    mesh = ax.pcolormesh(
        H, BETAS, stable, cmap="viridis", vmin=0.0, vmax=1.0, shading="auto", rasterized=True
    )
    beta = np.linspace(0.0, 0.99, 200)
    for other, ls in (("heavy_ball", "--"), ("nesterov", ":")):
        ax.plot(
            [momentum.critical(other, b) for b in beta],
            beta,
            color=style.BLACK,
            ls=ls,
            lw=1.3,
            label=f"theory, {other.replace('_', ' ')}: h = {momentum.FORMULA[other]}",
        )
    mine = runs[runs["method"] == name]
    for outcome, (marker, color) in MARKERS.items():
        at = mine[mine["outcome"] == outcome].drop_duplicates(["beta", momentum.H])
        ax.scatter(
            at[momentum.H], at["beta"], marker=marker, color=color, s=22, zorder=4, label=outcome
        )
    if name == "heavy_ball":
        h_best, beta_best = best
        ax.plot(h_best, beta_best, marker="*", ms=13, color=style.YELLOW, mec=style.BLACK, zorder=5)
        ax.annotate(
            f"optimum (seed 0): h = {h_best:.3f}, β = {beta_best:.3f}",
            (h_best, beta_best),
            xytext=(-8, 10),
            textcoords="offset points",
            ha="right",
            fontsize=7,
        )
    ax.set_xlabel("h = α·λ_max")
    ax.set_title(name.replace("_", " "), fontsize=9)
    ax.set_xlim(H[0], H[-1])
    ax.set_ylim(BETAS[0], BETAS[-1])
    return mesh


def figure(problem: str, df: pd.DataFrame, paths: list[str], dpi: int, shape, root_seed: int):
    import matplotlib.pyplot as plt

    style.use()
    _model, _theta0, spectrum = problem_data([0], shape, root_seed)
    alpha, beta, _rate = optimum(spectrum)
    best = (float(alpha[0] * spectrum[0, 0]), float(beta[0]))
    fig, axes = plt.subplots(1, 2, figsize=(style.WIDTH, 3.6), sharey=True, constrained_layout=True)
    for ax, name in zip(axes, ("heavy_ball", "nesterov"), strict=True):
        mesh = _panel(ax, name, measured_map(name, shape, root_seed), df, best)
    axes[0].set_ylabel("momentum β")
    axes[1].legend(fontsize=6.5, loc="upper right")
    fig.colorbar(mesh, ax=axes, label="measured rate per step (grey: unstable)", shrink=0.9)
    fig.suptitle(
        "momentum on least squares (seed 0): measured stable region and rate over (αλ_max, β)",
        fontsize=9,
    )
    style.save(fig, paths, dpi=dpi)
