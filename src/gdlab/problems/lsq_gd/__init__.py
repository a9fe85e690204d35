"""``lsq_gd`` — GD on least squares (homework problem 3).

θ_{k+1} = θ_k − α Xᵀ(Xθ_k − Y): GD converges for α < 2/ρ(XᵀX) and diverges for a
generic θ_0 above it, asymptotically at the rate max_i |1 − ασ_i²|.  The grid
value is c, the step size in units of 2/ρ(XᵀX) (ρ changes with the seed).
"""

from gdlab.limits import Footprint, shape_messages
from gdlab.spec import Chart, Figure, Grid, Problem, Thresholds, gd_section, ref, threshold_key
from gdlab.theory import Threshold


def validate(section: dict, config: dict) -> list[str]:
    return shape_messages("problems.lsq_gd.shape", section["shape"], need_tall=True)


def footprint(section: dict) -> Footprint:
    """Each seed's X (N × p) and XᵀX (p × p) stay in the block, with the copies its
    draw and its compaction make (measured: docs/performance.md)."""
    n, p = section["shape"]
    return Footprint(dimension=p, per_seed=6 * n * p + 3 * p * p + 4 * n)


SPEC = Problem(
    name="lsq_gd",
    title="GD on least squares converges iff α < 2/ρ(XᵀX), at the rate max_i |1 − ασᵢ²|",
    constant_hessian=True,
    order=3,
    grid=Grid("alpha_multiples", "c"),
    columns={"c": ("float64", "the grid value: α in units of 2/ρ(XᵀX) of the seed's X")},
    schema=gd_section(
        "GD on least squares; step sizes in units of 2/rho(X^T X)",
        (
            "alpha_multiples",
            ref(
                "step_sizes",
                "step sizes as multiples c > 0 of 2/rho(X^T X) (a non-empty list of distinct "
                "numbers); c < 1 converges, c > 1 diverges",
            ),
        ),
        optional=threshold_key("units c of 2/rho(X^T X) of each seed's X (theory: c = 1)"),
        before={
            "shape": ref("shape", "[N, p] of X with N >= p, so that X^T X is invertible"),
        },
    ),
    validate=validate,
    thresholds=Thresholds(
        "stability:cases",
        bracket=(0.5, 1.6),
        count="problems.lsq_gd.seeds",
        config={
            "seeds": "problems.lsq_gd.seeds",
            "shape": "problems.lsq_gd.shape",
            "root_seed": "root_seed",
        },
        axis="c",
        axis_note="the step size in units of 2/ρ(XᵀX) of the seed's X",
    ),
    theory=Threshold(critical=1.0, symbol="c", prediction="{outcome} (α = {value:g}·2/ρ(XᵀX))"),
    figures=(
        Figure(
            "convergence_lsq_gd",
            "gdlab.plots.convergence:figure",
            "convergence: distance to the optimum vs step",
            options={
                "ylabel": r"$\|\theta_k - \theta^*\|\,/\,\|\theta_0 - \theta^*\|$",
                "model": r"GD on $\frac{1}{2}\|X\theta - Y\|^2$ with $\alpha = c \cdot 2/\rho(X^\top X)$",
                "rho": r"$\rho = \max_i |1-\alpha\sigma_i^2|$",
            },
        ),
    ),
    charts=(Chart("lsq_gd_rates", "chart:chart", "rates: measured vs max_i |1 − ασᵢ²|, per run"),),
    # the convergence figure draws each seed's trajectory: the first 100 of each c
    trajectories=100,
    footprint=footprint,
)
