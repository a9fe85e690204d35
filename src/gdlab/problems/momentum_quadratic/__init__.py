"""``momentum_quadratic`` — heavy ball and Nesterov on f(θ) = θ²/2 (docs/theory.md,
"Momentum").

Heavy ball θ_{k+1} = θ_k − αθ_k + β(θ_k − θ_{k−1}) and Nesterov's method
y_k = θ_k + β(θ_k − θ_{k−1}), θ_{k+1} = y_k − αy_k, both from θ_{−1} = θ_0, over a grid
of (method, β, h = α·λ_max); here λ_max = f'' = 1, so h = α.  Heavy ball converges iff
0 < h < 2(1 + β), Nesterov iff 0 < h < (2 + 2β)/(1 + 2β); at the threshold the
iteration's 2 × 2 companion matrix has the eigenvalue −1 (a neutral 2-orbit).
"""

from gdlab.spec import Grid, Problem, Thresholds, gd_section, ref, threshold_key

# The methods a grid point may run, and the h = α·λ_max above which each diverges
# (gdlab.methods states the same; tests/unit/test_momentum.py holds them equal).
CRITICAL = {
    "heavy_ball": lambda beta: 2.0 * (1.0 + beta),
    "nesterov": lambda beta: (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta),
}
FORMULA = {"heavy_ball": "2(1 + β)", "nesterov": "(2 + 2β)/(1 + 2β)"}
# the formula at a given β ({b}), in a table's prediction
AT_BETA = {"heavy_ball": "2(1 + {b})", "nesterov": "(2 + 2·{b})/(1 + 2·{b})"}


def validate(section: dict, config: dict, name: str = "momentum_quadratic") -> list[str]:
    """Every (method, β) of the grid needs a value of h below its threshold: a grid
    whose every run diverges measures no rate and shows no stable region."""
    out = []
    for method in section["methods"]:
        for beta in section["betas"]:
            critical = CRITICAL[method](beta)
            if not any(h < critical for h in section["alpha_lambda_max"]):
                out.append(
                    f"problems.{name}.alpha_lambda_max: no value below {method}'s threshold "
                    f"{FORMULA[method]} = {critical:g} at β = {beta!r} (every run would "
                    f"diverge); allowed: at least one value 0 < αλ_max < {critical:g}"
                )
    return out


def grid_keys(what: str) -> dict:
    """The schemas of the grid's method and β lists (``before`` keys of the section)."""
    return {
        "methods": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(CRITICAL)},
            "description": f"the methods run on {what}: heavy_ball, nesterov (each once)",
        },
        "betas": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
            "description": "the momentum values β, each in [0, 1) (0 is plain GD)",
        },
    }


SPEC = Problem(
    name="momentum_quadratic",
    title="Heavy ball on θ²/2 converges iff α < 2(1 + β), Nesterov iff α < (2 + 2β)/(1 + 2β)",
    constant_hessian=True,
    order=6,
    grid=Grid(
        "alpha_lambda_max",
        "method",
        kind="pair",
        columns=("method", "beta", "alpha_lambda_max"),
        names=tuple(CRITICAL),
        keys=("methods", "betas"),
    ),
    schema=gd_section(
        "heavy ball and Nesterov on f(theta) = theta^2/2, over methods x betas x alpha_lambda_max",
        (
            "alpha_lambda_max",
            ref("step_sizes", "step sizes h = alpha * lambda_max (here lambda_max = 1: h = alpha)"),
        ),
        optional=threshold_key("h = alpha * lambda_max (theory: h* of each method and beta)"),
        before=grid_keys("theta^2/2"),
    ),
    validate=validate,
    theory="theory",
    columns={
        "method": ("string", "the iteration of a momentum problem: heavy_ball or nesterov"),
        "beta": ("float64", "the momentum β of a momentum problem's iteration"),
        "alpha_lambda_max": ("float64", "the grid value h = α·λ_max of a momentum problem"),
        "x": ("float64", "the iterate θ_k (x_k) of a one-dimensional problem"),
    },
    trace=("x",),
    thresholds=Thresholds(
        "stability:cases",
        bracket=(1.0, 4.5),
        count=8,
        axis="αλ_max",
        axis_note="the step size in units of 1/λ_max (here 1)",
        # β = 0.99 needs it: at 400 steps the transient of heavy ball's companion matrix
        # near its double eigenvalue outweighs its contraction (docs/thresholds.md)
        window=2000,
    ),
)
