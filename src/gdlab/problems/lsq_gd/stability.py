"""The threshold experiment of ``lsq_gd`` (docs/thresholds.md): per seed.

Each seed's X, Y (the same draws as its runs); x* = θ*, the least-squares solution
(``numpy.linalg.lstsq``); GD's map is e ↦ (I − αXᵀX)e exactly, unstable iff
α > 2/ρ(XᵀX).  The bracket is in c = α·ρ(XᵀX)/2, the unit of the problem's grid, so
the theory is c = 1 for every seed.
"""

from __future__ import annotations

import numpy as np

from gdlab.problems.lsq_gd.numerics import Model, draw, spectrum


def cases(seeds: int, shape: list[int], root_seed: int) -> dict:
    """The fields of :class:`gdlab.threshold.Cases`: seeds 0 … seeds − 1."""
    n_samples, n_features = shape
    draws = [draw(s, root_seed, n_samples, n_features) for s in range(seeds)]
    X = np.stack([d[0] for d in draws])
    Y = np.stack([d[1] for d in draws])
    theta_star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    theory = np.array([2.0 / spectrum(x)[0] for x in X])
    return {
        "names": [f"seed={s}" for s in range(seeds)],
        "model": Model(X, Y, theta_star),
        "x_star": theta_star,
        "theory": theory,
        "unit": theory,  # one c = 2/ρ(XᵀX) of the seed's X
    }
