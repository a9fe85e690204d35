"""The heavy-ball optimum on least squares (Polyak; docs/theory.md, "Momentum"): with
λ_max, λ_min the extreme eigenvalues of XᵀX and κ = λ_max/λ_min,

    α* = 4/(√λ_max + √λ_min)²,   β* = ((√κ − 1)/(√κ + 1))²,

put every eigenvalue of every companion matrix on the circle |z| = √β*: heavy ball
then contracts at √β* per step, the least spectral radius any (α, β) reaches (GD's
best, at α = 2/(λ_max + λ_min), is (κ − 1)/(κ + 1)).

The check measures it on each seed's own iteration: the growth per step of a
perturbation of θ* under heavy ball with the problem's gradient
(:func:`gdlab.threshold.growth`, renormalised every step, over the second half of
:data:`WINDOW` steps) at (α*, β*), held against √β*, and at four neighbours (α* ± 5 %,
β* ± 0.05), each of which must be slower.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import threshold
from gdlab.checks import report
from gdlab.methods import HeavyBall
from gdlab.problems.momentum_lsq.numerics import optimum, problem_data

# Steps per measurement: at the optimum the extreme eigenvalues are double (a Jordan
# block), so the growth over steps W/2 … W carries a factor 2^(2/W): 3.5e-4 at 4000.
WINDOW = 4000
NEIGHBOURS = (("α* × 1.05", 1.05, 0.0), ("α* × 0.95", 0.95, 0.0))
NEIGHBOURS += (("β* + 0.05", 1.0, 0.05), ("β* − 0.05", 1.0, -0.05))


def measured(model, x_star, alpha, beta, window: int = WINDOW) -> np.ndarray:
    """Per seed: heavy ball's growth per step near θ* at its own (α, β); β is a column
    (seeds, 1) of one momentum per seed (the arithmetic is row-wise)."""
    cases = threshold.Cases(
        names=[str(i) for i in range(len(x_star))],
        model=model,
        x_star=x_star,
        theory=np.ones(len(x_star)),  # unused: growth only
        method=HeavyBall(beta=np.asarray(beta, dtype=float)[:, None]),
    )
    return threshold.growth(cases, np.asarray(alpha, dtype=float), window)[0]


def check(problem: str, df: pd.DataFrame, rtol: float, seeds: int, shape, root_seed: int) -> dict:
    if seeds < 1:
        return report("momentum_optimum", {"seeds": seeds, "rtol": rtol}, ["no seed was measured"])
    model, _theta0, spectrum = problem_data(range(seeds), shape, root_seed)
    alpha, beta, rate = optimum(spectrum)
    at_optimum = measured(model, model.theta_star, alpha, beta)
    kappa = spectrum[:, 0] / spectrum[:, -1]
    failures, rows = [], []
    rel = np.abs(at_optimum - rate) / rate
    for s in np.flatnonzero(~(rel <= rtol)):
        failures.append(
            f"seed {s}: heavy ball at its optimum (α* = {alpha[s]:.6g}, β* = {beta[s]:.6g}) "
            f"contracts by {at_optimum[s]:.8g} per step, not √β* = {rate[s]:.8g} "
            f"(relative {rel[s]:.3g} > {rtol:g})"
        )
    for label, scale, shift in NEIGHBOURS:
        other = measured(model, model.theta_star, alpha * scale, beta + shift)
        for s in np.flatnonzero(~(other > at_optimum)):
            failures.append(
                f"seed {s}: heavy ball at {label} contracts by {other[s]:.8g} per step, no "
                f"slower than at its optimum ({at_optimum[s]:.8g}): (α*, β*) is not optimal"
            )
        rows.append({"neighbour": label, "rates": other.tolist()})
    values = {
        "seeds": seeds,
        "kappa": kappa.tolist(),
        "alpha_star": alpha.tolist(),
        "beta_star": beta.tolist(),
        "rate_theory": rate.tolist(),
        "rate_measured": at_optimum.tolist(),
        "rel_err": rel.tolist(),
        "gd_best_rate": ((kappa - 1.0) / (kappa + 1.0)).tolist(),
        "neighbours": rows,
        "window": WINDOW,
        "rtol": rtol,
    }
    return report("momentum_optimum", values, failures)
