"""``sharp_wide`` — which minimum GD finds (homework problem 4).

f(x) = s(x)·10x² + (1 − s(x))·(½(x − 10)² + 50),  s(x) = 1/(1 + e^{3(x−3)}): a sharp
minimum near 0 (f'' ≈ 20.1), a local maximum near 3.18 and a wide minimum near 10
(f'' ≈ 1).  GD is linearly stable at a minimum x* iff α < 2/f''(x*).
"""

import math

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

MINIMA = ("sharp", "wide", "maximum")


def validate(section: dict, config: dict) -> list[str]:
    lo, hi = section["start_interval"]
    if not lo < hi:
        return [
            f"problems.sharp_wide.start_interval: [{lo}, {hi}] is empty; allowed: [lo, hi] with lo < hi"
        ]
    if not math.isfinite(float(hi) - float(lo)):
        return [
            f"problems.sharp_wide.start_interval: [{lo}, {hi}] is wider than the largest "
            "floating-point number (hi − lo overflows); allowed: hi − lo finite"
        ]
    return []


def _step_range(description: str, null: bool = False) -> dict:
    """The schema of ``{min, max, count}``: ``count`` step sizes from min to max."""
    return {
        "type": ["object", "null"] if null else "object",
        "additionalProperties": False,
        "required": ["min", "max", "count"],
        "description": description,
        "properties": {
            "min": ref("step_size"),
            "max": ref("step_size"),
            "count": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1000,
                "description": "number of step sizes (1 to 1000)",
            },
        },
    }


# the summary columns its figures read: where each run started and ended (ends.py)
ENDS = ("alpha", "outcome", "minimum", "x_start", "x_final")
HOMEWORK = {
    "homework_alphas": "problems.sharp_wide.alphas",
    "start_interval": "problems.sharp_wide.start_interval",
}

SPEC = Problem(
    name="sharp_wide",
    title="GD cannot end in a minimum x* where α > 2/f''(x*): which minimum it finds depends on α",
    order=4,
    grid=Grid("alphas", "alpha"),
    schema=gd_section(
        "which minimum GD finds on the sharp/wide landscape",
        (
            "alphas",
            ref(
                "step_sizes",
                "the homework's step sizes (stacked bars of the basin-ratio figure)",
            ),
        ),
        optional={
            "sweep": _step_range("extra log-spaced step sizes from min to max (both > 0)"),
            "window": _step_range(
                "extra evenly spaced step sizes from min to max (both > 0): a fine window, e.g. "
                "around 2/f''(sharp) where orbits double their period; null for none (a config "
                "given with --configfile is merged over config/config.yaml, whose window it "
                "would otherwise keep)",
                null=True,
            ),
            **threshold_key(),
        },
        before={
            "start_interval": {
                "type": "array",
                "items": {
                    "type": "number",
                    "description": "lo and hi of [lo, hi] are finite numbers",
                },
                "minItems": 2,
                "maxItems": 2,
                "description": "[lo, hi): x_0 ~ Uniform[lo, hi), lo < hi (the homework: [-5, 20))",
            }
        },
    ),
    validate=validate,
    thresholds=Thresholds("stability:cases", bracket=(0.01, 4.0), count=2),
    # no figure draws a trajectory (they read one row per run): the first 10 seeds
    # of each α keep theirs for a reader
    trajectories=10,
    theory="theory",
    columns={
        "x": ("float64", "the iterate θ_k (x_k) of a one-dimensional problem"),
        "minimum": (
            "string",
            "where a converged run ended: " + ", ".join(MINIMA) + "; NULL if it reached none",
        ),
    },
    trace=("x",),
    figures=(
        Figure(
            "basin_ratio",
            "basin_ratio:figure",
            "basin ratio: where GD ends, per α",
            config=HOMEWORK,
            data="runs",
            columns=ENDS,
        ),
        Figure(
            "sharp_wide_landscape",
            "landscape:figure",
            "landscape: f(x), where runs start and end",
            config=HOMEWORK,
            data="runs",
            columns=ENDS,
        ),
        Figure(
            "basin_map",
            "basin_map:figure",
            "basin map: where GD ends, over step size α and start x₀",
            config={"start_interval": "problems.sharp_wide.start_interval"},
            data="runs",
            columns=ENDS,
        ),
        Figure(
            "basin_momentum",
            "basin_momentum:figure",
            "basins under momentum: where the study's starts end, per α, under heavy ball "
            "and Nesterov for β = 0, 0.5, 0.9",
            data="tables",
            tables=("momentum_basins",),
        ),
        Figure(
            "bifurcation",
            "bifurcation:figure",
            "bifurcation diagram: each run's last iterate against α, by where it ended",
            config={"start_interval": "problems.sharp_wide.start_interval"},
            data="runs",
            columns=ENDS,
        ),
    ),
    checks=(
        Check(
            "momentum_basins",
            "momentum_basins:check",
            "basins under momentum: no run ends at a minimum beyond its method's bound "
            "(JSON download)",
            config={
                "start_interval": "problems.sharp_wide.start_interval",
                "seeds": "problems.sharp_wide.seeds",
                "max_steps": "problems.sharp_wide.max_steps",
                "tolerance": "problems.sharp_wide.tolerance",
                "divergence_factor": "problems.sharp_wide.divergence_factor",
                "root_seed": "root_seed",
            },
            tables=("momentum_basins",),
            # it runs the study's first starts again under each method
            # (momentum_basins.py) and reads no row of the study's runs: the least it can
            data="runs",
            columns=("alpha",),
        ),
    ),
    charts=(
        Chart(
            "sharp_wide_basins",
            "chart:chart",
            "basins: where GD ends per α, beside 2/f''(x*)",
            data="table",
        ),
    ),
    table_notes={
        "share_sharp": "share of starts that ended in the sharp minimum",
        "share_wide": "share of starts that ended in the wide minimum",
        "share_cycle": "share of starts that settled on a periodic orbit",
        "share_aperiodic": "share of starts that moved aperiodically (a positive Lyapunov "
        "exponent)",
        "alpha_monotone": "1/max f'': at or below it the GD map is non-decreasing, so no run "
        "can settle on an orbit or move aperiodically",
        "moving_where_monotone": "runs on an orbit or aperiodic at α ≤ alpha_monotone: must be 0",
        **{
            f"share_{c}_{end}": f"{'lower' if end == 'lo' else 'upper'} end of the 95 % Wilson "
            f"interval of share_{c} (the starts are the same for every α)"
            for c in ("sharp", "wide", "cycle", "aperiodic")
            for end in ("lo", "hi")
        },
        **{
            f"rate_{kind}_{m}": f"median {'measured' if kind == 'empirical' else 'predicted'} "
            f"rate of the runs that converged to the {m} minimum"
            + ("" if kind == "empirical" else ": |1 − α f''(x*)| there")
            for m in ("sharp", "wide")
            for kind in ("empirical", "theory")
        },
        "share_sharp_gradient_flow": "share of the start interval left of the local maximum: "
        "where gradient flow (α → 0) ends in the sharp minimum",
    },
)
