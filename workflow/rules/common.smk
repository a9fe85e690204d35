# Config loading, validation, wildcard constraints and every input/param helper.
import json
import os
import sys
from pathlib import Path

ROOT = Path(workflow.basedir)
SRC = ROOT / "src"
# Parse-time imports and every job run this checkout's src/gdlab, whatever is
# installed (jobs get it through PYTHONPATH, which is not a rerun trigger).
sys.path.insert(0, str(SRC))
os.environ.update(
    PYTHONPATH=os.pathsep.join(
        [str(SRC)]
        + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
)

from gdlab import config as gdconfig
from gdlab import grid

# Every problem of the merged configuration (files, --config) at once, printed
# alone (no traceback) before any job or results/ exists; see gdlab.config.
_cli = dict(workflow.config_settings.config)
_problems = gdconfig.check_files(workflow.configfiles) or gdconfig.messages(
    config,
    gdconfig.load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml"),
    _cli,
)
if _problems:
    gdconfig.fail(
        _problems,
        gdconfig.sources(
            workflow.configfiles, workflow.config_settings.configfiles, _cli
        ),
    )

PROBLEMS = [p for p in grid.PROBLEMS if p in config["problems"]]
ITERATIVE = [p for p in PROBLEMS if p != "lsq_gradient"]


wildcard_constraints:
    problem=grid.PROBLEM_RE,
    setting=grid.SETTING_RE,
    seeds=grid.SEEDS_RE,


# ---- code inputs: Snakemake does not see edits to imported modules, so each
# job lists the source files it runs as inputs (checksummed, so a touch reruns nothing).
def src(*names):
    return [f"src/gdlab/{n}" for n in names]


SOLVER_CODE = src(
    "__init__.py",
    "grid.py",
    "schema.py",
    "seeding.py",
    "solve.py",
    "problems/__init__.py",
)
AGGREGATE_CODE = src("__init__.py", "grid.py", "schema.py", "tables.py")


def solver_code(wildcards):
    extra = [] if wildcards.problem == "lsq_gradient" else src("descent.py")
    return SOLVER_CODE + extra + src(f"problems/{wildcards.problem}.py")


def table_code(problem):
    return (
        AGGREGATE_CODE
        + src(f"problems/{problem}.py")
        + ([] if problem == "lsq_gradient" else src("descent.py"))
    )


def plot_code(figure, *problems):
    """The code one figure runs: its module under plots/, the shared plotting code and
    the problem modules it imports; never another figure's module (CONVENTIONS.md, trap 2).
    """
    return AGGREGATE_CODE + src(
        "style.py",
        "plots/__init__.py",
        "plots/common.py",
        f"plots/{figure}.py",
        *(["problems/__init__.py"] if problems else []),
        *(f"problems/{p}.py" for p in problems),
    )


# ---- grid helpers
def runs_of(problem):
    """The Parquet files of one problem under the current config (never a glob)."""
    return [job.path for job in grid.jobs(config, problem)]


def solver_settings(wildcards):
    """The config slice a solver job depends on, as canonical JSON (a str param)."""
    return json.dumps(grid.solver_settings(config, wildcards.problem), sort_keys=True)


def table_checks(problem):
    c = config["checks"]
    out = {"rate_rtol": {problem: c["rate_rtol"].get(problem, 0.0)}}
    if problem == "quadratic":
        out["closed_form_rtol"] = c["closed_form_rtol"]
    if problem == "lsq_gradient":
        out["lsq_gradient"] = c["lsq_gradient"]
    if problem == "sharp_wide":
        out["start_interval"] = config["problems"]["sharp_wide"]["start_interval"]
    return out


def all_outputs():
    out = [f"results/tables/{p}.{ext}" for p in PROBLEMS for ext in ("csv", "md")]
    if "lsq_gradient" in PROBLEMS:
        out.append("results/checks/lsq_gradient.json")
    if "conv_huber" in PROBLEMS:
        out.append("results/checks/conv_huber.json")
    if ITERATIVE:
        out.append("results/checks/convergence.json")
    out += [f"results/report/tables/{p}.html" for p in PROBLEMS]
    out += expand(
        "results/figures/{figure}.{ext}", figure=figures(), ext=("png", "svg")
    )
    return out


def figures():
    """The figures of the problems in the config (names under results/figures/)."""
    wanted = {
        "sharp_wide": ["basin_ratio", "sharp_wide_landscape"],
        "quadratic": ["convergence_quadratic"],
        "lsq_gd": ["convergence_lsq_gd"],
        "conv_huber": ["conv_huber_objective"],
    }
    return [f for p in PROBLEMS for f in wanted.get(p, [])]
