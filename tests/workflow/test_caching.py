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

from conftest import REPO, copy_workflow, snakemake
from gdlab import codedeps, grid, problems
from gdlab import plan as gdplan

CONFIG = ("--configfile", "config/test.yaml")
TEST_CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())
PROBLEMS = problems.names()
ITERATIVE = tuple(p for p in PROBLEMS if problems.spec(p).iterative)
FIGURES_OF = {p: tuple(f.name for f in problems.spec(p).figures) for p in PROBLEMS}
CHECKS_OF = {p: tuple(c.name for c in problems.spec(p).checks) for p in PROBLEMS}


def figures(*names) -> frozenset[str]:
    return frozenset(f"results/figures/{n}.{ext}" for n in names for ext in ("png", "svg"))


def checks(*names) -> frozenset[str]:
    return frozenset(f"results/checks/{n}.json" for n in names)


def figures_drawn_by(module: str) -> frozenset[str]:
    """The figures whose spec names a function of ``module`` (``gdlab.`` or the folder's)."""
    return figures(
        *(
            f.name
            for p in PROBLEMS
            for f in problems.spec(p).figures
            if f.function.partition(":")[0] == module
        )
    )


ALL_FIGURES = figures(*(n for names in FIGURES_OF.values() for n in names))


def figures_importing(path: str) -> frozenset[str]:
    """The figures whose code (the fingerprint their rule tracks) holds ``path``."""
    return figures(
        *(
            f.name
            for p in PROBLEMS
            for f in problems.spec(p).figures
            if path in gdplan.figure_code(p, f)
        )
    )


CONVERGENCE = "results/checks/convergence.json"
PROBLEM_CHECKS = checks(*(c for names in CHECKS_OF.values() for c in names))
CHECKS = PROBLEM_CHECKS | {CONVERGENCE}
# The report, built by the onsuccess hook (workflow/rules/summary.smk) after every
# successful run that ran something and named no target.  It is a rendering that holds
# timestamps, not a result: Snakemake keeps no record of it and its bytes differ from
# run to run, so byte identity and record counts leave it out; that a run which did
# nothing leaves it alone is checked like every other file's.
REPORT = "results/report.html"


# ---- what a case may touch ----------------------------------------------------------
def tables(*problems) -> set[str]:
    """The tables of ``problems`` and their report pages."""
    out = {f"results/tables/{p}.{ext}" for p in problems for ext in ("csv", "md")}
    return out | {f"results/report/tables/{p}.html" for p in problems}


def aggregations(problem: str) -> set[str]:
    """Every output downstream of one problem's solver jobs."""
    out = tables(problem) | checks(*CHECKS_OF[problem])
    if problem in ITERATIVE:  # its table joins the convergence check
        out.add(CONVERGENCE)
    # its per-run summary, and results/runs.parquet made of every problem's
    out |= {gdplan.SUMMARY.format(problem=problem), gdplan.RUNS}
    return out | figures(*FIGURES_OF[problem])


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
    """The Parquet files of ``problem``'s solver jobs under wd's config (filtered)."""
    return {job.path for job in grid.jobs(config(wd), problem) if where(job)}


def problem_jobs(wd: Path, *problems) -> set[str]:
    """All solver outputs of ``problems`` and everything downstream of them."""
    return set().union(*(runs(wd, p) | aggregations(p) for p in problems))


# ---- what Snakemake plans and what it did ---------------------------------------------
def plan(wd: Path, *args: str) -> set[str]:
    """The outputs a real run would (re)create: the jobs of ``snakemake -n``.

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
    """{path: (inode, mtime_ns, sha256)} of every file under results/ except logs."""
    out = {}
    for p in sorted((wd / "results").rglob("*")):
        rel = p.relative_to(wd).as_posix()
        if p.is_file() and not rel.startswith("results/logs/"):
            st = p.stat()
            out[rel] = (st.st_ino, st.st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def rewritten(before: dict, after: dict) -> set[str]:
    """Files created or rewritten between two snapshots (new inode or mtime)."""
    return {p for p, v in after.items() if before.get(p, (None, None))[:2] != v[:2]}


def run(wd: Path, *args: str) -> str:
    return snakemake(wd, *CONFIG, "--cores", "2", *args).stdout


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


@pytest.fixture(scope="module")
def serial_study(tmp_path_factory):
    """The test study from scratch on ONE core; every Python process records the gdlab
    files it imported (tests/support/importspy)."""
    wd = copy_workflow(tmp_path_factory.mktemp("serial") / "gdlab")
    spy = tmp_path_factory.mktemp("imports")
    path = [
        str(REPO / "tests" / "support" / "importspy"),
        *os.environ.get("PYTHONPATH", "").split(os.pathsep),
    ]
    env = {"PYTHONPATH": os.pathsep.join(p for p in path if p), "GDLAB_IMPORT_SPY": str(spy)}
    out = snakemake(wd, *CONFIG, "--cores", "1", env=env).stdout
    assert "Using workflow specific profile profiles/default" in out
    return wd, spy


# ---- case 1 ------------------------------------------------------------------------------
@pytest.mark.workflow
def test_1_nothing_changed_nothing_runs(study):
    before = snapshot(study)
    assert plan(study) == set()
    for cores in ("1", "2"):
        out = snakemake(study, *CONFIG, "--cores", cores).stdout
        assert "Nothing to be done" in out and "Job stats" not in out, out
    assert snapshot(study) == before


# ---- case 2 ------------------------------------------------------------------------------
def new_point(cfg: dict, problem: str) -> tuple[str, object, str]:
    """(grid key, a value not on the problem's grid, its setting), from its spec's grid:
    half the smallest value, or the first shape with 7 more rows."""
    g = problems.spec(problem).grid
    section = cfg["problems"][problem]
    taken = {grid.setting(problem, v) for v in grid.grid_values(problem, section)}
    if g.kind == "shape":
        n_rows, n_cols = section[g.key][0]
        value = [n_rows + 7, n_cols]
    else:
        value = min(section[g.key]) / 2
    setting = grid.setting(problem, value)
    assert setting not in taken, setting
    return g.key, value, setting


@pytest.mark.workflow
@pytest.mark.parametrize("problem", PROBLEMS)
def test_2_new_grid_point_runs_only_its_jobs(study, problem):
    key, value, setting = new_point(config(study), problem)
    edit_config(study, lambda c: c["problems"][problem][key].append(value))
    new = runs(study, problem, lambda job: job.setting == setting)
    assert new and all(not (study / p).exists() for p in new)
    assert plan(study) == new | aggregations(problem)


@pytest.mark.workflow
def test_2_new_grid_point_real_run_does_what_the_plan_says(study):
    edit_config(study, lambda c: c["problems"]["quadratic"]["alphas"].append(1.0))
    planned = plan(study)
    before = snapshot(study)
    run(study)
    after = snapshot(study)
    assert rewritten(before, after) == planned | {REPORT}  # the report: rebuilt after it
    assert "Nothing to be done" in run(study)
    assert snapshot(study) == after  # a run that did nothing rewrites nothing, not the report


# ---- case 3 ------------------------------------------------------------------------------
@pytest.mark.workflow
def test_3_more_seeds_run_only_the_new_blocks(study):
    # quadratic: 4 seeds in blocks of 2 -> 6 seeds: one new block (4-5) per alpha
    edit_config(study, lambda c: c["problems"]["quadratic"].update(seeds=6))
    new = runs(study, "quadratic", lambda job: job.first >= 4)
    planned = plan(study)
    assert planned == new | aggregations("quadratic")
    before = snapshot(study)
    run(study)
    after = snapshot(study)
    assert rewritten(before, after) == planned | {REPORT}  # the report: rebuilt after it
    old_runs = [p for p in before if p.startswith("results/runs/")]
    assert old_runs and all(after[p] == before[p] for p in old_runs)  # same inode, mtime, bytes
    assert "Nothing to be done" in run(study)
    assert snapshot(study) == after  # a run that did nothing rewrites nothing, not the report


@pytest.mark.workflow
def test_3_more_seeds_in_a_partial_block_redo_that_block_only(study):
    # lsq_gradient: 3 seeds in blocks of 2 (0-1, 2-2) -> 4 seeds: 2-2 becomes 2-3
    edit_config(study, lambda c: c["problems"]["lsq_gradient"].update(seeds=4))
    expected = runs(study, "lsq_gradient", lambda job: job.seeds == "2-3")
    assert plan(study) == expected | aggregations("lsq_gradient")


# ---- case 4 ------------------------------------------------------------------------------
def _append_statement(text: str) -> str:
    return text + "\nEDITED_BY_TEST = True\n"


def _edit_docstring(text: str) -> str:
    return text.replace('"""', '"""Edited. ', 1)


def _theory_outputs(problem: str) -> set[str]:
    """What reads a problem's theory module: its table (and what reads the table) and its
    figures drawn by generic code (they reach the theory through the registry)."""
    generic = [f.name for f in problems.spec(problem).figures if f.function.startswith("gdlab.")]
    return tables(problem) | {CONVERGENCE} | figures(*generic)


EDITS = [  # (file, edit, problems whose solver jobs rerun, other outputs that rerun)
    # (its threshold experiment, stability.py, runs the problem's numerics: that reruns too)
    *[
        (f"src/gdlab/problems/{p}/numerics.py", _append_statement, (p,), threshold_jobs(p))
        for p in PROBLEMS  # one problem's numerics: that problem's jobs only
    ],
    # A problem's spec (its folder's __init__.py) is read by every job of that problem
    # (and is the parent package of its numerics): all of its jobs, no other problem's.
    *[
        (f"src/gdlab/problems/{p}/__init__.py", _append_statement, (p,), threshold_jobs(p))
        for p in PROBLEMS
    ],
    (
        "src/gdlab/problems/quadratic/numerics.py",
        _edit_docstring,
        ("quadratic",),
        threshold_jobs("quadratic"),
    ),
    ("src/gdlab/problems/quadratic/theory.py", _append_statement, (), _theory_outputs("quadratic")),
    ("src/gdlab/descent.py", _append_statement, ITERATIVE, threshold_jobs(*ITERATIVE)),
    # one figure's module: that figure alone
    ("src/gdlab/problems/sharp_wide/basin_ratio.py", _append_statement, (), figures("basin_ratio")),
    ("src/gdlab/problems/sharp_wide/basin_map.py", _append_statement, (), figures("basin_map")),
    (
        "src/gdlab/problems/conv_huber/objective.py",
        _append_statement,
        (),
        figures("conv_huber_objective"),
    ),
    # shared figure code: the figures that import it
    (
        "src/gdlab/problems/sharp_wide/ends.py",
        _append_statement,
        (),
        figures(*FIGURES_OF["sharp_wide"]),
    ),
    (
        "src/gdlab/plots/convergence.py",
        _append_statement,
        (),
        figures_drawn_by("gdlab.plots.convergence"),
    ),
    # (the basin map draws its own axes: it does not import it)
    (
        "src/gdlab/plots/common.py",
        _append_statement,
        (),
        figures_importing("src/gdlab/plots/common.py"),
    ),
    ("src/gdlab/jobs/figure.py", _append_statement, (), ALL_FIGURES),
    ("src/gdlab/checks.py", _append_statement, (), CHECKS),
    ("src/gdlab/jobs/table.py", _append_statement, (), tables(*PROBLEMS) | {CONVERGENCE}),
    (
        "src/gdlab/jobs/table_html.py",
        _append_statement,
        (),
        {f"results/report/tables/{p}.html" for p in PROBLEMS},
    ),
    # one check's module: that check alone; the generic check entry point: every
    # problem's check; the comparison the check and the figure share: both
    ("src/gdlab/problems/conv_huber/checks.py", _append_statement, (), checks("conv_huber")),
    (
        "src/gdlab/problems/conv_huber/reference.py",
        _append_statement,
        (),
        checks("conv_huber") | figures("conv_huber_objective"),
    ),
    ("src/gdlab/jobs/check.py", _append_statement, (), PROBLEM_CHECKS),
    ("src/gdlab/jobs/convergence.py", _append_statement, (), {CONVERGENCE}),
]


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("path", "edit", "problems_", "others"),
    EDITS,
    ids=[
        f"{e[0].removeprefix('src/gdlab/').removesuffix('.py')}-{e[1].__name__.strip('_')}"
        for e in EDITS
    ],
)
def test_4_code_edit_reruns_exactly_the_jobs_that_run_it(study, path, edit, problems_, others):
    f = study / path
    f.write_text(edit(f.read_text()))
    assert plan(study) == problem_jobs(study, *problems_) | others


@pytest.mark.workflow
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
    (
        "quadratic.max_steps",
        _set("problems", "quadratic", "max_steps", 4000),
        ("quadratic",),
        set(),
    ),
    (
        "quadratic.tolerance",
        _set("problems", "quadratic", "tolerance", 1e-9),
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
        "conv_huber.reference_step",
        _set("problems", "conv_huber", "reference_step", 50),
        ("conv_huber",),
        set(),
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
        tables("lsq_gradient") | {"results/checks/lsq_gradient.json"},
    ),
    (
        "checks.closed_form_rtol",
        _set("checks", "closed_form_rtol", 1e-11),
        (),
        tables("quadratic") | {CONVERGENCE},
    ),
    (
        "checks.conv_huber.rtol",
        _set("checks", "conv_huber", "rtol", 1e-11),
        (),
        {"results/checks/conv_huber.json"},
    ),
    # a config value a figure names (Figure.config) reruns that figure too
    (
        "checks.conv_huber.value",
        _set("checks", "conv_huber", "value", 0.4587586843129765),
        (),
        {"results/checks/conv_huber.json"} | figures("conv_huber_objective"),
    ),
    ("plots.dpi", _set("plots", "dpi", 120), (), ALL_FIGURES | figures("thresholds")),
]


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("change", "problems", "others"), [s[1:] for s in SETTINGS], ids=[s[0] for s in SETTINGS]
)
def test_5_setting_change_reruns_exactly_the_jobs_that_use_it(study, change, problems, others):
    edit_config(study, change)
    assert plan(study) == problem_jobs(study, *problems) | others


# ---- case 6 ------------------------------------------------------------------------------
@pytest.mark.workflow
def test_6_moved_checkout_reruns_nothing(study, tmp_path):
    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    study.rename(moved)
    before = snapshot(moved)
    assert plan(moved) == set()
    assert "Nothing to be done" in run(moved)
    assert snapshot(moved) == before


@pytest.mark.workflow
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


@pytest.mark.workflow
def test_6_no_absolute_paths_in_params_or_inputs(test_study):
    records = metadata(test_study)
    outputs = snapshot(test_study).keys() - {REPORT}  # the report has no record (REPORT)
    assert REPORT not in records
    assert records.keys() == outputs and len(outputs) > 40
    for output, rec in records.items():
        assert not Path(output).is_absolute()
        assert not any(Path(p).is_absolute() for p in rec["input"]), (output, rec["input"])
        params = json.dumps(rec["params"])
        for root in (str(test_study), str(REPO)):
            assert root not in params, (output, params)


# ---- case 7 ------------------------------------------------------------------------------
@pytest.mark.workflow
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
    pq.write_table(pq.read_table(study / targets[0]), study / targets[0], compression="snappy")
    assert plan(study) == aggregations("quadratic")


# ---- case 8 ------------------------------------------------------------------------------
@pytest.mark.workflow
def test_8_sigkill_mid_run_then_resume_redoes_only_the_incomplete(workdir, test_study):
    cmd = [sys.executable, "-m", "snakemake", *CONFIG, "--cores", "2"]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    every_run = set().union(*(runs(workdir, p) for p in PROBLEMS))
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
    assert 0 < len(done) < len(every_run)
    marked = incomplete(workdir)  # the jobs that were running: their outputs are suspect
    assert marked
    before = snapshot(workdir)

    # Snakemake's lock survives a SIGKILL: the next run refuses until --unlock
    locked = snakemake(workdir, *CONFIG, "--cores", "2", check=False)
    assert locked.returncode != 0 and "--unlock" in locked.stdout, locked.stdout
    snakemake(workdir, *CONFIG, "--unlock")

    planned = plan(workdir)
    planned_runs = {p for p in planned if p.startswith("results/runs/")}
    assert planned_runs == (every_run - done) | (marked & done)  # missing + incomplete only
    assert REPORT not in before  # the killed run never got to build it
    run(workdir)
    after = snapshot(workdir)
    assert rewritten(before, after) == planned | {REPORT}  # the report: built after it
    assert all(after[p] == before[p] for p in done - marked)  # finished files untouched
    assert not list((workdir / "results").rglob("*.tmp"))
    reference = snapshot(test_study)
    assert after.keys() == reference.keys()
    # byte for byte, but the report (REPORT: its timestamps differ)
    assert {p: v[2] for p, v in after.items() if p != REPORT} == {
        p: v[2] for p, v in reference.items() if p != REPORT
    }


# ---- case 9 ------------------------------------------------------------------------------
@pytest.mark.workflow
def test_9_one_core_and_two_cores_give_identical_bytes(serial_study, test_study):
    wd, _spy = serial_study
    one, two = snapshot(wd), snapshot(test_study)
    assert one.keys() == two.keys() and len(one) > 40
    assert REPORT in one  # both runs built it; its timestamps differ (REPORT)
    differ = [p for p in one if p != REPORT and one[p][2] != two[p][2]]
    assert not differ, differ


# ---- the structure behind cases 4 and 6 --------------------------------------------------
@pytest.mark.workflow
def test_every_job_fingerprints_all_the_code_it_imports(serial_study):
    """For every job of a real run: the gdlab files its process imported (recorded by
    tests/support/importspy) all appear in the code fingerprint Snakemake recorded for it."""
    wd, spy = serial_study
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


def test_no_rule_is_tracked_by_script_mtime():
    """script:/notebook: rules rerun on a touch and miss edits of what they import."""
    for smk in [REPO / "Snakefile", *sorted((REPO / "workflow/rules").glob("*.smk"))]:
        for n, line in enumerate(smk.read_text().splitlines(), 1):
            assert not re.match(r"\s+(script|notebook):", line), (
                f"{smk.relative_to(REPO)}:{n}: run the job from shell: as python -m "
                "gdlab.jobs.<name> and add code=plan.<kind>_code(...) to params "
                "(docs/reruns.md)"
            )


# ---- gdlab.codedeps ----------------------------------------------------------------------
def _copy_src(dest: Path) -> Path:
    shutil.copytree(REPO / "src", dest / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    return dest


def _folders(files) -> set[str]:
    """The problems whose folders hold some of ``files``."""
    return {f.split("/")[3] for f in files if re.match(r"src/gdlab/problems/[^/]+/", f)}


def test_solver_closure_is_lean_and_holds_its_problem_only():
    for problem in PROBLEMS:
        numerics = f"src/gdlab/problems/{problem}/numerics.py"
        files = set(codedeps.closure(REPO, "src/gdlab/solve.py", numerics))
        assert files == set(gdplan.solver_code(problem))  # what the solve rule tracks
        assert {"src/gdlab/__init__.py", "src/gdlab/solve.py", "src/gdlab/schema.py"} <= files
        # its numerics, and the folder's spec (the numerics' parent package)
        assert {numerics, f"src/gdlab/problems/{problem}/__init__.py"} <= files
        assert _folders(files) == {problem}  # no other problem's files
        assert (
            not {"src/gdlab/tables.py", "src/gdlab/plots/common.py", "src/gdlab/checks.py"} & files
        )


def test_every_job_of_a_problem_holds_its_problem_only():
    for problem in PROBLEMS:
        spec = problems.spec(problem)
        codes = [gdplan.solver_code(problem), gdplan.table_code(problem)]
        codes += [gdplan.table_html_code(problem)]
        codes += [gdplan.figure_code(problem, f) for f in spec.figures]
        codes += [gdplan.check_code(problem, c) for c in spec.checks]
        for code in codes:
            assert _folders(code) == {problem}, sorted(code)
            assert f"src/gdlab/problems/{problem}/__init__.py" in code
    assert _folders(gdplan.convergence_code()) == set()


def test_table_closure_holds_its_problem_only():
    files = set(gdplan.table_code("quadratic"))
    assert {
        "src/gdlab/jobs/table.py",
        "src/gdlab/tables.py",
        "src/gdlab/problems/quadratic/__init__.py",
        "src/gdlab/problems/quadratic/theory.py",
    } <= files
    assert _folders(files) == {"quadratic"}


def test_fingerprint_ignores_formatting_but_not_edits(tmp_path):
    entries = ("src/gdlab/solve.py", "src/gdlab/problems/quadratic/numerics.py")
    base = codedeps.fingerprint(_copy_src(tmp_path / "a"), *entries)
    assert set(base) == set(codedeps.closure(REPO, *entries))
    assert base == codedeps.fingerprint(REPO, *entries)  # no path inside

    formatted = _copy_src(tmp_path / "b")
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install -e '.[test]'"
    subprocess.run(
        [ruff, "format", "--quiet", "--line-length", "50", str(formatted / "src")], check=True
    )
    quad = formatted / "src/gdlab/problems/quadratic/numerics.py"
    quad.write_text("# comment\n\n\n" + quad.read_text() + "\n\n# end   \n")
    assert codedeps.fingerprint(formatted, *entries) == base

    for name, edit in (("c", _append_statement), ("d", _edit_docstring)):
        edited = _copy_src(tmp_path / name)
        quad = edited / "src/gdlab/problems/quadratic/numerics.py"
        quad.write_text(edit(quad.read_text()))
        changed = codedeps.fingerprint(edited, *entries)
        assert {k for k in base if base[k] != changed[k]} == {
            "src/gdlab/problems/quadratic/numerics.py"
        }


def test_closure_follows_relative_and_nested_imports(tmp_path):
    files = {
        "src/gdlab/__init__.py": "",
        "src/gdlab/style.py": "X = 1\n",
        "src/gdlab/unused.py": "",
        "src/gdlab/plots/__init__.py": "from .common import helper\n",
        "src/gdlab/plots/common.py": "from ..style import X\n\ndef helper():\n    return X\n",
        "src/gdlab/plots/fig.py": "from . import common\n\ndef f():\n    import gdlab.late\n",
        "src/gdlab/late.py": "import numpy\n",
        "src/gdlab/jobs/__init__.py": "",  # run first: the entry point's parent package
        "src/gdlab/jobs/s.py": "import json\nfrom gdlab.plots import fig\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert codedeps.closure(tmp_path, "src/gdlab/jobs/s.py") == sorted(
        set(files) - {"src/gdlab/unused.py"}
    )
    with pytest.raises(FileNotFoundError):
        codedeps.closure(tmp_path, "src/gdlab/jobs/missing.py")
