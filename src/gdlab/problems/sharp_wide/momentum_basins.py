"""Which minimum momentum finds on the sharp/wide landscape, per α, for heavy ball and
Nesterov at β ∈ {0, 0.5, 0.9}: the study's first starts (its seeds' x_0) run again
under each method.

Near a minimum x* a method with momentum is the linear map of its companion matrix
at αf''(x*) (docs/theory.md, "Momentum"): a run can end there only if α·f''(x*) is
below the method's h*(β) (heavy ball 2(1 + β), Nesterov (2 + 2β)/(1 + 2β)).  The check
``momentum_basins`` runs the starts, holds every run that ended at a minimum to that
bound (a run beyond it fails the check) and writes the shares
(``results/tables/momentum_basins.csv``); the figure ``basin_momentum``
(:mod:`.basin_momentum`) draws that table.  Whether a start reaches a stable minimum the linear theory does not say: the
table measures it.  β = 0 is plain GD for both methods (the basin-ratio figure's runs
again).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import descent, momentum
from gdlab.checks import report
from gdlab.methods import by_name
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.categories import CATEGORIES

METHODS = ("heavy_ball", "nesterov")
BETAS = (0.0, 0.5, 0.9)
ALPHAS = tuple(float(f"{a:.4g}") for a in np.geomspace(1e-3, 10.0, 25))
# the first starts of the study at most: a large study's 4000 would be 600 000 runs
MAX_STARTS = 200
MINIMA = ("sharp", "wide")


def ends(settings: dict, seeds: int, method: str, beta: float, alphas=ALPHAS) -> tuple:
    """Every start's α and category (one of :data:`CATEGORIES`) under ``method``."""
    x0 = numerics.initial_points(settings, list(range(seeds)))[:, None]
    alpha = np.repeat(np.asarray(alphas, dtype=float), seeds)
    trace = descent.descend(
        numerics.Model(),
        np.tile(x0, (len(alphas), 1)),
        alpha,
        method=by_name(method, beta),
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
    return alpha, category


def bound(method: str, beta: float, minimum: str) -> float:
    """The α above which ``method`` cannot converge to ``minimum``: h*(β)/f''(x*)."""
    return momentum.critical(method, beta) / numerics.critical_points()[minimum][1]


def shares(settings: dict, seeds: int, method: str, beta: float, alphas=ALPHAS) -> tuple:
    """Per α: the share of the starts in each category, as table rows, and the runs
    that ended at a minimum beyond its bound (one line each, at most one a minimum)."""
    alpha, category = ends(settings, seeds, method, beta, alphas)
    rows, beyond = [], []
    for a in alphas:
        mine = category[alpha == a]
        row = {"method": method, "beta": float(beta), "alpha": float(a), "runs": int(mine.size)}
        row.update({c: float(np.mean(mine == c)) for c in CATEGORIES})
        rows.append(row)
    for m in MINIMA:
        top = bound(method, beta, m)
        wrong = (category == m) & (alpha > top)
        if wrong.any():
            beyond.append(
                f"{method}, β = {beta:g}: {int(wrong.sum())} run(s) ended at the {m} minimum at "
                f"α up to {alpha[wrong].max():g}, beyond its bound h*(β)/f''(x*) = {top:.6g}"
            )
    return rows, beyond


def check(
    problem: str,
    df: pd.DataFrame,
    start_interval: list[float],
    seeds: int,
    max_steps: int,
    tolerance: float,
    divergence_factor: float,
    root_seed: int,
) -> dict:
    """The check ``momentum_basins``: the study's first :data:`MAX_STARTS` starts (its
    stopping rule) under each method and β; fails on a run that ended at a minimum
    beyond its method's bound, and on no run."""
    seeds = min(int(seeds), MAX_STARTS)
    settings = {
        "start_interval": start_interval,
        "root_seed": root_seed,
        "max_steps": max_steps,
        "tolerance": tolerance,
        "divergence_factor": divergence_factor,
    }
    rows, failures = [], []
    if seeds < 1:
        failures.append("no start was run (problems.sharp_wide.seeds)")
    for method, beta in [(m, b) for m in METHODS for b in BETAS] if seeds >= 1 else []:
        mine, beyond = shares(settings, seeds, method, beta)
        rows += mine
        failures += beyond
    bounds = {f"{m}_{b:g}": {x: bound(m, b, x) for x in MINIMA} for m in METHODS for b in BETAS}
    out = report("momentum_basins", {"starts": seeds, "bounds": bounds}, failures)
    out["tables"] = {"momentum_basins": rows}
    return out
