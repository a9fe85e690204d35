"""The numerics of ``momentum_lsq``: heavy ball or Nesterov on least squares
½‖Xθ − Y‖², a block of seeds at one (method, β, h).

X, Y and θ_0 are ``lsq_gd``'s draws (its seed stream: the same numbers for the same
seed and root seed).  With XᵀX = VΛVᵀ and α = h/λ_max, the error along eigenvector i
obeys the method's companion matrix at αλ_i (:meth:`gdlab.methods.Method.companion`):
a run converges iff every one has spectral radius below 1, asymptotically at the
largest of them.
"""

from __future__ import annotations

import numpy as np

from gdlab import descent, objectives, seeding
from gdlab.methods import by_name, rates
from gdlab.problems.momentum_lsq import SPEC

Model = objectives.LeastSquares  # the block's model (gdlab.objectives)


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`): ``lsq_gd``'s."""
    return seeding.process(
        "SeedSequence",
        *objectives.least_squares_draws(settings["shape"]),
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


def run(settings: dict, value, seeds: list[int], traced: int | None = None) -> dict:
    name, beta, h = value
    m = by_name(name, beta)
    model, theta0, spectrum = problem_data(seeds, settings["shape"], settings["root_seed"])
    lambda_max = spectrum[:, 0]
    with np.errstate(over="ignore"):
        alpha = h / lambda_max
        rate, following = rates(m, alpha[:, None] * spectrum)
    trace, cols = descent.run_block(
        model, theta0, alpha, seeds, settings, scalar=False, method=m, traced=traced
    )
    cols["alpha_critical"] = (m.critical_alpha_lambda() / lambda_max)[trace.run]
    cols["rate_theory"] = rate[trace.run]
    cols["rate_theory_next"] = following[trace.run]
    return cols
