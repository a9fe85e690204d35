"""``momentum_quadratic`` — heavy ball and Nesterov on f(θ) = θ²/2 (docs/theory.md,
"Momentum").

Heavy ball θ_{k+1} = θ_k − αθ_k + β(θ_k − θ_{k−1}) and Nesterov's method
y_k = θ_k + β(θ_k − θ_{k−1}), θ_{k+1} = y_k − αy_k, both from θ_{−1} = θ_0, over a grid
of (method, β, h = α·λ_max); here λ_max = f'' = 1, so h = α.  Heavy ball converges iff
0 < h < 2(1 + β), Nesterov iff 0 < h < (2 + 2β)/(1 + 2β); at the threshold the
iteration's 2 × 2 companion matrix has the eigenvalue −1 (a neutral 2-orbit).
"""

from gdlab import momentum
from gdlab.spec import Problem, Thresholds, gd_section, ref, threshold_key

NAME = "momentum_quadratic"


def validate(section: dict, config: dict) -> list[str]:
    return momentum.validate(section, NAME)


SPEC = Problem(
    name=NAME,
    title="Heavy ball on θ²/2 converges iff α < 2(1 + β), Nesterov iff α < (2 + 2β)/(1 + 2β)",
    constant_hessian=True,
    order=6,
    grid=momentum.GRID,
    schema=gd_section(
        "heavy ball and Nesterov on f(theta) = theta^2/2, over every (method, beta, "
        "alpha_lambda_max) of the three lists",
        (momentum.H, ref("step_sizes", "step sizes h = alpha * lambda_max (here h = alpha)")),
        optional=threshold_key("h = alpha * lambda_max (theory: h* of each method and beta)"),
        before=momentum.grid_keys("theta^2/2"),
    ),
    validate=validate,
    theory=momentum.THEORY,
    columns={
        "method": ("string", "the iteration of a momentum problem: heavy_ball or nesterov"),
        "beta": ("float64", "the momentum β of a momentum problem's iteration"),
        momentum.H: ("float64", "the grid value h = α·λ_max of a momentum problem"),
        "x": ("float64", "the iterate θ_k (x_k) of a one-dimensional problem"),
    },
    trace=("x",),
    thresholds=Thresholds(
        "stability:cases",
        bracket=(1.0, 4.5),
        count=momentum.threshold_count(NAME),
        config={"methods": f"problems.{NAME}.methods", "betas": f"problems.{NAME}.betas"},
        axis="αλ_max",
        axis_note="the step size in units of 1/λ_max (here 1)",
    ),
)
