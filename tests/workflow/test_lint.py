"""The linters are part of the test command: ruff, snakefmt --check, snakemake --lint."""

import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def run(*cmd):
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_ruff(args):
    exe = shutil.which("ruff") or pytest.fail("ruff is not installed: pip install -e '.[test]'")
    proc = run(exe, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakefmt():
    exe = shutil.which("snakefmt") or pytest.fail(
        "snakefmt is not installed: pip install -e '.[test]'"
    )
    proc = run(exe, "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakemake_lint():
    proc = run(sys.executable, "-m", "snakemake", "--lint", "--cores", "1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
