"""Shared fixtures: a throw-away copy of the workflow, and a real Snakemake runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import checkout

REPO = Path(__file__).resolve().parents[1]
# What a user's checkout holds that a run needs (results/ and .snakemake/ excluded).


def copy_workflow(dest: Path) -> Path:
    return checkout.copy_workflow(dest, REPO)


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: float = 900, env=None):
    """Run the real Snakemake (this interpreter's) in ``workdir``; returns the
    CompletedProcess with stdout+stderr merged in ``.stdout``."""
    cmd = [sys.executable, "-m", "snakemake", *args]
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


@pytest.fixture
def workdir(tmp_path) -> Path:
    return copy_workflow(tmp_path / "gdlab")


@pytest.fixture(scope="session")
def test_study(tmp_path_factory) -> Path:
    """The test config run once, end to end, shared by read-only tests."""
    wd = copy_workflow(tmp_path_factory.mktemp("study") / "gdlab")
    snakemake(wd, "--configfile", "config/test.yaml", "--cores", "2")
    return wd


@pytest.fixture
def study(test_study, tmp_path) -> Path:
    """A copy of the finished test study (results, .snakemake, mtimes) that a test may change."""
    return Path(shutil.copytree(test_study, tmp_path / "gdlab", symlinks=True))
