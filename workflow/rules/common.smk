# Config loading, validation, wildcard constraints; every input and param comes from
# gdlab.plan (the config and the problem registry), never from a problem's name.
import os
import sys
from pathlib import Path

# The workflow's own folder (preflight.smk): its schema, its src/ and its default
# config, also when it runs as a module of another workflow or with --directory.
ROOT = GDLAB_ROOT
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
from gdlab import fingerprints, interrupt, plan, problems

# Every job's `python` starts with SIGINT blocked where env can (a shell function
# the prefix defines), so that a Ctrl-C during Python's start-up waits for the
# job's one-line handler (gdlab.interrupt) instead of printing a traceback.  Not
# part of a rule's shell text: nothing reruns for it.
# (its braces doubled: Snakemake formats the prefix like a rule's shell text)
_block_sigint = interrupt.shell_prefix().replace("{", "{{").replace("}", "}}")
shell.prefix(f"set -euo pipefail; {_block_sigint}")

# A problem folder that lacks a piece, then every problem of the merged
# configuration (files, --config), printed alone (no traceback) before any job or
# results/ exists; see gdlab.problems and gdlab.config.
_cli = dict(workflow.config_settings.config)
_problems = (
    problems.problems_missing()
    or gdconfig.check_files(workflow.configfiles)
    or gdconfig.messages(
        config,
        gdconfig.load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml"),
        _cli,
    )
)
if _problems:
    gdconfig.fail(
        _problems,
        gdconfig.sources(
            workflow.configfiles, workflow.config_settings.configfiles, _cli
        ),
    )

# Loaded as a module of a host workflow (`module gdlab: ...`): Snakemake gives a
# module a namespace.  Then gdlab marks no default target (the host keeps its own).
AS_MODULE = workflow.modifier.namespace is not None

# every rule is made for the study's problems; `only` narrows what the run targets
PROBLEMS = plan.study(config)
ITERATIVE = plan.iterative(config)
SPECS = {p: problems.spec(p) for p in PROBLEMS}
THRESHOLDS = plan.with_thresholds(config)
# One conda environment per kind of rule (snakemake --sdm conda), each the part of
# pyproject.toml's dependencies its jobs import (tests/unit/test_envs.py checks it);
# environment.yml is the whole development environment, used by no rule.
ENVS = {
    "solver": "../envs/solver.yaml",
    "aggregate": "../envs/aggregate.yaml",
    "figures": "../envs/figures.yaml",
    "charts": "../envs/charts.yaml",
}


wildcard_constraints:
    problem=plan.problem_re(config),
    setting=plan.grid.setting_re(),
    seeds=plan.grid.SEEDS_RE,


# ---- code: Snakemake's code trigger sees only shell text and the mtime of script
# files.  So each job runs its code as `python -m gdlab...` and carries the
# fingerprint of all it imports as a param (gdlab.fingerprints, gdlab.codedeps): a
# real edit reruns exactly the jobs that run the edited file; a touch, a moved
# checkout or a formatting-only edit (comments, blank lines, ruff format) reruns
# nothing.
def summaries_of(wildcards):
    return plan.summaries_of(config, wildcards.problem)


def table_runs_of(wildcards):
    return plan.table_runs_of(config, wildcards.problem)


def caption(problem, output):
    return str(problems.caption(problem, output))


def fixed(value):
    """A param of a generated rule: a function, so that Snakemake does not read the
    braces of a JSON string as wildcards."""
    return lambda wildcards: value
