"""What reruns when: every case of the README's table "What reruns when", on real Snakemake.

Most cases start from a copy of the session's finished test study (``test_study``:
results, ``.snakemake`` and mtimes) and compare Snakemake's plan (``-n --summary``:
the outputs it would create or update) with the outputs the case may touch.  Cases
2, 3, 7, 8 and 9 also run for real and check which files were rewritten, byte for
byte.  The code fingerprints behind cases 4 and 6 (``gdlab.codedeps``, computed per
job by ``gdlab.plan``) have unit tests at the end.

Every list of problems, figures and checks comes from the registry
(``gdlab.problems``): a problem added as one folder is covered by every case.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, imports_of, snakemake
from gdlab import fingerprints, grid, problems
from gdlab import plan as gdplan
from support import plans
from support.edits import append_statement, edit_docstring

CONFIG = ("--configfile", "config/test.yaml")
COSTS = plans.COSTS | {gdplan.VERDICT}  # remade after the others (support/plans.py)
TEST_CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())
PROBLEMS = problems.names()
ITERATIVE = tuple(p for p in PROBLEMS if problems.spec(p).iterative)
FIGURES_OF = {p: tuple(f.name for f in problems.spec(p).figures) for p in PROBLEMS}
CHECKS_OF = {p: tuple(c.name for c in problems.spec(p).checks) for p in PROBLEMS}
CHARTS_OF = {p: problems.spec(p).charts for p in PROBLEMS}


def figures(*names) -> frozenset[str]:
    return frozenset(f"results/figures/{n}.{ext}" for n in names for ext in ("png", "svg"))


CHECK_TABLES = {c.name: c.tables for p in PROBLEMS for c in problems.spec(p).checks}


def checks(*names) -> frozenset[str]:
    """Each check's report and the tables it writes beside it (``Check.tables``)."""
    return frozenset(f"results/checks/{n}.json" for n in names) | frozenset(
        f"results/tables/{t}.csv" for n in names for t in CHECK_TABLES.get(n, ())
    )


ALL_FIGURES = figures(*(n for names in FIGURES_OF.values() for n in names))
# the figures that draw what a check wrote (Figure.data == "tables"): a rerun check's
# tables are new inputs to them
CHECK_FIGURES = figures(
    *(f.name for p in PROBLEMS for f in problems.spec(p).figures if f.data == "tables")
)


def charts(*problems_, data: str | None = None) -> frozenset[str]:
    """The interactive charts of ``problems_`` (only those reading ``data``, if given)."""
    return frozenset(
        gdplan.chart_path(c.name)
        for p in problems_
        for c in CHARTS_OF[p]
        if data is None or c.data == data
    )


def charts_reading(path: str) -> frozenset[str]:
    """The charts whose code (the fingerprint their rule tracks) holds ``path``."""
    return frozenset(
        gdplan.chart_path(c.name)
        for p in PROBLEMS
        for c in CHARTS_OF[p]
        if path in fingerprints.chart_code(p, c)
    )


def charts_naming(key: str) -> frozenset[str]:
    """The charts that name the config value ``key`` (or a section holding it)."""
    return frozenset(
        gdplan.chart_path(c.name)
        for p in PROBLEMS
        for c in CHARTS_OF[p]
        if any(key == v or key.startswith(v + ".") for v in c.config.values())
    )


def figures_importing(path: str) -> frozenset[str]:
    """The figures whose code (the fingerprint their rule tracks) holds ``path``."""
    return figures(
        *(
            f.name
            for p in PROBLEMS
            for f in problems.spec(p).figures
            if path in fingerprints.figure_code(p, f)
        )
    )


CONVERGENCE = "results/checks/convergence.json"
PROBLEM_CHECKS = checks(*(c for names in CHECKS_OF.values() for c in names))
CHECKS = PROBLEM_CHECKS | {CONVERGENCE}
# The report, built by the onsuccess hook (workflow/rules/summary.smk) after every
# successful run that ran something and named no target.  It is a rendering that holds
# timestamps, not a result: Snakemake keeps no record of it.  The runs here have hooks
# off (conftest.snakemake), but for case 2's real run, which checks the hook: the report
# is rebuilt after a run that did something, and left alone by one that did nothing.
REPORT = "results/report.html"


# ---- what a case may touch ----------------------------------------------------------
def tables(*problems) -> set[str]:
    """The tables of ``problems``, their report pages and the charts drawn from them."""
    out = {f"results/tables/{p}.{ext}" for p in problems for ext in ("csv", "md")}
    return (
        out
        | {f"results/report/tables/{p}.html" for p in problems}
        | charts(*problems, data="table")
    )


def aggregations(problem: str) -> set[str]:
    """Every output downstream of one problem's solver jobs."""
    out = tables(problem) | checks(*CHECKS_OF[problem])
    if problem in ITERATIVE:  # its table joins the convergence check
        out.add(CONVERGENCE)
    # results/runs.parquet, made of every problem's solver jobs' summaries
    out |= {gdplan.RUNS}
    return out | figures(*FIGURES_OF[problem]) | charts(problem)


def threshold_jobs(*problems_) -> set[str]:
    """The threshold jobs of ``problems_`` (those with an experiment, SPEC.thresholds)
    and, if any, the thresholds table, check and figure downstream of them."""
    out = {gdplan.threshold_path(p) for p in problems_ if problems.spec(p).thresholds}
    return out | set(gdplan.THRESHOLD_OUTPUTS.values()) if out else out


def threshold_reads(path: str) -> tuple[str, ...]:
    """The problems whose threshold experiment reads the config value at ``path``."""
    return tuple(
        p
        for p in PROBLEMS
        if problems.spec(p).thresholds and path in problems.spec(p).thresholds.config.values()
    )


def config(wd: Path) -> dict:
    return yaml.safe_load((wd / "config/test.yaml").read_text())


def edit_config(wd: Path, change) -> None:
    cfg = config(wd)
    change(cfg)
    (wd / "config/test.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def runs(wd: Path, problem: str, where=lambda job: True) -> set[str]:
    """The Parquet files of ``problem``'s solver jobs under wd's config (filtered): each
    job's run file and its per-run summary."""
    return {
        p for job in grid.jobs(config(wd), problem) if where(job) for p in (job.path, job.summary)
    }


def problem_jobs(wd: Path, *problems) -> set[str]:
    """All solver outputs of ``problems`` and everything downstream of them."""
    return set().union(*(runs(wd, p) | aggregations(p) for p in problems))


# ---- what Snakemake plans and what it did ---------------------------------------------
def plan(wd: Path, *args: str) -> set[str]:
    """The outputs a real run would (re)create: the jobs of ``snakemake -n``, less the
    verdict and the costs (checked to be planned when they must: support/plans.py)."""
    return plans.without_derived(planned(wd, *args), not any(a.startswith("only=") for a in args))


def planned(wd: Path, *args: str) -> set[str]:
    """Every output of the jobs of ``snakemake -n``.

    (Not ``--summary``: it ignores outputs marked incomplete, which a run redoes.
    ``--quiet host``: every job's block, which the default profile's quiet list hides.)"""
    out = snakemake(wd, *CONFIG, "-n", "--quiet", "host", *args).stdout
    if "Nothing to be done" in out:
        return set()
    jobs = re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", out, re.M)
    total = re.search(r"^total\s+(\d+)$", out, re.M)
    assert total and len(jobs) == int(total[1]), out  # every job of the plan was parsed
    outputs = set()
    for rule, body in jobs:
        listed = re.search(r"^    output: (.*)$", body, re.M)
        assert listed or rule == "all", body
        outputs.update(listed[1].split(", ") if listed else ())
    return outputs


def snapshot(wd: Path) -> dict[str, tuple]:
    """{path: (inode, mtime_ns, sha256)} of every file under results/ except the records
    of how the run went: logs and benchmarks."""
    out = {}
    for p in sorted((wd / "results").rglob("*")):
        rel = p.relative_to(wd).as_posix()
        if p.is_file() and not rel.startswith(("results/logs/", "results/benchmarks/")):
            st = p.stat()
            out[rel] = (st.st_ino, st.st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def rewritten(before: dict, after: dict) -> set[str]:
    """Files created or rewritten between two snapshots (new inode or mtime)."""
    return {p for p, v in after.items() if before.get(p, (None, None))[:2] != v[:2]}


def run(wd: Path, *args: str, hooks: bool = False) -> str:
    return snakemake(wd, *CONFIG, "--cores", "2", *args, hooks=hooks).stdout


def _decode(base: Path, path: Path) -> str:
    """Snakemake's record name -> the output path (urlsafe base64, long names split in @dirs)."""
    parts = path.relative_to(base).parts
    return base64.urlsafe_b64decode("".join(part.lstrip("@") for part in parts)).decode()


def metadata(wd: Path) -> dict[str, dict]:
    """Snakemake's records of the outputs it made: {output path: record}."""
    base = wd / ".snakemake/metadata"
    return {_decode(base, p): json.loads(p.read_text()) for p in base.rglob("*") if p.is_file()}


def incomplete(wd: Path) -> set[str]:
    base = wd / ".snakemake/incomplete"
    return {_decode(base, p) for p in base.rglob("*") if p.is_file()}


def code_param(record: dict) -> dict[str, str]:
    """The code fingerprint among a record's params (the one dict of *.py paths)."""
    found = []
    for text in record["params"]:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict) and value and all(str(k).endswith(".py") for k in value):
            found.append(value)
    assert len(found) == 1, f"rule {record['rule']}: expected one code fingerprint, got {found}"
    return found[0]


# The files whose bytes depend on which problems a run made (a subset's differ from
# the whole study's); every other file is one problem's.
STUDY_WIDE = {gdplan.RUNS, CONVERGENCE, *gdplan.THRESHOLD_OUTPUTS.values(), *COSTS}


def per_problem(snap: dict) -> dict[str, str]:
    """{path: sha256} of the files of a snapshot that belong to one problem."""
    return {p: v[2] for p, v in snap.items() if p not in STUDY_WIDE}


def subset(problems_: list[str]) -> tuple[str, ...]:
    return ("--config", f"only={','.join(problems_)}")


# ---- case 1 ------------------------------------------------------------------------------
def test_1_nothing_changed_nothing_runs(study):
    before = snapshot(study)
    assert plan(study) == set()
    for cores in ("1", "2"):
        out = snakemake(study, *CONFIG, "--cores", cores).stdout
        assert "Nothing to be done" in out and "Job stats" not in out, out
    assert snapshot(study) == before


# ---- case 2 ------------------------------------------------------------------------------
def new_point(cfg: dict, problem: str) -> tuple[str, object, set[str]]:
    """(grid key, a value not on the problem's grid, the settings it adds), from its
    spec's grid: half the smallest value, or the first shape with 7 more rows (a pair
    grid: half its smallest second number, with every name and first number)."""
    g = problems.spec(problem).grid
    section = cfg["problems"][problem]
    taken = {grid.setting(problem, v) for v in grid.grid_values(problem, section)}
    if g.kind == "name":  # a copy of its first setup, named anew
        value = "new"
        setting = grid.setting(problem, value)
        assert setting not in taken, setting
        return g.key, (value, dict(next(iter(section[g.key].values())))), {setting}
    if g.kind == "shape":
        n_rows, n_cols = section[g.key][0]
        value = [n_rows + 7, n_cols]
    else:
        value = min(section[g.key]) / 2
    if g.kind == "pair":
        names, firsts = (section[k] for k in g.keys)
        settings = {grid.setting(problem, (n, a, value)) for n in names for a in firsts}
    else:
        settings = {grid.setting(problem, value)}
    assert not settings & taken, settings
    return g.key, value, settings


@pytest.mark.parametrize("problem", PROBLEMS)
def test_2_new_grid_point_runs_only_its_jobs(study, problem):
    key, value, settings = new_point(config(study), problem)
    if problems.spec(problem).grid.kind == "name":  # its solver jobs read every setup
        edit_config(study, lambda c: c["problems"][problem][key].update([value]))
        new = runs(study, problem, lambda job: job.setting in settings)
        assert new and all(not (study / p).exists() for p in new)
        assert plan(study) == runs(study, problem) | aggregations(problem)
        return
    edit_config(study, lambda c: c["problems"][problem][key].append(value))
    new = runs(study, problem, lambda job: job.setting in settings)
    assert new and all(not (study / p).exists() for p in new)
    assert plan(study) == new | aggregations(problem)


def test_2_new_grid_point_real_run_does_what_the_plan_says(study):
    edit_config(study, lambda c: c["problems"]["quadratic"]["alphas"].append(1.0))
    planned = plan(study)
    before = snapshot(study)
    assert REPORT not in before
    run(study, hooks=True)
    after = snapshot(study)
    assert rewritten(before, after) == planned | {REPORT} | COSTS  # the report: built after it
    assert "Nothing to be done" in run(study, hooks=True)
    assert snapshot(study) == after  # a run that did nothing rewrites nothing, not the report


def test_2_jobs_of_several_points_regroup_without_rerunning_and_write_the_same_bytes(study):
    """``points_per_job``: regrouping the finished study's points runs no solver job (a
    job's command names no point, its params are rule solve's), only the costs page that
    lists the jobs; a new point runs only the job it is dealt to, whose other points'
    files come back byte for byte."""
    before = snapshot(study)
    edit_config(study, lambda c: c.update(points_per_job=3))
    assert gdplan.solver_batches(config(study))  # some jobs hold several points
    assert planned(study) == COSTS - {gdplan.VERDICT}  # the costs page lists the jobs anew
    run(study)
    assert rewritten(before, snapshot(study)) == COSTS - {gdplan.VERDICT}
    before = snapshot(study)
    edit_config(study, lambda c: c["problems"]["quadratic"]["alphas"].append(1.0))
    new = grid.setting("quadratic", 1.0)
    joined = [
        b
        for name, b in gdplan.solver_batches(config(study))
        if name.startswith("solve_quadratic_") and new in {j.setting for j in b}
    ]
    assert len(joined) == len(
        grid.seed_blocks(
            TEST_CONFIG["problems"]["quadratic"]["seeds"],
            grid.seeds_per_job(config(study), "quadratic"),
        )
    )
    assert all(len(b) > 1 for b in joined)
    batch_files = {p for b in joined for j in b for p in (j.path, j.summary)}
    assert plan(study) == batch_files | aggregations("quadratic")
    run(study)
    after = snapshot(study)
    assert rewritten(before, after) == batch_files | aggregations("quadratic") | COSTS
    again = {p for p in batch_files if p in before}  # the points that were there before
    assert again and all(after[p][2] == before[p][2] for p in again)
    assert plan(study) == set()


# ---- case 3 ------------------------------------------------------------------------------
def test_3_more_seeds_run_only_the_new_blocks(study):
    # quadratic: 4 seeds in blocks of 2 -> 6 seeds: one new block (4-5) per alpha
    edit_config(study, lambda c: c["problems"]["quadratic"].update(seeds=6))
    new = runs(study, "quadratic", lambda job: job.first >= 4)
    planned = plan(study)
    assert planned == new | aggregations("quadratic")
    before = snapshot(study)
    run(study)
    after = snapshot(study)
    assert rewritten(before, after) == planned | COSTS
    old_runs = [p for p in before if p.startswith("results/runs/")]
    assert old_runs and all(after[p] == before[p] for p in old_runs)  # same inode, mtime, bytes
    assert "Nothing to be done" in run(study)
    assert snapshot(study) == after  # a run that did nothing rewrites nothing


def test_3_more_seeds_in_a_partial_block_redo_that_block_only(study):
    # lsq_gradient: 3 seeds in blocks of 2 (0-1, 2-2) -> 4 seeds: 2-2 becomes 2-3
    edit_config(study, lambda c: c["problems"]["lsq_gradient"].update(seeds=4))
    expected = runs(study, "lsq_gradient", lambda job: job.seeds == "2-3")
    assert plan(study) == expected | aggregations("lsq_gradient")


# ---- case 4 ------------------------------------------------------------------------------
def _theory_outputs(problem: str) -> set[str]:
    """What reads a problem's theory module: its table (and what reads the table), its
    figures drawn by generic code (they reach the theory through the registry) and its
    charts (each draws the theory)."""
    generic = [f.name for f in problems.spec(problem).figures if f.function.startswith("gdlab.")]
    return tables(problem) | {CONVERGENCE} | figures(*generic) | charts(problem)


EDITS = [  # (file, edit, problems whose solver jobs rerun, other outputs that rerun)
    # One case per way a file reaches a job; every job's fingerprint holds all it imports
    # (test_every_job_fingerprints_all_the_code_it_imports) and a problem's jobs hold no
    # other problem's files (tests/contract/, tests/unit/test_codedeps.py).
    # (its threshold experiment, stability.py, runs the problem's numerics: that reruns too)
    *[
        (f"src/gdlab/problems/{p}/numerics.py", append_statement, (p,), threshold_jobs(p))
        for p in PROBLEMS  # one problem's numerics: that problem's jobs only
    ],
    # A problem's spec (its folder's __init__.py) is read by every job of that problem
    # (and is the parent package of its numerics): all of its jobs, no other problem's.
    (
        f"src/gdlab/problems/{PROBLEMS[0]}/__init__.py",
        append_statement,
        (PROBLEMS[0],),
        threshold_jobs(PROBLEMS[0]),
    ),
    (
        "src/gdlab/problems/quadratic/numerics.py",
        edit_docstring,
        ("quadratic",),
        threshold_jobs("quadratic"),
    ),
    ("src/gdlab/problems/quadratic/theory.py", append_statement, (), _theory_outputs("quadratic")),
    ("src/gdlab/descent.py", append_statement, ITERATIVE, threshold_jobs(*ITERATIVE)),
    # one figure's module: that figure alone (the generic convergence plot: test_report)
    ("src/gdlab/problems/sharp_wide/basin_ratio.py", append_statement, (), figures("basin_ratio")),
    # shared figure code: the figures that import it
    (
        "src/gdlab/problems/sharp_wide/ends.py",
        append_statement,
        (),
        figures(*FIGURES_OF["sharp_wide"]),
    ),
    # (the basin map draws its own axes: it does not import it)
    (
        "src/gdlab/plots/common.py",
        append_statement,
        (),
        figures_importing("src/gdlab/plots/common.py"),
    ),
    ("src/gdlab/jobs/figure.py", append_statement, (), ALL_FIGURES),
    # the charts' shared code: every chart, nothing else
    ("src/gdlab/charts.py", append_statement, (), charts(*PROBLEMS)),
    # the checks' report and the verdict tables' row-count rule: every check, the figures
    # of their tables, and the thresholds table (its module builds its check with it)
    # with what follows from it
    (
        "src/gdlab/checks.py",
        append_statement,
        (),
        CHECKS | CHECK_FIGURES | set(gdplan.THRESHOLD_OUTPUTS.values()),
    ),
    ("src/gdlab/jobs/table.py", append_statement, (), tables(*PROBLEMS) | {CONVERGENCE}),
    # the comparison a check and a figure share: both
    (
        "src/gdlab/problems/conv_huber/reference.py",
        append_statement,
        (),
        checks("conv_huber")
        | figures("conv_huber_objective")
        | charts_reading("src/gdlab/problems/conv_huber/reference.py"),
    ),
    ("src/gdlab/jobs/convergence.py", append_statement, (), {CONVERGENCE}),
]


@pytest.mark.parametrize(
    ("path", "edit", "problems_", "others"),
    EDITS,
    ids=[f"{e[0].removeprefix('src/gdlab/').removesuffix('.py')}-{e[1].__name__}" for e in EDITS],
)
def test_4_code_edit_reruns_exactly_the_jobs_that_run_it(study, path, edit, problems_, others):
    f = study / path
    f.write_text(edit(f.read_text()))
    assert plan(study) == problem_jobs(study, *problems_) | others


def test_4_formatting_comments_and_touch_rerun_nothing(study):
    code = sorted(study.glob("src/gdlab/**/*.py"))  # the jobs' entry points too (gdlab.jobs)
    old = {p: p.read_bytes() for p in code}
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -e '.[test]'"
    # a different line length moves line breaks, brackets and commas; the syntax stays
    subprocess.run([ruff, "format", "--quiet", "--line-length", "60", *map(str, code)], check=True)
    for p in code:
        p.write_text(f"# a comment\n\n{p.read_text()}\n\n# another one   \n")
    assert all(p.read_bytes() != old[p] for p in code)
    now = time.time() + 5
    for p in [*study.rglob("*.py"), *study.rglob("*.smk"), study / "Snakefile", *code]:
        os.utime(p, (now, now))  # touch: newer than every result
    assert plan(study) == set()
    assert "Nothing to be done" in run(study)


# ---- case 5 ------------------------------------------------------------------------------
def _set(*keys_and_value):
    *keys, last, value = keys_and_value

    def change(cfg):
        for k in keys:
            cfg = cfg[k]
        cfg[last] = value

    return change


SETTINGS = [  # (id, change, problems whose solver jobs rerun, other outputs that rerun)
    # one case per config slice a rule reads (a solver setting, a threshold case, a table
    # tolerance, a check value, a figure value)
    (
        "quadratic.max_steps",
        _set("problems", "quadratic", "max_steps", 4000),
        ("quadratic",),
        set(),
    ),
    (
        "lsq_gd.shape",
        _set("problems", "lsq_gd", "shape", [40, 6]),
        ("lsq_gd",),
        threshold_jobs(*threshold_reads("problems.lsq_gd.shape")),
    ),
    (
        "sharp_wide.start_interval",
        _set("problems", "sharp_wide", "start_interval", [-4.0, 20.0]),
        ("sharp_wide",),
        set(),
    ),
    (
        "conv_huber.lam",
        _set("problems", "conv_huber", "lam", 0.2),
        ("conv_huber",),
        threshold_jobs(*threshold_reads("problems.conv_huber.lam")),
    ),
    (
        "lsq_gradient.finite_difference_step",
        _set("problems", "lsq_gradient", "finite_difference_step", 1e-5),
        ("lsq_gradient",),
        set(),
    ),
    # the problems seeded from it (SPEC.seeding "root"; "legacy" ones use RandomState(seed))
    (
        "root_seed",
        _set("root_seed", 7),
        tuple(p for p in PROBLEMS if problems.spec(p).seeding == "root"),
        threshold_jobs(*threshold_reads("root_seed")),
    ),
    # new seed blocks (paths) where the global value applies: not where a problem sets its
    # own (sharp_wide), nor where its seeds stay one block either way (conv_huber's 2: 0-1)
    (
        "seeds_per_job",
        _set("seeds_per_job", 3),
        tuple(
            p
            for p, section in TEST_CONFIG["problems"].items()
            if "seeds_per_job" not in section
            and grid.seed_blocks(section["seeds"], 3)
            != grid.seed_blocks(section["seeds"], TEST_CONFIG["seeds_per_job"])
        ),
        set(),
    ),
    (
        "checks.rate_rtol.quadratic",
        _set("checks", "rate_rtol", "quadratic", 1e-8),
        (),
        tables("quadratic") | {CONVERGENCE},
    ),
    (
        "checks.lsq_gradient.err_fd",
        _set("checks", "lsq_gradient", "err_fd", 1e-5),
        (),
        tables("lsq_gradient")
        | {"results/checks/lsq_gradient.json"}
        | charts_naming("checks.lsq_gradient.err_fd"),
    ),
    (
        "checks.closed_form_rtol",
        _set("checks", "closed_form_rtol", 1e-11),
        (),
        tables("quadratic") | {CONVERGENCE},
    ),
    # a config value a figure or chart names (Figure.config, Chart.config) reruns it too
    (
        "checks.conv_huber.value",
        _set("checks", "conv_huber", "value", 0.4587586843129765),
        (),
        {"results/checks/conv_huber.json"}
        | figures("conv_huber_objective")
        | charts_naming("checks.conv_huber.value"),
    ),
    ("plots.dpi", _set("plots", "dpi", 120), (), ALL_FIGURES | figures("thresholds")),
]


@pytest.mark.parametrize(
    ("change", "problems", "others"), [s[1:] for s in SETTINGS], ids=[s[0] for s in SETTINGS]
)
def test_5_setting_change_reruns_exactly_the_jobs_that_use_it(study, change, problems, others):
    edit_config(study, change)
    assert plan(study) == problem_jobs(study, *problems) | others


# ---- case 6 ------------------------------------------------------------------------------
def test_6_moved_checkout_reruns_nothing(study, tmp_path):
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    study.rename(moved)
    before = snapshot(moved)
    assert plan(moved) == set()
    assert "Nothing to be done" in run(moved)
    assert snapshot(moved) == before


def test_6_copy_with_new_mtimes_reruns_nothing(test_study, tmp_path):
    """A copy that keeps no mtimes (cp -r, rsync without -t), made the worst case: every
    result older than its inputs, all code and config newer than every result."""
    wd = tmp_path / "copy"
    shutil.copytree(test_study, wd, copy_function=shutil.copyfile)
    now = time.time()
    for p in (wd / "results").rglob("*"):
        age = 3600 if p.relative_to(wd).parts[1] == "runs" else 7200
        os.utime(p, (now - age, now - age))
    assert plan(wd) == set()
    assert "Nothing to be done" in run(wd)


def test_6_no_absolute_paths_in_params_or_inputs(test_study):
    records = metadata(test_study)
    outputs = snapshot(test_study).keys()
    assert records.keys() == outputs and len(outputs) > 40
    for output, rec in records.items():
        assert not Path(output).is_absolute()
        assert not any(Path(p).is_absolute() for p in rec["input"]), (output, rec["input"])
        params = json.dumps(rec["params"])
        for root in (str(test_study), str(REPO)):
            assert root not in params, (output, params)


# ---- case 7 ------------------------------------------------------------------------------
def test_7_identical_rewrite_of_solver_outputs_cuts_off_downstream(study):
    targets = sorted(runs(study, "quadratic"))
    before = snapshot(study)
    run(study, "--force", *targets)  # the solver jobs only, forced
    after = snapshot(study)
    assert rewritten(before, after) == set(targets)  # not the report: targets were named
    assert all(after[t][2] == before[t][2] for t in targets)  # byte-identical
    assert plan(study) == set()  # the tables see equal checksums: nothing to redo
    assert "Nothing to be done" in run(study)
    assert snapshot(study) == after
    # the cut-off is the checksum: the same rows written differently do rerun the rest
    job = next(j for j in grid.jobs(config(study), "quadratic") if j.path == targets[0])
    for path in (job.path, job.summary):  # what the tables, summary and figures read
        pq.write_table(pq.read_table(study / path), study / path, compression="snappy")
    assert plan(study) == aggregations("quadratic")


# ---- case 8 ------------------------------------------------------------------------------
# the problems case 8 runs (case 9 runs the others): 14 solver jobs, two figures
KILLED = ["quadratic", "lsq_gd"]


def test_8_sigkill_mid_run_then_resume_redoes_only_the_incomplete(workdir, test_study):
    only = subset(KILLED)
    cmd = [sys.executable, "-m", "snakemake", *CONFIG, "--cores", "2", "--no-hooks", *only]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    every_run = {p for k in KILLED for p in runs(workdir, k) if p.startswith("results/runs/")}
    with open(workdir / "killed.log", "w") as log:
        proc = subprocess.Popen(
            cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 600
            # kill while some solver jobs are done and at least one is running
            while (
                len(list((workdir / "results/runs").rglob("*.parquet"))) < 6
                or not incomplete(workdir)
            ) and proc.poll() is None:
                assert time.monotonic() < deadline, "the run never got going"
                time.sleep(0.005)
            os.killpg(proc.pid, signal.SIGKILL)  # Snakemake and its running jobs
        finally:
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, (workdir / "killed.log").read_text()
    done = {
        p.relative_to(workdir).as_posix() for p in (workdir / "results/runs").rglob("*.parquet")
    }
    assert len(done) >= 6  # files only appear (atomic renames): those seen before the kill
    # the jobs that were running: their outputs are suspect.  Which ones (even none, had
    # every running job just ended) depends on when the kill landed: the plan below
    # must be right for any of them.
    marked = incomplete(workdir)
    before = snapshot(workdir)

    # Snakemake's lock survives a SIGKILL: the next run refuses until --unlock
    locked = snakemake(workdir, *CONFIG, "--cores", "2", *only, check=False)
    assert locked.returncode != 0 and "--unlock" in locked.stdout, locked.stdout
    snakemake(workdir, *CONFIG, "--unlock", *only)

    planned = plan(workdir, *only)
    planned_runs = {p for p in planned if p.startswith("results/runs/")}
    assert planned_runs == (every_run - done) | (marked & done)  # missing + incomplete only
    run(workdir, *only)
    after = snapshot(workdir)
    assert rewritten(before, after) == planned
    assert all(after[p] == before[p] for p in done - marked)  # finished files untouched
    assert not list((workdir / "results").rglob("*.tmp"))
    # every output of the subset, each problem's byte-identical to an uninterrupted run's
    assert after.keys() == set(gdplan.all_outputs({**config(workdir), "only": ",".join(KILLED)}))
    reference = per_problem(snapshot(test_study))
    mine = per_problem(after)
    assert mine == {p: reference[p] for p in mine}


# ---- case 9 ------------------------------------------------------------------------------
def test_9_one_core_and_two_cores_give_identical_bytes(workdir, test_study):
    """The problems case 8 does not run, on ONE core, against the test study's two."""
    chosen = [p for p in PROBLEMS if p not in KILLED]
    snakemake(workdir, *CONFIG, "--cores", "1", *subset(chosen))
    one, two = per_problem(snapshot(workdir)), per_problem(snapshot(test_study))
    assert len(one) > 20 and one.keys() <= two.keys()
    differ = [p for p in one if one[p] != two[p]]
    assert not differ, differ


# ---- the structure behind cases 4 and 6 --------------------------------------------------
def test_every_job_fingerprints_all_the_code_it_imports(test_study):
    """For every job of a real run: the gdlab files its process imported (recorded by
    tests/support/importspy) all appear in the code fingerprint Snakemake recorded for it."""
    wd, spy = test_study, imports_of(test_study)
    records = metadata(wd)
    seen = {}
    for f in spy.glob("*.json"):
        doc = json.loads(f.read_text())
        argv = doc["argv"]  # a job's argv names its outputs (and maybe its inputs: skip those)
        program = Path(argv[0]).stem
        outputs = [a for a in argv if a in records and program in records[a]["shellcmd"]]
        if outputs:  # a job (the rest: Snakemake itself)
            seen[outputs[0]] = {Path(p).relative_to(wd).as_posix() for p in doc["files"]}
    jobs = {rec["shellcmd"] for rec in records.values()}
    assert len(seen) == len(jobs) > 40  # one process per job, all recorded
    for output, imported in seen.items():
        rec = records[output]
        missing = imported - set(code_param(rec))
        assert not missing, f"rule {rec['rule']} ({output}) runs {sorted(missing)} untracked"
