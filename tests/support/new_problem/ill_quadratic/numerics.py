"""The numerics of ``ill_quadratic``: GD on ½θᵀHθ, H = diag(1, κ), a block of seeds."""

from __future__ import annotations

import numpy as np

from gdlab import descent, seeding
from gdlab.problems.ill_quadratic import KAPPA

H = np.array([1.0, KAPPA])  # the diagonal of H


class Model:
    def gradient(self, theta):
        return theta * H

    def loss(self, theta):
        return 0.5 * np.einsum("ij,ij->i", theta * H, theta)

    def dist(self, theta):
        return np.sqrt((theta**2).sum(axis=-1))  # θ* = 0

    def take(self, rows):
        return self

    def hessian_vector(self, theta, v):
        return v * H


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn: θ_0 ~ N(0, I₂)."""
    return seeding.process("SeedSequence", ("theta_0", "normal", {"size": 2}))


def run(settings: dict, alpha: float, seeds: list[int], traced: int | None = None) -> dict:
    data = data_process(settings)
    theta0 = np.array(
        [seeding.draw(data, "ill_quadratic", s, settings["root_seed"])["theta_0"] for s in seeds]
    )
    _trace, cols = descent.run_block(
        Model(), theta0, alpha, seeds, settings, scalar=False, traced=traced
    )
    n = len(cols["step"])
    cols["alpha_critical"] = np.full(n, 2.0 / KAPPA)
    cols["rate_theory"] = np.full(n, np.abs(1.0 - alpha * H).max())
    return cols
