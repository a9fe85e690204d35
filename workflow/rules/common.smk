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

from gdlab import codedeps
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


# ---- code: Snakemake's code trigger sees only shell text and the mtime of script
# files (CONVENTIONS.md, trap 2).  So each job runs its code from a shell command
# and carries gdlab.codedeps.fingerprint of all it imports as a param: a real edit
# reruns exactly the jobs that run the edited file; a touch, a moved checkout or a
# formatting-only edit (comments, blank lines, ruff format) reruns nothing.
def code(*entries, problem=None):
    """{path: digest} of the entry points' import closure (+ the problem's module)."""
    if problem is not None:
        entries += (f"src/gdlab/problems/{problem}.py",)
    return codedeps.fingerprint(ROOT, *entries)


def solver_code(wildcards):
    return code("src/gdlab/solve.py", problem=wildcards.problem)


def script_code(name, problem=None):
    return code(f"workflow/scripts/{name}.py", problem=problem)


def as_json(value):
    """A param for the shell: canonical JSON (a builtin str, tracked exactly)."""
    return json.dumps(value, sort_keys=True)


def sharp_wide_setting(key, default):
    """One key of sharp_wide's config section (the figures' params)."""
    return config["problems"].get("sharp_wide", {}).get(key, default)


# ---- grid helpers
def runs_of(problem):
    """The Parquet files of one problem under the current config (never a glob)."""
    return [job.path for job in grid.jobs(config, problem)]


def solver_settings(wildcards):
    """The config slice a solver job depends on, as canonical JSON (a str param)."""
    return as_json(grid.solver_settings(config, wildcards.problem))


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
