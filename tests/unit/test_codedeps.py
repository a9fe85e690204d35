"""The code fingerprints behind the reruns (gdlab.codedeps, gdlab.plan.*_code): which files
each job tracks, and how imports are followed; all in process."""

from __future__ import annotations

import os
import re

import pytest

from conftest import REPO
from gdlab import codedeps, fingerprints, problems


def test_no_rule_is_tracked_by_script_mtime():
    """script:/notebook: rules rerun on a touch and miss edits of what they import."""
    for smk in [REPO / "Snakefile", *sorted((REPO / "workflow/rules").glob("*.smk"))]:
        for n, line in enumerate(smk.read_text().splitlines(), 1):
            assert not re.match(r"\s+(script|notebook):", line), (
                f"{smk.relative_to(REPO)}:{n}: run the job from shell: as python -m "
                "gdlab.jobs.<name> and add code=plan.<kind>_code(...) to params "
                "(docs/reruns.md)"
            )


PROBLEMS = problems.names()


def _folders(files) -> set[str]:
    """The problems whose folders hold some of ``files``."""
    return {f.split("/")[3] for f in files if re.match(r"src/gdlab/problems/[^/]+/", f)}


def test_solver_closure_is_lean_and_holds_its_problem_only():
    for problem in PROBLEMS:
        numerics = f"src/gdlab/problems/{problem}/numerics.py"
        files = set(codedeps.closure(REPO, "src/gdlab/solve.py", numerics))
        assert files == set(fingerprints.solver_code(problem))  # what the solve rule tracks
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
        codes = [fingerprints.solver_code(problem), fingerprints.table_code(problem)]
        codes += [fingerprints.table_html_code(problem)]
        codes += [fingerprints.figure_code(problem, f) for f in spec.figures]
        codes += [fingerprints.check_code(problem, c) for c in spec.checks]
        codes += [fingerprints.chart_code(problem, c) for c in spec.charts]
        for code in codes:
            assert _folders(code) == {problem}, sorted(code)
            assert f"src/gdlab/problems/{problem}/__init__.py" in code
    assert _folders(fingerprints.convergence_code()) == set()


def test_table_closure_holds_its_problem_only():
    files = set(fingerprints.table_code("quadratic"))
    assert {
        "src/gdlab/jobs/table.py",
        "src/gdlab/tables.py",
        "src/gdlab/problems/quadratic/__init__.py",
        "src/gdlab/problems/quadratic/theory.py",
    } <= files
    assert _folders(files) == {"quadratic"}


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


# ---- the code cache: what a file's text says, kept per text ------------------------------
ENTRIES = ("src/gdlab/solve.py", "src/gdlab/problems/sharp_wide/numerics.py")


def _uncached(root, monkeypatch, tmp_path) -> dict[str, str]:
    """The fingerprint computed from the files alone: the cache is a file, not a folder."""
    blocked = tmp_path / "blocked"
    blocked.write_text("not a directory")
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(blocked))
    codedeps.forget()
    return codedeps.fingerprint(root, *ENTRIES)


def test_the_cache_gives_the_fingerprint_the_files_give(monkeypatch, tmp_path):
    truth = _uncached(REPO, monkeypatch, tmp_path)
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(tmp_path / "cache"))
    for _ in ("cold", "warm"):
        codedeps.forget()
        assert codedeps.fingerprint(REPO, *ENTRIES) == truth
    entries = list((tmp_path / "cache" / "code").iterdir())
    assert len(entries) == len(truth)  # one entry per file of the closure


@pytest.mark.parametrize(
    "damage",
    [b"", b'[["gdlab"], ', b"\xff\xfe", b'{"a": 1}', b'[["gdlab"], 7]', b'[[1, 2], "ab"]'],
    ids=["empty", "truncated", "not-utf8", "a-mapping", "digest-not-text", "modules-not-text"],
)
def test_a_damaged_entry_is_computed_again(monkeypatch, tmp_path, damage):
    truth = _uncached(REPO, monkeypatch, tmp_path)
    cache = tmp_path / "cache"
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(cache))
    codedeps.forget()
    codedeps.fingerprint(REPO, *ENTRIES)
    for entry in (cache / "code").iterdir():
        entry.write_bytes(damage)
    codedeps.forget()
    assert codedeps.fingerprint(REPO, *ENTRIES) == truth
    codedeps.forget()  # and the entries were rewritten whole
    assert all(e.read_bytes() != damage for e in (cache / "code").iterdir())


def test_an_edit_that_keeps_size_and_mtime_is_seen(monkeypatch, tmp_path):
    """Entries are keyed by the file's bytes, not its size or mtime."""
    root = tmp_path / "wd"
    for name in ("src/gdlab/__init__.py", "src/gdlab/jobs/__init__.py", "src/gdlab/jobs/s.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text('"""A."""\n' if name.endswith("s.py") else "")
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(tmp_path / "cache"))
    job = root / "src/gdlab/jobs/s.py"
    before = codedeps.fingerprint(root, "src/gdlab/jobs/s.py")
    st = job.stat()
    job.write_text('"""B."""\n')  # same size
    os.utime(job, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    codedeps.forget()
    after = codedeps.fingerprint(root, "src/gdlab/jobs/s.py")
    assert after["src/gdlab/jobs/s.py"] != before["src/gdlab/jobs/s.py"]
    codedeps.forget()
    assert codedeps.fingerprint(root, "src/gdlab/jobs/s.py") == after
