"""The test tiers, a real Snakemake runner, and the finished studies the tests share.

Tiers (docs/testing.md): the folder a test lives in is its tier and its marker,
``tests/<tier>/`` -> ``pytest.mark.<tier>``:

* ``unit``: pure Python, in process (no Snakemake, no subprocess: enforced);
* ``contract``: one list of checks run against every registered problem, in process;
* ``workflow``: the real Snakemake (and the job processes it starts);
* ``system``: the local SLURM cluster, headless Chromium, the benchmark.

Finished studies are built once per pytest run, whatever the number of xdist
workers (:func:`shared`), and are read-only: a test that writes into one fails
(:func:`read_only`); a test that writes takes a copy (``study``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest

from support import checkout

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "contract", "workflow", "system")


# ---- tiers ------------------------------------------------------------------------------
def pytest_collection_modifyitems(config, items):
    for item in items:
        rel = Path(str(item.path)).resolve().relative_to(TESTS)
        tier = rel.parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(f"{rel}: a test lives in one of tests/{{{','.join(TIERS)}}}/")
        item.add_marker(getattr(pytest.mark, tier))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _xdist_groups(items)


def _xdist_groups(items) -> None:
    """``--dist loadgroup`` sends the tests of one ``xdist_group`` (the SLURM tests: one
    cluster per machine) to one worker, by the ``@<group>`` suffix of their node ids.
    pytest-xdist 3.8 adds it by setting ``item._nodeid``, which pytest 9.2 no longer
    reads (node ids are structured): add it where pytest keeps it."""
    for item in items:
        group = item.get_closest_marker("xdist_group")
        if group is None or "@" in item.nodeid:
            continue
        new = f"{item.nodeid}@{group.args[0]}"
        item._nodeid = new
        if item.nodeid != new:
            from _pytest.nodeid import NodeId

            item._id = NodeId.parse(new)


# ---- gdlab's code cache: one per pytest run, never the user's ----------------------------
def pytest_configure(config):
    """Every test process, and every Snakemake and job they start, shares one code cache
    for the run (gdlab.codedeps.cache_dir), in a directory of its own: no test reads or
    writes ~/.cache.  Set here in the controller; xdist workers inherit it."""
    if not os.environ.get("GDLAB_CACHE_DIR"):
        os.environ["GDLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="gdlab-test-cache-")
        config._gdlab_cache = os.environ["GDLAB_CACHE_DIR"]


def pytest_unconfigure(config):
    made = getattr(config, "_gdlab_cache", None)
    if made:
        shutil.rmtree(made, ignore_errors=True)


class _NoProcess(subprocess.Popen):
    def __init__(self, args, *a, **kw):
        raise AssertionError(
            f"a test of an in-process tier started a process ({args!r}): move it to "
            "tests/workflow/ or tests/system/ (docs/testing.md)"
        )


@pytest.fixture(autouse=True)
def _in_process_tiers(request, monkeypatch):
    """unit and contract tests run in this process: starting one fails the test."""
    if request.node.get_closest_marker("unit") or request.node.get_closest_marker("contract"):
        monkeypatch.setattr(subprocess, "Popen", _NoProcess)


# ---- the real Snakemake ----------------------------------------------------------------
def copy_workflow(dest: Path) -> Path:
    return checkout.copy_workflow(dest, REPO)


def snakemake(
    workdir: Path,
    *args: str,
    check: bool = True,
    timeout: float = 900,
    env=None,
    hooks: bool | None = None,
):
    """Run the real Snakemake (this interpreter's) in ``workdir``; returns the
    CompletedProcess with stdout+stderr merged in ``.stdout``.

    Hooks are off (``--no-hooks``: no end-of-run summary, no report built in a second
    Snakemake process) for a run that must succeed (``check=True``); a run that may
    fail keeps them, since its summary (``onerror``: which claim failed, one line a
    job) is what the user reads.  ``hooks=True`` or ``False`` says it explicitly."""
    if hooks is None:
        hooks = not check
    cmd = [sys.executable, "-m", "snakemake", *args, *(() if hooks else ("--no-hooks",))]
    run_env = dict(os.environ)
    # jobs call `python`: make it this interpreter's
    run_env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + run_env.get("PATH", "")
    if env:
        run_env.update(env)
    proc = subprocess.run(
        cmd,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        env=run_env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-6000:]}")
    return proc


# ---- studies shared by every worker, read-only -----------------------------------------
def tree_digest(root: Path) -> str:
    """Every file and folder under ``root``: its path, and a file's bytes and mtime."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        h.update(f"d {rel}\n".encode())
        for name in sorted(filenames):
            path = Path(dirpath) / name
            st = path.lstat()
            h.update(f"f {rel}/{name} {st.st_mtime_ns}\n".encode())
            if path.is_file() and not path.is_symlink():
                h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@contextmanager
def _locked(path: Path):
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def shared(factory, name: str, build: Callable[[Path], None]) -> tuple[Path, str]:
    """``build(workdir)`` once per pytest run, under a lock shared by all xdist workers;
    returns the workdir and the digest it must keep (:func:`tree_digest`)."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    home = root / "shared" / name
    home.parent.mkdir(exist_ok=True)
    with _locked(root / "shared" / f"{name}.lock"):
        done = home / "digest"
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)
            wd = copy_workflow(home / "gdlab")
            build(wd)
            done.write_text(tree_digest(wd))
    return home / "gdlab", done.read_text()


@contextmanager
def read_only(wd: Path, digest: str):
    yield wd
    assert tree_digest(wd) == digest, (
        f"this test wrote into the shared study {wd}: take a copy (the `study` fixture)"
    )


def output_of(wd: Path) -> Path:
    """What the test study's ``snakemake`` printed (stdout and stderr)."""
    return wd.parent / "output.txt"


def imports_of(wd: Path) -> Path:
    """Where the test study's processes recorded the gdlab files they imported."""
    return wd.parent / "imports"


def _build_test_study(wd: Path) -> None:
    """The test config on two cores; every Python process records the gdlab files it
    imported (tests/support/importspy) in :func:`imports_of`."""
    spy = imports_of(wd)
    spy.mkdir()
    path = [str(TESTS / "support" / "importspy"), *os.environ.get("PYTHONPATH", "").split(":")]
    env = {"PYTHONPATH": os.pathsep.join(p for p in path if p), "GDLAB_IMPORT_SPY": str(spy)}
    out = snakemake(wd, "--configfile", "config/test.yaml", "--cores", "2", env=env).stdout
    assert "Using workflow specific profile profiles/default" in out
    output_of(wd).write_text(out, encoding="utf-8")


@pytest.fixture(scope="session")
def _test_study(tmp_path_factory) -> tuple[Path, str]:
    return shared(tmp_path_factory, "test_study", _build_test_study)


@pytest.fixture
def test_study(_test_study):
    """The test config run once, end to end (no hooks: no report), shared read-only."""
    with read_only(*_test_study) as wd:
        yield wd


@pytest.fixture
def study(_test_study, tmp_path) -> Path:
    """A copy of the finished test study (results, .snakemake, mtimes) that a test may change."""
    return Path(shutil.copytree(_test_study[0], tmp_path / "gdlab", symlinks=True))


@pytest.fixture
def workdir(tmp_path) -> Path:
    return copy_workflow(tmp_path / "gdlab")


def _report_of(study: Path) -> Callable[[Path], None]:
    def build(wd: Path) -> None:
        shutil.rmtree(wd)
        shutil.copytree(study, wd, symlinks=True)
        proc = snakemake(wd, "--configfile", "config/test.yaml", "--report", "results/report.html")
        assert "Report created" in proc.stdout

    return build


@pytest.fixture(scope="session")
def _report_study(tmp_path_factory, _test_study) -> tuple[Path, str]:
    return shared(tmp_path_factory, "report_study", _report_of(_test_study[0]))


@pytest.fixture
def report(_report_study) -> Path:
    """``snakemake --report results/report.html`` on a finished test study (read-only)."""
    with read_only(*_report_study) as wd:
        yield wd / "results/report.html"
