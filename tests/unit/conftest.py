"""The unit tier: pure Python in this process. Starting a process fails the test, so
a test that needs one (Snakemake, a fresh interpreter, a tool) lives in a slower tier."""

import subprocess

import pytest


class _NoProcess(subprocess.Popen):
    def __init__(self, args, *a, **kw):
        raise AssertionError(
            f"a unit test started a process ({args!r}): move it to tests/workflow/ or "
            "tests/system/ (docs/testing.md)"
        )


@pytest.fixture(autouse=True)
def _no_process(monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", _NoProcess)
