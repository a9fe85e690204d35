"""``conv_huber`` — a matrix-free 1-D convolution trained with a Huber loss (problem 5).

F(x) = huber(Ax − b) + (λ/2)‖x‖², A the valid cross-correlation with a filter k of
length r, minimised by GD from x = 0; GD converges for α < 2/(‖A‖₂² + λ).  Seeds
draw from NumPy's legacy ``RandomState(seed)``, so seed 0 is the homework's
reference run (r = 3, n = 20, λ = 0.1, α = 0.01: F(x_100) = 0.4587586843129764).
"""

from gdlab.limits import Footprint
from gdlab.spec import (
    Chart,
    Check,
    Figure,
    Grid,
    Problem,
    Thresholds,
    gd_section,
    ref,
    threshold_key,
)

GRID = Grid("alphas", "alpha")


def validate(section: dict, config: dict) -> list[str]:
    out = []
    if section["r"] > section["n"]:
        out.append(
            f"problems.conv_huber: filter length r = {section['r']} > signal length n = "
            f"{section['n']} (A would have no rows); allowed: r <= n"
        )
    return out + _reference_run(section, config["checks"]["conv_huber"])


def footprint(section: dict) -> Footprint:
    """Each run's iterate, filter and signal (n floats each, and the gradient's
    temporaries) stay in the block; the dense check of A, Aᵀ builds n × n matrices, one
    seed at a time."""
    n = section["n"]
    return Footprint(dimension=n, per_seed=section["r"] + 8 * n, once=3 * n * n)


def _reference_run(section: dict, ref_: dict) -> list[str]:
    """The check compares one run of the grid with the homework's value: that run must
    exist, or the check could only fail after every job has run."""
    out = []
    settings = [GRID.point(a) for a in section["alphas"]]
    if GRID.point(ref_["alpha"]) not in settings:
        out.append(
            f"checks.conv_huber.alpha: {ref_['alpha']!r} is not in problems.conv_huber.alphas "
            f"{section['alphas']!r}, so the reference run would not exist; add it to the alphas "
            "(the homework's reference run is α = 0.01)"
        )
    if ref_["seed"] >= section["seeds"]:
        out.append(
            f"checks.conv_huber.seed: {ref_['seed']} is not among the seeds 0..{section['seeds'] - 1} "
            f"of problems.conv_huber (seeds: {section['seeds']}); allowed: seed < problems.conv_huber.seeds"
        )
    if section["reference_step"] > section["max_steps"]:
        out.append(
            f"problems.conv_huber.reference_step: {section['reference_step']} > max_steps "
            f"{section['max_steps']}, so no run reaches it; allowed: reference_step <= max_steps"
        )
    return out


SPEC = Problem(
    name="conv_huber",
    title="a matrix-free convolution with a Huber loss reproduces the homework's "
    "F(x₁₀₀) = 0.4587586843129764",
    order=5,
    grid=GRID,
    seeding="legacy",
    schema=gd_section(
        "matrix-free 1-D convolution trained with a Huber loss",
        ("alphas", ref("step_sizes")),
        optional=threshold_key(),
        before={
            "r": {
                "type": "integer",
                "minimum": 1,
                "description": "filter length r (an integer >= 1, r <= n)",
            },
            "n": {
                "type": "integer",
                "minimum": 1,
                "maximum": 2000,
                "description": "signal length n, an integer with r <= n <= 2000 (the check "
                "builds the dense (n-r+1) x n matrix per seed)",
            },
            "lam": {"type": "number", "minimum": 0, "description": "ridge weight lambda >= 0"},
        },
        after={
            "reference_step": {
                "type": "integer",
                "minimum": 0,
                "description": "the step whose objective is compared with the reference value "
                "(the homework's 100)",
            }
        },
    ),
    check_schema={
        "conv_huber": {
            "type": "object",
            "additionalProperties": False,
            "required": ["seed", "alpha", "value", "rtol", "operator_rtol"],
            "description": "the reference run and its tolerances",
            "properties": {
                "seed": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "seed of the reference run (0)",
                },
                "alpha": ref("step_size"),
                "value": {
                    "type": "number",
                    "description": "the homework's F(x_100): 0.4587586843129764",
                },
                "rtol": ref("tol"),
                "operator_rtol": ref("tol"),
            },
        }
    },
    validate=validate,
    thresholds=Thresholds(
        "stability:cases",
        bracket=(0.05, 20.0),
        count="problems.conv_huber.seeds",
        config={
            "seeds": "problems.conv_huber.seeds",
            "r": "problems.conv_huber.r",
            "n": "problems.conv_huber.n",
            "lam": "problems.conv_huber.lam",
        },
    ),
    theory="theory",
    columns={
        "alpha_lipschitz": (
            "float64",
            "2/(‖A‖₂² + λ): below it GD converges from any start (the global guarantee)",
        ),
        "err_dense": ("float64", "rel. error matrix-free A, Aᵀ vs dense matrix"),
        "err_adjoint": ("float64", "rel. error of ⟨Ax, y⟩ = ⟨x, Aᵀy⟩"),
    },
    figures=(
        Figure(
            "conv_huber_objective",
            "objective:figure",
            "objective F(x_k) vs step, the reference run",
            config={
                "reference_seed": "checks.conv_huber.seed",
                "reference_alpha": "checks.conv_huber.alpha",
                "reference_value": "checks.conv_huber.value",
                "reference_step": "problems.conv_huber.reference_step",
            },
        ),
    ),
    charts=(
        Chart(
            "conv_huber_descent",
            "chart:chart",
            "descent: F(x_k) of every run, the reference value",
            config={
                "reference_seed": "checks.conv_huber.seed",
                "reference_alpha": "checks.conv_huber.alpha",
                "reference_value": "checks.conv_huber.value",
                "reference_step": "problems.conv_huber.reference_step",
            },
            data="trace",
        ),
    ),
    checks=(
        Check(
            "conv_huber",
            "checks:reference_and_operator",
            "reference value and operator (JSON download)",
            config={
                "tolerances": "checks.conv_huber",
                "reference_step": "problems.conv_huber.reference_step",
            },
        ),
    ),
    table_notes={
        "alpha_lipschitz_min": "smallest 2/(‖A‖₂² + λ) over the seeds: below it GD converges "
        "from any start",
        "alpha_critical_min": "smallest 2/λ_max(AᵀDA + λI) at the minima the converged runs "
        "reached (the local threshold; runs that reached no limit have none)",
        "runs_below_critical": "runs whose α is below their seed's 2/(‖A‖₂² + λ)",
    },
    footprint=footprint,
)
