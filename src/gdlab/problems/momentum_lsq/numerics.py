"""The numerics of ``momentum_lsq``: heavy ball or Nesterov on least squares
½‖Xθ − Y‖², a block of seeds at one (method, β, h).

X, Y and θ_0 are ``lsq_gd``'s draws (its seed stream: the same numbers for the same
seed and root seed).  With XᵀX = VΛVᵀ and α = h/λ_max, the error along eigenvector i
obeys the method's companion matrix at αλ_i (:meth:`gdlab.methods.Method.companion`):
a run converges iff every one has spectral radius below 1, asymptotically at the
largest of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdlab import descent, seeding
from gdlab.methods import by_name, rates
from gdlab.problems.momentum_lsq import SPEC


@dataclass
class Model:
    X: np.ndarray  # (runs, N, p)
    Y: np.ndarray  # (runs, N)
    theta_star: np.ndarray  # (runs, p)
    H: np.ndarray | None = None  # (runs, p, p) XᵀX, computed once
    XtY: np.ndarray | None = None  # (runs, p)

    def __post_init__(self):
        if self.H is None:
            self.H = np.einsum("rni,rnj->rij", self.X, self.X)
            self.XtY = np.einsum("rni,rn->ri", self.X, self.Y)

    def gradient(self, theta):
        return np.einsum("rij,rj->ri", self.H, theta) - self.XtY  # Xᵀ(Xθ − Y)

    def loss(self, theta):
        residual = np.einsum("rni,ri->rn", self.X, theta) - self.Y
        return 0.5 * np.einsum("rn,rn->r", residual, residual)

    def dist(self, theta):
        z = theta - self.theta_star  # (runs, p) or (steps, runs, p)
        return descent.row_norms(z.reshape(-1, z.shape[-1])).reshape(z.shape[:-1])

    def take(self, rows):
        return Model(
            self.X[rows], self.Y[rows], self.theta_star[rows], self.H[rows], self.XtY[rows]
        )

    def hessian_vector(self, theta, v):
        return np.einsum("rij,rj->ri", self.H, v)  # XᵀX v


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`): ``lsq_gd``'s."""
    n_samples, n_features = settings["shape"]
    return seeding.process(
        "SeedSequence",
        ("X", "standard_normal", {"size": [n_samples, n_features]}),
        ("Y", "standard_normal", {"size": n_samples}),
        ("theta0", "standard_normal", {"size": n_features}),
        then="theta_{-1} = theta0",
    )


def problem_data(seeds, shape, root_seed: int):
    """The block's :class:`Model`, its θ_0 (runs, p) and each seed's eigenvalues of XᵀX,
    descending (runs, p)."""
    process = data_process({"shape": shape})
    draws = [seeding.draw(process, SPEC.seed_stream, s, root_seed) for s in seeds]
    X = np.stack([d["X"] for d in draws])
    Y = np.stack([d["Y"] for d in draws])
    theta0 = np.stack([d["theta0"] for d in draws])
    theta_star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    spectrum = np.stack([np.linalg.eigvalsh(x.T @ x)[::-1] for x in X])
    return Model(X, Y, theta_star), theta0, spectrum


def optimum(spectrum: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Heavy ball's optimum per row of eigenvalues (descending; :mod:`.optimum`): α*, β*
    and the rate √β*."""
    top, bottom = spectrum[:, 0], spectrum[:, -1]
    root_kappa = np.sqrt(top / bottom)
    beta = ((root_kappa - 1.0) / (root_kappa + 1.0)) ** 2
    return 4.0 / (np.sqrt(top) + np.sqrt(bottom)) ** 2, beta, np.sqrt(beta)


def run(settings: dict, value, seeds: list[int]) -> dict:
    name, beta, h = value
    m = by_name(name, beta)
    model, theta0, spectrum = problem_data(seeds, settings["shape"], settings["root_seed"])
    lambda_max = spectrum[:, 0]
    with np.errstate(over="ignore"):
        alpha = h / lambda_max
        rate, following = rates(m, alpha[:, None] * spectrum)
    trace, cols = descent.run_block(model, theta0, alpha, seeds, settings, scalar=False, method=m)
    cols["alpha_critical"] = (m.critical_alpha_lambda() / lambda_max)[trace.run]
    cols["rate_theory"] = rate[trace.run]
    cols["rate_theory_next"] = following[trace.run]
    return cols
