"""``ill_quadratic`` — GD on f(θ) = ½θᵀHθ with H = diag(1, κ), κ = 10.

θ_k = (I − αH)^k θ_0, so GD converges iff α < 2/λ_max(H) = 2/κ = 0.2, stays on a
two-cycle in the stiff direction at α = 0.2 and diverges above it, at the rate
max(|1 − α|, |1 − ακ|) per step.  A worked example of a problem added as one folder
(tests/workflow/test_new_problem.py copies it into a workflow).
"""

from gdlab.spec import Grid, Problem, gd_section, ref
from gdlab.theory import Threshold

KAPPA = 10.0

SPEC = Problem(
    name="ill_quadratic",
    title="GD on ½θᵀdiag(1, κ)θ converges iff α < 2/κ",
    order=6,
    constant_hessian=True,
    grid=Grid("alphas", "alpha"),
    schema=gd_section("GD on an ill-conditioned 2-D quadratic", ("alphas", ref("step_sizes"))),
    theory=Threshold(critical=2.0 / KAPPA, symbol="α"),
)
