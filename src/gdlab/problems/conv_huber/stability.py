"""The threshold experiment of ``conv_huber`` (docs/thresholds.md): per seed.

Each seed's filter k and data b (the same draws as its runs); x* = the optimum,
reached by GD from x = 0 with α = 1/(‖A‖₂² + λ) until ‖∇F‖ ≤ 1e-12.  F is piecewise
quadratic, so near x* (no residual at |r| = 1) GD's map is exactly
e ↦ (I − α(AᵀDA + λI))e, unstable iff α > 2/μ_max on range(Aᵀ)
(:func:`numerics.local_theory`; 0.2046 for seed 0, r = 3, n = 20, λ = 0.1).  The
perturbation starts in range(Aᵀ), Aᵀz with z ~ N(0, I) from ``default_rng(seed)``: GD
from x = 0 never leaves it.  The bracket is in α.
"""

from __future__ import annotations

import numpy as np

from gdlab import descent
from gdlab.problems.conv_huber.numerics import (
    Model,
    alpha_critical,
    apply_transpose,
    draw,
    local_theory,
)

TOLERANCE = 1e-12  # ‖∇F(x*)‖; rounding in ∇F is ~1e-14 here
MAX_STEPS = 1_000_000


class OptimumNotFound(RuntimeError):
    """GD did not reach the optimum of a seed (within MAX_STEPS)."""


def optimum(model: Model, n: int, lipschitz_step: np.ndarray) -> np.ndarray:
    trace = descent.descend(
        model,
        np.zeros((model.k.shape[0], n)),
        lipschitz_step,
        max_steps=MAX_STEPS,
        tolerance=TOLERANCE,
        divergence_factor=1e6,
        record=frozenset({0}),
    )
    missed = [i for i, o in enumerate(trace.outcome) if o != descent.CONVERGED]
    if missed:
        raise OptimumNotFound(
            f"GD did not reach ‖∇F‖ <= {TOLERANCE:g} within {MAX_STEPS} steps for seeds {missed}"
        )
    return trace.final_theta


def cases(seeds: int, r: int, n: int, lam: float) -> dict:
    """The fields of :class:`gdlab.threshold.Cases`: seeds 0 … seeds − 1."""
    draws = [draw(s, r, n) for s in range(seeds)]
    k = np.stack([d[0] for d in draws])
    b = np.stack([d[1] for d in draws])
    model = Model(k, b, lam)
    # α = 1/(‖A‖² + λ): half the global bound 2/(‖A‖² + λ)
    x_star = optimum(model, n, np.array([alpha_critical(ki, n, lam) / 2 for ki in k]))
    theory = np.array([local_theory(k[i], b[i], lam, x_star[i], 1.0)[1] for i in range(seeds)])
    z = np.stack([np.random.default_rng(s).standard_normal(n - r + 1) for s in range(seeds)])
    return {
        "names": [f"seed={s}" for s in range(seeds)],
        "model": model,
        "x_star": x_star,
        "theory": theory,
        "direction": apply_transpose(k, z),
    }
