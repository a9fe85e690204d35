"""``fractal`` — the boundary of trainability on the step-size axis, and its dimension.

GD on f(x) = x² + δ·cos(2πx/λ) or x²·(1 + δ·cos(2πx/λ)) from x₀, 1000 steps, at the
2^k + 1 step sizes α_i = i·1.5/2^k; a run diverges when its loss exceeds the bound at
some step (Liu 2024, arXiv 2406.13971).  numB(j) counts the neighbours whose outcomes
differ among the 2^j + 1 points α_{i·2^(k−j)}; the slope of log₂ numB against j is
the boundary's box-counting dimension.  Checked: with δ = 0 the only boundary is at
α* = (1 + (√bound/abs(x₀))^(1/steps))/2; numB never decreases with j; every α index of
every setup is there once.  A grid point is a named setup; its runs are its α
indices (the ``seed`` column), cut into blocks by the solver jobs.
"""

from gdlab.limits import DEFAULT_JOB_MEMORY_MB
from gdlab.problems.fractal.setups import FORMS, named, points
from gdlab.spec import NAME_RE, Check, Figure, Grid, Problem, ref, section

# What the jobs that read the runs hold per run, in bytes: each reads only a run's
# setting, α index and outcome (OUTCOME).  Measured at k = 22 (docs/fractal.md): the
# table job, one setup of 4.2 million runs at a time, peaked at 590 MB; the check and
# the figures, every run of the problem (8.4 million), at 1.02-1.05 GB; with the
# interpreter's ~100 MB, 110-120 bytes a run, rounded up.
BYTES_PER_RUN = 150
K_MAX = 40  # the schema's bound on k (2^40 runs: far beyond any configured limit)
# what its table, check and figures read of each run besides its setting and seed: the
# α index is the seed, diverged or not its outcome
OUTCOME = ("outcome",)


def _range(what: str) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["min", "max", "count"],
        "description": f"{what}: count values evenly spaced from min to max (both included)",
        "properties": {
            "min": {"type": "number"},
            "max": {"type": "number"},
            "count": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    }


def _setup_schema(grid: bool) -> dict:
    delta = {"type": "number", "minimum": 0, "description": "the perturbation's amplitude δ >= 0"}
    wavelength = {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "the perturbation's wavelength λ > 0",
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["form", "delta", "wavelength", "x0", "k"],
        "description": "a (δ, λ) grid of setups" if grid else "one setup",
        "properties": {
            "form": {
                "enum": list(FORMS),
                "description": "additive: x² + δ·cos(2πx/λ); multiplicative: x²·(1 + δ·cos(2πx/λ))",
            },
            "delta": _range("δ") if grid else delta,
            "wavelength": _range("λ") if grid else wavelength,
            "x0": {"type": "number", "description": "the start x₀ of every run"},
            "k": {
                "type": "integer",
                "minimum": 0,
                "maximum": K_MAX,
                "description": f"2^k + 1 step sizes α_i = i·1.5/2^k (0 <= k <= {K_MAX})",
            },
        },
    }


def _named(item: dict, description: str) -> dict:
    return {
        "type": "object",
        "propertyNames": {"pattern": f"^{NAME_RE}$"},
        "additionalProperties": item,
        "description": description,
    }


def validate(section_: dict, config: dict) -> list[str]:
    """What the schema cannot say: a grid's λ > 0, a flat setup's x₀ ≠ 0, and k within
    the job and memory limits (one line each, naming the key and the bound)."""
    out = []
    for name, g in (section_.get("grids") or {}).items():
        w = g["wavelength"]
        if min(w["min"], w["max"]) <= 0:
            out.append(
                f"problems.fractal.grids.{name}.wavelength: {w['min']!r} to {w['max']!r} "
                "includes λ <= 0; allowed: min > 0 and max > 0"
            )
        for end in ("delta", "wavelength"):
            if g[end]["min"] > g[end]["max"]:
                out.append(
                    f"problems.fractal.grids.{name}.{end}: min {g[end]['min']!r} > max "
                    f"{g[end]['max']!r}; allowed: min <= max"
                )
        if g["delta"]["min"] < 0:
            out.append(f"problems.fractal.grids.{name}.delta: min < 0; allowed: δ >= 0")
    for name, e in section_["setups"].items():
        if e["delta"] == 0 and e["x0"] == 0:
            out.append(
                f"problems.fractal.setups.{name}.x0: 0 with δ = 0 stays at the minimum for "
                "every α (no boundary to find); allowed: x0 != 0"
            )
    if out:
        return out
    return out + _k_messages(section_, config)


def _k_messages(section_: dict, config: dict) -> list[str]:
    per_job = int(section_["seeds_per_job"])
    max_jobs = int(config.get("max_jobs", 20000))
    budget = int(config.get("max_job_memory_mb", DEFAULT_JOB_MEMORY_MB)) * 2**20
    # 2^k + 1 runs in at most max_jobs jobs of per_job, and held by one job whole
    k_jobs = (max_jobs * per_job - 1).bit_length() - 1
    k_memory = (budget // BYTES_PER_RUN - 1).bit_length() - 1
    bound = min(k_jobs, k_memory)
    out = []
    for name, s in named(section_).items():
        if s.k > bound:
            where = name.rsplit("-d", 1)[0] if name not in section_["setups"] else name
            key = "setups" if name in section_["setups"] else "grids"
            why = (
                f"max_jobs = {max_jobs:,} solver jobs of seeds_per_job = {per_job:,} runs"
                if k_jobs <= k_memory
                else f"max_job_memory_mb = {budget // 2**20:,} for the jobs that read a whole "
                f"setup (~{BYTES_PER_RUN} bytes a run)"
            )
            msg = f"problems.fractal.{key}.{where}.k: {s.k} makes 2^{s.k} + 1 runs, more than {why} allow; allowed: k <= {bound}"
            if msg not in out:
                out.append(msg)
    total = sum(s.runs for s in named(section_).values())
    if not out and total * BYTES_PER_RUN > budget:
        out.append(
            f"problems.fractal: its setups hold {total:,} runs in all, and the check and figure "
            f"jobs read them all (~{BYTES_PER_RUN} bytes a run), more than "
            f"max_job_memory_mb = {budget // 2**20:,} allows; allowed: at most "
            f"{budget // BYTES_PER_RUN:,} runs (lower k or drop setups)"
        )
    return out


SPEC = Problem(
    name="fractal",
    title="the boundary of trainability on the step-size axis: numB(j) and its dimension",
    order=10,  # beyond the homework's five (a sixth, added by hand, takes 6)
    grid=Grid("setups", "setup", kind="name"),
    points=points,
    iterative=False,
    seeding="none",
    schema=section(
        "GD on x² + δ·cos(2πx/λ) or x²·(1 + δ·cos(2πx/λ)) over 2^k + 1 step sizes "
        "(docs/fractal.md)",
        {
            "setups": _named(_setup_schema(grid=False), "single setups, by name"),
            "grids": {
                **_named(_setup_schema(grid=True), "(δ, λ) grids of setups, by name"),
                "type": ["object", "null"],
            },
            "seeds_per_job": {
                "type": "integer",
                "minimum": 1,
                "maximum": 2**24,
                "description": "α indices (runs) per solver job, 1 to 2^24",
            },
            "points_per_job": ref("points_per_job"),
            "max_steps": ref("max_steps"),
            "loss_bound": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "a run diverges when its loss exceeds this at some step (> 0)",
            },
        },
        ["setups", "seeds_per_job", "max_steps", "loss_bound"],
    ),
    validate=validate,
    theory="theory",
    table_columns=OUTCOME,
    columns={"x": ("float64", "the iterate θ_k (x_k) of a one-dimensional problem")},
    trace=("x",),
    figures=(
        Figure(
            "fractal_barcode",
            "figures:barcode",
            "barcode: bounded or diverged against α, with zooms at three scales",
            config={"section": "problems.fractal"},
            data="runs",
            columns=OUTCOME,
        ),
        Figure(
            "fractal_dimension",
            "figures:dimension",
            "log₂ numB(j) against j, with the fitted slope (the box-counting dimension)",
            config={"section": "problems.fractal"},
            data="runs",
            columns=OUTCOME,
        ),
    ),
    checks=(
        Check(
            "fractal_boundary",
            "checks:boundary_counts",
            "boundary counts: δ = 0 at α*, numB monotone, every α index once (JSON download)",
            config={"section": "problems.fractal"},
            tables=("fractal_boundary",),
            data="runs",
            columns=OUTCOME,
        ),
    ),
    table_notes={
        "form": "additive x² + δ·cos(2πx/λ) or multiplicative x²·(1 + δ·cos(2πx/λ))",
        "delta": "δ",
        "wavelength": "λ",
        "x0": "x₀",
        "k": "2^k + 1 step sizes α_i = i·1.5/2^k",
        "diverged": "runs whose loss passed the bound",
        "max_steps": "runs bounded through the step budget",
        "numB": "boundary points at the finest resolution, numB(k)",
        "dimension": "slope of log₂ numB(j) against j where numB > 1 (least squares)",
        "dimension_se": "its standard error",
        "j_min": "the fit's first j (numB(j) > 1 from there)",
        "j_max": "the fit's last j (= k)",
        "alpha_star": "δ = 0: the theory's boundary (1 + (√bound/abs(x₀))^(1/steps))/2",
    },
)
