"""``quadratic`` — GD on f(θ) = θ²/2 (homework problem 2).

θ_{k+1} = (1 − α) θ_k, hence θ_k = θ_0 (1 − α)^k: GD converges for 0 < α < 2,
keeps |θ_k| = |θ_0| at α = 2 and diverges for α > 2, at the rate |1 − α| per step.
"""

from gdlab.spec import Chart, Figure, Grid, Problem, Thresholds, gd_section, ref, threshold_key

SPEC = Problem(
    name="quadratic",
    title="GD on θ²/2 converges iff α < 2, at the rate |1 − α| per step",
    constant_hessian=True,
    order=2,
    grid=Grid("alphas", "alpha"),
    schema=gd_section(
        "GD on f(theta) = theta^2/2", ("alphas", ref("step_sizes")), optional=threshold_key()
    ),
    check_schema={
        "closed_form_rtol": ref("tol", "quadratic iterates vs theta_0 (1 - alpha)^k, relative")
    },
    table_checks=("closed_form_rtol",),
    theory="theory",
    columns={"x": ("float64", "the iterate θ_k (x_k) of a one-dimensional problem")},
    trace=("x",),
    figures=(
        Figure(
            "convergence_quadratic",
            "gdlab.plots.convergence:figure",
            "convergence: distance to the optimum vs step",
            options={
                "ylabel": r"$|\theta_k|\,/\,|\theta_0|$",
                "model": r"GD on $f(\theta) = \theta^2/2$:  $\theta_k = (1-\alpha)^k\,\theta_0$",
                "rho": r"$\rho = |1-\alpha|$",
            },
        ),
    ),
    charts=(Chart("quadratic_rates", "chart:chart", "rates: measured vs |1 − α|, per run"),),
    thresholds=Thresholds("stability:cases", bracket=(1.5, 3.0)),
    # its table holds every recorded iterate to the closed form: it reads every run's
    # rows, so every seed keeps them (trajectories None, the default)
    table_reads_rows=True,
    table_notes={
        "closed_form_max_rel_err": "largest relative error of θ_k vs θ₀(1 − α)^k",
    },
)
