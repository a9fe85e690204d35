"""``momentum_lsq`` — heavy ball and Nesterov on least squares ½‖Xθ − Y‖², with the
same X, Y and θ_0 draws as ``lsq_gd`` (its seed stream, ``seed_stream="lsq_gd"``).

Over a grid of (method, β, h = α·λ_max), λ_max = ρ(XᵀX) of each seed's X: along each
eigenvector of XᵀX (eigenvalue λ) the error obeys the method's 2 × 2 companion matrix
at αλ, so heavy ball converges iff h < 2(1 + β), Nesterov iff h < (2 + 2β)/(1 + 2β),
at the largest spectral radius over the eigenvalues (docs/theory.md, "Momentum").
"""

from gdlab import momentum
from gdlab.limits import Footprint, shape_messages
from gdlab.spec import (
    Check,
    Figure,
    Problem,
    Thresholds,
    gd_section,
    ref,
    threshold_key,
)

NAME = "momentum_lsq"


def validate(section: dict, config: dict) -> list[str]:
    return shape_messages(
        f"problems.{NAME}.shape", section["shape"], need_tall=True
    ) + momentum.validate(section, NAME)


def footprint(section: dict) -> Footprint:
    """As ``lsq_gd``'s: each seed's X and XᵀX in the block, and θ_{k−1} besides θ_k."""
    n, p = section["shape"]
    return Footprint(dimension=p, per_seed=6 * n * p + 3 * p * p + 4 * n + 2 * p)


SPEC = Problem(
    name=NAME,
    title="Heavy ball and Nesterov on least squares converge iff αλ_max < h*(β), at the "
    "companion matrices' spectral radius",
    constant_hessian=True,
    order=7,
    seed_stream="lsq_gd",
    grid=momentum.GRID,
    schema=gd_section(
        "heavy ball and Nesterov on least squares (lsq_gd's draws), over every (method, "
        "beta, alpha_lambda_max) of the three lists",
        (momentum.H, ref("step_sizes", "step sizes h = alpha * rho(X^T X) of each seed's X")),
        optional=threshold_key("h = alpha * rho(X^T X) (theory: h* of each method and beta)"),
        before={
            **momentum.grid_keys("least squares"),
            "shape": ref("shape", "[N, p] of X with N >= p, so that X^T X is invertible"),
        },
    ),
    validate=validate,
    theory=momentum.THEORY,
    columns={
        "method": ("string", "the iteration of a momentum problem: heavy_ball or nesterov"),
        "beta": ("float64", "the momentum β of a momentum problem's iteration"),
        momentum.H: ("float64", "the grid value h = α·λ_max of a momentum problem"),
    },
    thresholds=Thresholds(
        "stability:cases",
        bracket=(1.0, 4.5),
        count=momentum.threshold_count(NAME, per_group="seeds"),
        config={
            "methods": f"problems.{NAME}.methods",
            "betas": f"problems.{NAME}.betas",
            "seeds": f"problems.{NAME}.seeds",
            "shape": f"problems.{NAME}.shape",
            "root_seed": "root_seed",
        },
        axis="αλ_max",
        axis_note="the step size in units of 1/ρ(XᵀX) of the seed's X",
    ),
    check_schema={
        "optimum_rtol": ref(
            "tol", "heavy ball's measured rate at its optimum (alpha*, beta*) vs sqrt(beta*)"
        )
    },
    checks=(
        Check(
            "momentum_optimum",
            "optimum:check",
            "heavy ball's optimum: measured rate vs √β* (JSON download)",
            config={
                "rtol": "checks.optimum_rtol",
                "seeds": f"problems.{NAME}.seeds",
                "shape": f"problems.{NAME}.shape",
                "root_seed": "root_seed",
            },
        ),
    ),
    figures=(
        Figure(
            "momentum_map",
            "stability_map:figure",
            "the (αλ_max, β) plane: measured stable region and rate, both theories, the optimum",
            config={"shape": f"problems.{NAME}.shape", "root_seed": "root_seed"},
            data="runs",
        ),
    ),
    trajectories=10,
    footprint=footprint,
)
