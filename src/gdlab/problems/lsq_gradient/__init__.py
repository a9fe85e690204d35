"""``lsq_gradient`` — the least-squares gradient (homework problem 1).

ℓ_i(θ) = ½(X_iᵀθ − Y_i)², L(θ) = Σ_i ℓ_i(θ).  Claims: ∇ℓ_i(θ) = (X_iᵀθ − Y_i) X_i
and ∇L(θ) = Xᵀ(Xθ − Y), checked per seed and shape N×p against the sum of the
per-sample gradients and central finite differences.  No iteration.
"""

from gdlab.limits import Footprint, shape_messages
from gdlab.spec import Chart, Check, Grid, Problem, ref, section

ERRORS = ("err_sum", "err_fd", "err_sample")


def validate(section_: dict, config: dict) -> list[str]:
    return [
        m
        for i, shape in enumerate(section_["shapes"])
        for m in shape_messages(f"problems.lsq_gradient.shapes[{i}]", shape, need_tall=False)
    ]


def footprint(section_: dict) -> Footprint:
    """One seed at a time: X, its per-sample gradients and their central differences
    (N × p each), and the p × p perturbations."""
    return Footprint(once=max(8 * n * p + 3 * p * p for n, p in section_["shapes"]))


SPEC = Problem(
    name="lsq_gradient",
    title="∇L(θ) = Xᵀ(Xθ − Y) = Σᵢ∇ℓᵢ(θ), against central differences",
    order=1,
    grid=Grid("shapes", "shape", kind="shape", columns=("N", "p")),
    iterative=False,
    schema=section(
        "the least-squares gradient formulas vs finite differences",
        {
            "shapes": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": ref("shape"),
                "description": "a non-empty list of distinct shapes [N, p]",
            },
            "seeds": ref("seeds"),
            "seeds_per_job": ref("seeds_per_job"),
            "finite_difference_step": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 0.1,
                "description": "relative step h of the central differences (0 < h <= 0.1)",
            },
        },
        ["shapes", "seeds", "finite_difference_step"],
    ),
    check_schema={
        "lsq_gradient": {
            "type": "object",
            "additionalProperties": False,
            "required": list(ERRORS),
            "description": "relative tolerances of the three gradient checks",
            "properties": {e: ref("tol") for e in ERRORS},
        }
    },
    table_checks=("lsq_gradient",),
    validate=validate,
    theory="theory",
    columns={
        "N": ("int64", "rows of X (samples): the grid's shape N×p"),
        "p": ("int64", "columns of X (features)"),
        "err_sum": ("float64", "rel. error Σ∇ℓ_i vs Xᵀ(Xθ−Y)"),
        "err_fd": ("float64", "rel. error central difference vs Xᵀ(Xθ−Y)"),
        "err_sample": ("float64", "max rel. error of ∇ℓ_i vs central difference"),
    },
    charts=(
        Chart(
            "lsq_gradient_errors",
            "chart:chart",
            "errors: each run's gradient errors vs their tolerances",
            config={"tolerances": "checks.lsq_gradient"},
        ),
    ),
    checks=(
        Check(
            "lsq_gradient",
            "checks:gradient_formulas",
            "gradient formulas (JSON download)",
            config={"tolerances": "checks.lsq_gradient"},
        ),
    ),
    table_notes={
        "max_err_sum": "largest relative error of Σ∇ℓᵢ vs Xᵀ(Xθ − Y)",
        "max_err_fd": "largest relative error of central differences vs Xᵀ(Xθ − Y)",
        "max_err_sample": "largest relative error of ∇ℓᵢ vs central differences",
    },
    footprint=footprint,
)
