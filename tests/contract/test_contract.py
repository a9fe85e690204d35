"""Every check of tests/contract/checks.py on every registered problem (ids
``<problem>-<check>``): a problem gets them all by registering.  A check that does not
apply to a problem by its spec alone (its ``when``) is not made a test of it: no skip
stands for coverage; :func:`test_every_problem_gets_every_check_that_applies` holds
the pairs against the specs."""

from __future__ import annotations

import ast
import inspect
import sys

import pytest

from conftest import REPO
from contract import checks
from gdlab import problems

REGENERATE = REPO / "tests/support/regenerate.py"


def cases() -> list:
    """One case a (problem, check); a problem's cases share one xdist worker
    (``--dist loadgroup``), so that what they compute in process and cache (its default
    study, solved in tests/support/verdicts.py; its threshold cases) is computed once
    per pytest run, not once per worker."""
    return [
        pytest.param(
            name,
            check,
            id=f"{name}-{checks.id_of(check)}",
            marks=pytest.mark.xdist_group(f"contract-{name}"),
        )
        for name in problems.names()
        for check in checks.CHECKS
        if checks.applies(check, name)
    ]


@pytest.mark.parametrize(("name", "check"), cases())
def test_problem_passes(name, check):
    check(name)


def test_every_problem_gets_every_check_that_applies():
    """Each problem is held to every check but those whose ``when`` its spec fails, and
    each conditional check applies to some problem (else it would test nothing)."""
    made = {(name, checks.id_of(check)) for name, check in (c.values for c in cases())}
    for check in checks.CHECKS:
        mine = {n for n, c in made if c == checks.id_of(check)}
        if getattr(check, "when", None):
            assert mine, f"{checks.id_of(check)} ({check.when}) applies to no problem"
        else:
            assert mine == set(problems.names()), checks.id_of(check)


def test_every_check_is_on_the_list():
    """A ``check_`` function left out of CHECKS would never run."""
    defined = [
        fn
        for n, fn in inspect.getmembers(checks, inspect.isfunction)
        if n.startswith("check_") and fn.__module__ == checks.__name__
    ]
    assert defined, "checks.py defines no check"
    assert sorted(map(checks.id_of, defined)) == sorted(map(checks.id_of, checks.CHECKS))


def test_regenerate_imports_only_the_standard_library_numpy_and_pyarrow():
    """tests/support/regenerate.py regenerates a run without gdlab: it imports nothing but
    the standard library, NumPy and pyarrow, and no module that imports by name."""
    tree = ast.parse(REGENERATE.read_text(), filename=str(REGENERATE))
    allowed = set(sys.stdlib_module_names) - {"importlib", "runpy", "pkgutil", "zipimport"}
    allowed |= {"numpy", "pyarrow"}
    imported, found = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")]
        elif isinstance(node, ast.Name) and node.id in ("__import__", "exec", "eval"):
            found.append(f"line {node.lineno}: {node.id}")
            continue
        else:
            continue
        imported += names
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert {"numpy", "pyarrow.parquet"} <= set(imported), imported  # the scan finds imports
    assert found == [], f"{REGENERATE.relative_to(REPO)} imports beyond stdlib, numpy, pyarrow"
