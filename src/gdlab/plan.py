"""What the workflow's rules are told, computed from the config and the registry.

The Snakefile calls these at parse time (pure Python, no NumPy): which outputs
the study has, which files a job reads, the one config slice each job gets (as
canonical JSON, so Snakemake's params trigger tracks it exactly); which code each
job runs is :mod:`gdlab.fingerprints`.  No problem is named here: everything comes
from the problems' specs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from gdlab import columns, grid, problems
from gdlab import config as gdconfig
from gdlab.spec import THRESHOLD_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def as_json(value) -> str:
    """A param for the shell: canonical JSON (a builtin str, tracked exactly)."""
    return json.dumps(value, sort_keys=True)


def lookup(config: dict, dotted: str):
    """The config value at ``a.b.c``."""
    value = config
    for part in dotted.split("."):
        value = value[part]
    return value


# ---- what the study holds -------------------------------------------------------------
def study(config: dict) -> list[str]:
    """The registered problems of the study, in registry order: those with a section
    under ``problems``, narrowed to the ``study`` key when it is set.  Every rule is
    made for them, and the study-wide files (``results/runs.parquet``, the convergence
    and threshold checks, the report) are made of them all."""
    return [p for p in problems.names() if p in gdconfig.in_study(config)]


def configured(config: dict) -> list[str]:
    """The problems this run computes: :func:`study`, narrowed to ``only`` when it is
    set (a subset: :func:`subset`)."""
    return [p for p in study(config) if p in gdconfig.selected(config)]


def subset(config: dict) -> bool:
    """The run computes part of the study (``only``): it makes its problems' own files
    and leaves every study-wide file as it was (never shrinks or replaces it)."""
    return configured(config) != study(config)


def iterative(config: dict) -> list[str]:
    """The study's problems run by GD: their tables join the convergence check."""
    return [p for p in study(config) if problems.spec(p).iterative]


def runs_of(config: dict, problem: str) -> list[str]:
    """The Parquet files of one problem under the current config (never a glob)."""
    return [job.path for job in grid.jobs(config, problem)]


def summaries_of(config: dict, problem: str) -> list[str]:
    """The per-run summaries the solver jobs of one problem write (one per run file)."""
    return [job.summary for job in grid.jobs(config, problem)]


def study_summaries(config: dict) -> list[str]:
    """Every per-run summary of the study, problem by problem (``results/runs.parquet``
    is made of them)."""
    return [path for p in study(config) for path in summaries_of(config, p)]


def table_runs_of(config: dict, problem: str) -> list[str]:
    """The run files a problem's convergence table reads besides its summaries: every
    one where its theory reads recorded rows (``SPEC.table_reads_rows``), else none."""
    return runs_of(config, problem) if problems.spec(problem).table_reads_rows else []


def problem_re(config: dict) -> str:
    """The wildcard regex of a problem: exactly the study's."""
    return "|".join(map(re.escape, study(config))) or "(?!)"


# The solver job's command, of rule solve and of a job of several grid points alike: each
# --out path names its grid point and seed block (:func:`gdlab.grid.parse_run_path`), so
# a job that gains or loses a point has the same command (Snakemake's code trigger).
SOLVE = (
    "python -m gdlab.solve --problem {params.problem:q} --settings {params.settings:q}"
    " --columns {params.columns:q} --out {output.parquet:q} --summary {params.summary:q}"
    " --summary-out {output.summary:q} 2> {log:q}"
)


def solver_batches(config: dict) -> list[tuple[str, tuple[grid.Job, ...]]]:
    """The solver jobs of several grid points (``points_per_job`` > 1,
    :func:`gdlab.grid.batches`) of the study, each with the name of the rule made for it
    (``solve_<problem>_<i>``, workflow/rules/solve.smk); rule ``solve`` makes the rest."""
    out = []
    for p in study(config):
        several = [b for b in grid.batches(config, p) if len(b) > 1]
        out += [(f"solve_{p}_{i}", batch) for i, batch in enumerate(several)]
    return out


def solver_rule(rule: str) -> bool:
    """Whether ``rule`` runs the solver: rule ``solve`` or a job of several grid points'
    (``solve_<problem>_<i>``, :func:`solver_batches`)."""
    return rule == "solve" or rule.startswith("solve_")


def batch_log(batch: tuple[grid.Job, ...]) -> str:
    """The log of a job of several grid points: named after its first and last."""
    first, last = batch[0], batch[-1]
    points = f"{first.setting}..{last.setting}"
    return f"results/logs/solve/{first.problem}/{points}/seeds_{first.seeds}.log"


def solver_job_re(config: dict) -> str:
    """The ``problem`` constraint of the solver rule: a configured problem followed by
    exactly one of its grid points and seed blocks, so a target path (a grid value
    spelled another way, a value or block the config does not have, another
    problem's grid point, a point a job of several makes) matches no rule unless the
    config would make it."""
    parts = []
    for p in study(config):
        if grid.points_per_job(config, p) == 1:  # every job is rule solve's
            jobs = grid.jobs(config, p)
            settings = "|".join(map(re.escape, dict.fromkeys(j.setting for j in jobs)))
            blocks = "|".join(map(re.escape, dict.fromkeys(j.seeds for j in jobs)))
            parts.append(rf"{re.escape(p)}(?=/(?:{settings})/seeds_(?:{blocks})\.parquet$)")
            continue
        alone = [b[0] for b in grid.batches(config, p) if len(b) == 1]
        if alone:  # the blocks a job of several left to a job of one point
            pairs = dict.fromkeys(f"{j.setting}/seeds_{j.seeds}" for j in alone)
            parts.append(rf"{re.escape(p)}(?=/(?:{'|'.join(map(re.escape, pairs))})\.parquet$)")
    return "|".join(parts) or "(?!)"


def with_thresholds(config: dict) -> list[str]:
    """The study's problems with a threshold experiment (``SPEC.thresholds``)."""
    return [p for p in study(config) if problems.spec(p).thresholds is not None]


def threshold_path(problem: str) -> str:
    return f"results/thresholds/{problem}.csv"


# the threshold experiment's aggregate outputs (docs/thresholds.md)
THRESHOLD_OUTPUTS = {
    "csv": "results/tables/thresholds.csv",
    "md": "results/tables/thresholds.md",
    "html": "results/report/tables/thresholds.html",
    "check": "results/checks/thresholds.json",
    "png": "results/figures/thresholds.png",
    "svg": "results/figures/thresholds.svg",
}


def figure_paths(name: str) -> dict[str, str]:
    return {ext: f"results/figures/{name}.{ext}" for ext in ("png", "svg")}


def chart_path(name: str) -> str:
    """An interactive chart of the report (``SPEC.charts``): one HTML page."""
    return f"results/report/charts/{name}.html"


def job_outputs(config: dict) -> list[tuple[str, ...]]:
    """The outputs of every job the run makes, a tuple a job, its first output first
    (the one its benchmark is named after: :func:`benchmark`)."""
    mine = configured(config)
    out = [
        tuple(path for j in batch for path in (j.path, j.summary))
        for p in mine
        for batch in grid.batches(config, p)
    ]
    out += [(threshold_path(p),) for p in with_thresholds(config) if p in mine]
    out += [(f"results/tables/{p}.csv", f"results/tables/{p}.md") for p in mine]
    out += [
        (f"results/checks/{c.name}.json", *(f"results/tables/{t}.csv" for t in c.tables))
        for p in mine
        for c in problems.spec(p).checks
    ]
    out += [(f"results/report/tables/{p}.html",) for p in mine]
    out += [(chart_path(c.name),) for p in mine for c in problems.spec(p).charts]
    out += [tuple(figure_paths(f.name).values()) for p in mine for f in problems.spec(p).figures]
    return out + ([] if subset(config) else study_wide_jobs(config))


def all_outputs(config: dict) -> list[str]:
    """Every file the run makes, the run files, summaries and threshold CSVs too:
    Snakemake recomputes a deleted file only if a target needs it, and the recovery
    from a damaged file is to delete it and rerun (docs/bad-input.md).  A subset
    (:func:`subset`) makes its problems' own files only, never a study-wide one."""
    return [path for job in job_outputs(config) for path in job]


def study_wide_jobs(config: dict) -> list[tuple[str, ...]]:
    """The jobs made of every problem of the study (their outputs, as
    :func:`job_outputs`): the convergence check, the threshold table, check and
    figure, ``results/runs.parquet``, the report's verdict, the jobs' costs."""
    out = [("results/checks/convergence.json",)] if iterative(config) else []
    if with_thresholds(config):
        t = THRESHOLD_OUTPUTS
        out += [(t["csv"], t["md"], t["html"]), (t["check"],), (t["png"], t["svg"])]
    return [*out, (RUNS,), (VERDICT,), (COSTS["csv"], COSTS["html"])]


def study_wide(config: dict) -> list[str]:
    """The files of :func:`study_wide_jobs`."""
    return [path for job in study_wide_jobs(config) for path in job]


# ---- what each job cost (Snakemake's benchmark: directive) --------------------------------
COSTS = {"csv": "results/costs.csv", "html": "results/report/costs.html"}


def benchmark(output: str) -> str:
    """Where Snakemake's ``benchmark:`` of the job whose first output is ``output``
    writes (wall time, CPU time, peak memory): ``results/benchmarks/`` + the
    output's path under ``results/`` + ``.tsv``."""
    return "results/benchmarks/" + output.removeprefix("results/") + ".tsv"


def measured(config: dict) -> list[dict]:
    """Every job whose cost the costs table lists (every job of the study but the costs
    job itself): its first output (``job``), its ``benchmark`` record and, for a
    solver job, its ``problem``, ``setting`` (``<first> .. <last>`` of a job of several
    grid points), ``seeds`` and ``points``: each grid point's setting and the per-run
    summary its runs' steps are read from (:mod:`gdlab.costs`)."""
    solver = {}
    for p in configured(config):
        for batch in grid.batches(config, p):
            first, last = batch[0], batch[-1]
            solver[first.path] = {
                "problem": p,
                "setting": first.setting if first is last else f"{first.setting} .. {last.setting}",
                "seeds": first.seeds,
                "points": [[j.setting, j.summary] for j in batch],
            }
    out = []
    for job in job_outputs(config):
        first = job[0]
        if first in COSTS.values():
            continue
        out.append({"job": first, "benchmark": benchmark(first), **solver.get(first, {})})
    return out


def costs_inputs(config: dict) -> list[str]:
    """Every output of the study but the costs table's: it is made after them all."""
    return [p for p in all_outputs(config) if p not in COSTS.values()]


# ---- the config slice of each job ---------------------------------------------------------
def solver_settings(config: dict, problem: str) -> str:
    return as_json(grid.solver_settings(config, problem))


def study_settings(config: dict) -> str:
    """The solver settings of every problem of the study, by problem (what
    ``results/runs.parquet`` must be made of)."""
    return as_json({p: grid.solver_settings(config, p) for p in study(config)})


def table_checks(config: dict, problem: str) -> str:
    """The tolerances a problem's table reads: its rate tolerance and ``SPEC.table_checks``."""
    c = config["checks"]
    out = {"rate_rtol": {problem: c["rate_rtol"].get(problem, 0.0)}}
    out.update({key: c[key] for key in problems.spec(problem).table_checks})
    return as_json(out)


def grid_points(config: dict) -> str:
    """The number of grid points of each problem run by GD: the rows its table must have."""
    return as_json({p: len(grid.grid_values(p, config["problems"][p])) for p in iterative(config)})


def job_params(config: dict, item) -> str:
    """A figure's or check's keyword arguments: the config values it names, its options."""
    values = {kw: lookup(config, path) for kw, path in item.config.items()}
    values.update(getattr(item, "options", {}))
    return as_json(values)


def threshold_settings(config: dict) -> dict:
    """The top-level ``thresholds`` section with its defaults filled in."""
    return {**THRESHOLD_DEFAULTS, **config.get("thresholds", {})}


def threshold_params(config: dict, problem: str) -> str:
    """What one problem's threshold job depends on: its bracket, ``rtol``, ``window``
    and the config values its cases read (``SPEC.thresholds.config``), nothing else."""
    t = problems.spec(problem).thresholds
    own = config["problems"][problem].get("threshold", {})
    top = threshold_settings(config)
    return as_json(
        {
            "bracket": [float(v) for v in own.get("bracket", t.bracket)],
            "rtol": float(top["rtol"]),
            "window": int(own.get("window", t.window or top["window"])),
            "cases": {kw: lookup(config, path) for kw, path in t.config.items()},
        }
    )


def threshold_counts(config: dict) -> str:
    """The number of cases of each problem's threshold experiment: its rows in the table."""
    out = {}
    for p in with_thresholds(config):
        count = problems.spec(p).thresholds.count
        if callable(count):
            count = count(config)
        out[p] = int(lookup(config, count) if isinstance(count, str) else count)
    return as_json(out)


def figure_inputs(config: dict, problem: str, figure) -> list[str]:
    """A figure's input: the per-run summaries of the problem's solver jobs
    (``Figure.data == "runs"``), the tables its checks write (``"tables"``) or its
    result files (:func:`trace_inputs`)."""
    if figure.data == "tables":
        return [f"results/tables/{t}.csv" for t in figure.tables]
    if figure.data == "runs":
        return summaries_of(config, problem)
    return trace_inputs(config, problem)


def check_inputs(config: dict, problem: str, check) -> list[str]:
    """A check's input: the per-run summaries of the problem's solver jobs
    (``Check.data == "runs"``) or its run files."""
    return summaries_of(config, problem) if check.data == "runs" else runs_of(config, problem)


def trace_inputs(config: dict, problem: str) -> list[str]:
    """What a figure or chart of recorded rows reads: the problem's run files and, where
    the runs beyond ``SPEC.trajectories`` keep no rows, its solver jobs' summaries
    (:func:`gdlab.tables.load_trace`)."""
    extra = summaries_of(config, problem) if problems.spec(problem).trajectories else []
    return runs_of(config, problem) + extra


def chart_inputs(config: dict, problem: str, chart) -> list[str]:
    """A chart's input: the problem's convergence table (``Chart.data == "table"``), its
    solver jobs' per-run summaries (``"runs"``) or its result files (``"trace"``)."""
    if chart.data == "table":
        return [f"results/tables/{problem}.csv"]
    if chart.data == "runs":
        return summaries_of(config, problem)
    return trace_inputs(config, problem)


def dataset_types() -> dict[str, str]:
    """The one schema of ``results/runs/`` (name -> type): every solver job's param."""
    return columns.dataset_types()


def summary_spec() -> dict:
    """What a per-run summary job is told: the dataset's columns and its trace columns."""
    return columns.summary_spec()


RUNS = "results/runs.parquet"
VERDICT = "results/report/verdict.rst"  # the report's landing page includes it
