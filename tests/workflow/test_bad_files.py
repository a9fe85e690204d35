"""Bad or stale files under results/, interrupted runs and injection attempts, through
the real workflow: a clear message naming the file and how to recover, nothing
lost, nothing outside results/ touched.

One tiny study (quadratic only, 4 solver jobs) is run once per pytest run, whatever
the number of xdist workers (``conftest.shared``), and is read-only; each test works on
its own copy of it (``.snakemake/`` metadata and mtimes included).

Every kind of damaged run file (``support.bad_files.KINDS``) and its message is
checked in process by ``tests/unit/test_bad_files.py``; here two kinds, an unreadable
file and a well-formed file of another grid point, prove the wiring (the table rule
stops naming the file in one line, its output is removed, nothing else is lost).
The words of every injection through the configuration are checked in process by
``tests/unit/test_config.py``; here the real Snakemake gets all of them at once,
and each argument Snakemake itself refuses (a key, a target).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_workflow, read_only, shared, snakemake
from gdlab import schema
from support.bad_configs import CLI_PAYLOADS, PAYLOADS, payload_name, with_payloads
from support.bad_files import KINDS, OTHER_RUNS, RUN, TABLE, corrupt, recovery, write_config


def _build_tiny_study(wd: Path) -> None:
    write_config(wd)
    snakemake(wd, "--cores", "2")


@pytest.fixture(scope="session")
def _tiny_study(tmp_path_factory) -> tuple[Path, str]:
    # once per pytest run (a module-scoped fixture was built once per xdist worker)
    return shared(tmp_path_factory, "tiny_study", _build_tiny_study)


@pytest.fixture
def tiny_study(_tiny_study) -> Path:
    """The finished tiny study, shared read-only."""
    with read_only(*_tiny_study) as wd:
        yield wd


@pytest.fixture
def study(_tiny_study, tmp_path) -> Path:
    """A private copy of the tiny study (metadata and mtimes kept)."""
    return Path(shutil.copytree(_tiny_study[0], tmp_path / "gdlab", symlinks=True))


def assert_the_table_stops(study: Path, kind: str) -> None:
    """A run file damaged as ``kind``: the table rule (and every rule reading the file)
    stops with one line naming it, the table is removed, no other run file changes."""
    others = {p: (study / p).read_bytes() for p in OTHER_RUNS}
    corrupt(kind, study / RUN, study)
    proc = snakemake(study, "--cores", "1", "--keep-going", check=False)
    out = proc.stdout
    assert proc.returncode != 0, out
    # every rule that reads the file (the table, the figures) stops with one line
    lines = {x for x in out.splitlines() if x.startswith("ERROR in rule ")}
    assert any(x.startswith(f"ERROR in rule table: {RUN}") for x in lines), out
    # the job was started with SIGINT blocked (gdlab.interrupt): Snakemake prints its command
    assert re.search(
        r"pipefail; python\(\) \{ env --block-signal=INT python \"\$@\"; \}; +python -m gdlab\.jobs\.table ",
        out,
    ), out
    for line in lines:
        assert RUN in line and KINDS[kind] in line and recovery(kind) in line, line
    assert "Traceback" not in out, out
    # the failed table is removed, not left stale; no other result is touched
    assert not (study / TABLE).exists()
    assert {p: (study / p).read_bytes() for p in OTHER_RUNS} == others


def test_a_file_of_another_grid_point_stops_the_table_naming_it(study):
    """A well-formed gdlab file in the wrong place (copied from alpha_2.5)."""
    assert_the_table_stops(study, "moved_from_another_grid_point")


def test_an_unreadable_file_stops_the_table_and_delete_and_rerun_recovers(study, tiny_study):
    assert_the_table_stops(study, "truncated")
    (study / RUN).unlink()
    out = snakemake(study, "--cores", "1").stdout
    assert (study / RUN).exists(), out
    assert json.loads((study / "results/checks/convergence.json").read_text())["passed"]
    assert (study / RUN).read_bytes() == (tiny_study / RUN).read_bytes()
    assert (study / TABLE).read_text() == (tiny_study / TABLE).read_text()


@pytest.mark.parametrize(
    "path",
    [
        RUN,
        RUN.replace("results/runs/", "results/summaries/"),  # the job's per-run summary
        "results/thresholds/quadratic.csv",
    ],
)
def test_a_deleted_intermediate_file_is_recomputed(study, tiny_study, path):
    """Whichever job a damaged file failed first (the order of ready jobs varies), the
    others' outputs are left up to date: the deleted file must still be a target."""
    (study / path).unlink()
    out = snakemake(study, "--cores", "1").stdout
    assert (study / path).read_bytes() == (tiny_study / path).read_bytes(), out
    assert (study / TABLE).read_text() == (tiny_study / TABLE).read_text()


def test_corrupt_file_older_than_the_table(study):
    """A file damaged without a newer mtime (restored from a backup, bit rot): Snakemake
    sees nothing to do and the table it built earlier stays right; forcing the table
    shows the damage."""
    stat = (study / RUN).stat()
    corrupt("garbage", study / RUN, study)
    os.utime(study / RUN, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "Nothing to be done" in snakemake(study, "--cores", "1").stdout
    proc = snakemake(study, "--cores", "1", "--forcerun", "table", check=False)
    assert proc.returncode != 0
    assert f"ERROR in rule table: {RUN}: not a readable Parquet file" in proc.stdout


def test_tables_hold_only_the_current_grid(study):
    """Files of an old grid (and junk) stay in results/runs/ but are never read: the
    table lists exactly the current grid points."""
    junk = study / "results/runs/quadratic/alpha_9.0/seeds_0-0.parquet"
    junk.parent.mkdir(parents=True)
    junk.write_bytes(b"junk from an old experiment")
    stale = {p: (study / p).read_bytes() for p in OTHER_RUNS if "alpha_2.5" in p}
    write_config(study, alphas=[0.5, 1.5])
    snakemake(study, "--cores", "2")
    table = (study / TABLE).read_text().splitlines()
    assert [row.split(",")[0] for row in table[1:]] == ["alpha_0.5", "alpha_1.5"]
    assert {p: (study / p).read_bytes() for p in stale} == stale  # nothing lost
    assert junk.read_bytes() == b"junk from an old experiment"


def test_stale_settings_without_snakemake_metadata(study):
    """With .snakemake/ deleted Snakemake cannot see that max_steps changed (it says
    so: "missing provenance/metadata"); forcing the table then refuses the old files."""
    shutil.rmtree(study / ".snakemake")
    write_config(study, max_steps=2000)
    out = snakemake(study, "--cores", "1", "-n").stdout
    assert "Nothing to be done" in out and "missing provenance/metadata" in out
    proc = snakemake(study, "--cores", "1", "--forcerun", "table", check=False)
    assert proc.returncode != 0
    assert "computed with other settings than the current configuration" in proc.stdout
    assert "max_steps = 3000 instead of 2000" in proc.stdout
    assert "delete results/runs/quadratic/ and rerun snakemake" in proc.stdout


def solver_cpu_seconds(marker: str) -> float:
    """Most CPU time used by a running `python -m gdlab.solve` whose command line has ``marker``."""
    best = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"gdlab.solve" in cmd and any(marker.encode() in c for c in cmd):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                best = max(best, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
        except (OSError, IndexError, ValueError):
            continue
    return best


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_interrupted_run_leaves_a_clean_state(study, tiny_study):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while solver
    jobs run: one line per interrupted job, no partial file, and the next run
    computes exactly what is missing."""
    write_config(
        study, alphas=[0.5, 2.5, 1.0e-300], max_steps=10_000_000
    )  # the schema's largest budget
    shutil.rmtree(study / "results/runs/quadratic/alpha_0.5")
    slow = [study / f"results/logs/solve/quadratic/alpha_1e-300/seeds_{s}-{s}.log" for s in (0, 1)]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=study,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    # interrupt once a slow job is iterating (1 s of CPU: past Python's start-up)
    while solver_cpu_seconds("alpha_1e-300") < 1.0 and proc.poll() is None:
        assert time.monotonic() < deadline, "the slow solver jobs never started"
        time.sleep(0.1)
    assert proc.poll() is None, (
        "the run ended before it could be interrupted: " + proc.stdout.read()
    )
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, out
    started = [log for log in slow if log.exists()]
    assert started
    for log in started:
        text = log.read_text()
        assert "gdlab.solve: interrupted;" in text and "Traceback" not in text, text
    runs = sorted((study / "results/runs").rglob("*.parquet"))
    for path in runs:  # every file there is complete and ours
        schema.read(path, "quadratic")
    assert not list((study / "results").rglob("*.tmp"))
    assert not (study / "results/runs/quadratic/alpha_1e-300/seeds_0-0.parquet").exists()
    plan = snakemake(study, "-n", "--cores", "2", "--quiet", "host").stdout  # the job blocks
    assert "results/runs/quadratic/alpha_1e-300/seeds_0-0.parquet" in plan, plan
    write_config(study)  # the slow grid point is dropped: the study completes as before
    snakemake(study, "--cores", "2")
    for p in (RUN, *OTHER_RUNS):
        assert (study / p).read_bytes() == (tiny_study / p).read_bytes(), p


# ---- injection: payloads of support.bad_configs
# Python's bytecode cache would be the only other write (src/gdlab/__pycache__).
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}


def snapshot(root: Path, skip: Path) -> dict:
    """Every file (size, mtime) and directory under ``root``, except ``skip`` (Snakemake's
    .snakemake/, whose creation is the only change to the workdir's own entry)."""
    out = {}
    for p in root.rglob("*"):
        if skip in p.parents or p == skip:
            continue
        st = p.lstat()
        out[str(p.relative_to(root))] = "dir" if p.is_dir() else (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def sandbox(tmp_path):
    wd = copy_workflow(tmp_path / "gdlab")
    return tmp_path, wd


def test_injection_through_the_config_file_is_rejected(sandbox):
    root, wd = sandbox
    before = snapshot(root, wd / ".snakemake")
    # every payload at once: the validation lists all of them (each alone: the unit tests)
    (wd / "config/config.yaml").write_text(with_payloads(PAYLOADS))
    proc = snakemake(wd, "--cores", "1", check=False, env=NO_BYTECODE)
    assert proc.returncode != 0, proc.stdout
    assert "Error: invalid configuration" in proc.stdout
    for _label, where, payload in PAYLOADS:
        assert repr(payload_name(where, payload)) in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stdout, proc.stdout
    assert not (wd / "results").exists()
    (wd / "config/config.yaml").write_text((REPO / "config/config.yaml").read_text())
    after = snapshot(root, wd / ".snakemake")
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed <= {"gdlab/config", "gdlab/config/config.yaml"}, changed
    assert not list(root.rglob("*PWNED*")) and not Path("/tmp/PWNED").exists()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        # values: every payload at once (each alone: tests/unit/test_config.py)
        (["--config", *(entry for entry, _f in CLI_PAYLOADS)], [f for _e, f in CLI_PAYLOADS]),
        # Snakemake itself refuses keys that are not identifiers
        (["--config", "../PWNED=1"], ["Config entry must start with a valid identifier"]),
        # targets: the wildcard constraints only match what the grid can name
        (
            ["results/runs/quadratic/alpha_0.5;touch PWNED/seeds_0-0.parquet"],
            ["No rule to produce"],
        ),
        (["results/runs/../../PWNED/alpha_0.5/seeds_0-0.parquet"], ["No rule to produce"]),
        (["results/runs/quadratic/alpha=$(touch PWNED)/seeds_0-0.parquet"], ["No rule to produce"]),
    ],
    ids=["config_values", "config_key", "target_setting", "target_problem", "target_substitution"],
)
def test_injection_through_the_command_line_is_rejected(sandbox, args, fragments):
    root, wd = sandbox
    (wd / "config/config.yaml").write_text((REPO / "config/test.yaml").read_text())
    before = snapshot(root, wd / ".snakemake")
    proc = snakemake(wd, "--cores", "1", *args, check=False, env=NO_BYTECODE)
    assert proc.returncode != 0, proc.stdout
    for fragment in fragments:
        assert fragment in proc.stdout, proc.stdout
    assert not (wd / "results").exists()
    assert snapshot(root, wd / ".snakemake") == before
    assert not list(root.rglob("*PWNED*")) and not Path("/tmp/PWNED").exists()
