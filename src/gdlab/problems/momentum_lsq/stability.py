"""The threshold experiment of ``momentum_lsq`` (docs/thresholds.md): per (method, β)
of its grid, each of its seeds (the same X, Y as its runs), x* = θ* the least-squares
solution.  The bracket is in h = α·λ_max (one unit: 1/ρ(XᵀX) of the seed's X), so the
theory is the method's h*(β) for every seed.
"""

from __future__ import annotations

from gdlab.methods import by_name
from gdlab.problems.momentum_lsq.numerics import problem_data


def cases(methods: list[str], betas: list[float], seeds: int, shape, root_seed: int):
    """One group of :class:`gdlab.threshold.Cases` fields per (method, β): seeds
    0 … seeds − 1."""
    model, _theta0, spectrum = problem_data(range(seeds), shape, root_seed)
    unit = 1.0 / spectrum[:, 0]
    out = []
    for name in methods:
        for beta in betas:
            m = by_name(name, beta)
            out.append(
                {
                    "names": [f"seed={s}" for s in range(seeds)],
                    "model": model,
                    "x_star": model.theta_star,
                    "theory": m.critical_alpha_lambda() * unit,
                    "unit": unit,
                    "method": m,
                }
            )
    return out
