"""The registry: every folder here whose ``__init__.py`` defines ``SPEC`` is a problem.

A problem is one folder, ``src/gdlab/problems/<name>/``:

* ``__init__.py`` — ``SPEC = gdlab.spec.Problem(...)``, pure Python (read at parse
  time, by every cluster job again): grid, seeding, columns, schema fragment,
  theory, figures, checks;
* ``numerics.py`` — the solver, :class:`gdlab.spec.Numerics` (:func:`numerics`);
* ``captions/table.rst`` and ``captions/<figure, check or chart>.rst`` — report captions;
* any module its spec names (a theory, figures, checks).

Standard library only.  Folders are found by listing this directory, so adding a
problem changes no file that another problem's jobs depend on; specs and modules
are imported with :mod:`importlib` (never statically), so no problem's code is in
another problem's code fingerprint (:mod:`gdlab.codedeps`).  Every missing piece is
reported by :func:`missing` in one line that names the file to add.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from pathlib import Path

from gdlab.spec import Numerics, Theory

HERE = Path(__file__).resolve().parent
PACKAGE = __name__


class ProblemError(ValueError):
    """A problem folder lacks a piece (the message names the file to add)."""


def folder(name: str) -> Path:
    return HERE / name


def _candidates() -> list[str]:
    return sorted(
        p.name
        for p in HERE.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and not p.name.startswith(("_", "."))
    )


@cache
def spec(name: str):
    """The ``SPEC`` of problem ``name`` (imports only its ``__init__.py``)."""
    if not (folder(name) / "__init__.py").is_file():
        raise ProblemError(f"unknown problem {name!r}; the problems are {', '.join(names())}")
    module = importlib.import_module(f"{PACKAGE}.{name}")
    found = getattr(module, "SPEC", None)
    if found is None:
        raise ProblemError(
            f"src/gdlab/problems/{name}/__init__.py defines no SPEC: add "
            "SPEC = gdlab.spec.Problem(...) (see docs/adding-a-problem.md)"
        )
    if found.name != name:
        raise ProblemError(
            f"src/gdlab/problems/{name}/__init__.py: SPEC.name is {found.name!r}; it must be "
            f"the folder's name {name!r}"
        )
    return found


@cache
def names() -> tuple[str, ...]:
    """Every registered problem, in ``SPEC.order`` (then name)."""
    return tuple(sorted(_candidates(), key=lambda n: (spec(n).order, n)))


def module_file(name: str, module: str) -> Path:
    """The file of module ``module`` (dotted, relative to the problem's folder)."""
    return folder(name).joinpath(*module.split(".")).with_suffix(".py")


def module(name: str, module_name: str = "numerics"):
    """Import a module of the problem's folder (``numerics`` by default)."""
    return importlib.import_module(f"{PACKAGE}.{name}.{module_name}")


def function(name: str, ref: str):
    """``"module:function"`` of a figure or check: a module of the problem's folder,
    or an absolute ``gdlab.`` module."""
    mod, _, attr = ref.partition(":")
    imported = importlib.import_module(mod) if mod.startswith("gdlab.") else module(name, mod)
    return getattr(imported, attr)


def function_file(name: str, ref: str) -> Path:
    """The source file of a ``"module:function"`` reference (for code fingerprints)."""
    mod = ref.partition(":")[0]
    if mod.startswith("gdlab."):
        return HERE.parent.joinpath(*mod.split(".")[1:]).with_suffix(".py")
    return module_file(name, mod)


def numerics(name: str) -> Numerics:
    """The problem's solver, its ``numerics.py`` (:class:`gdlab.spec.Numerics`)."""
    found = module(name, "numerics")
    if not isinstance(found, Numerics):
        raise ProblemError(
            f"src/gdlab/problems/{name}/numerics.py lacks run(settings, value, seeds) or "
            "data_process(settings, value): the solver's interface (gdlab.spec.Numerics)"
        )
    if spec(name).iterative and "traced" not in inspect.signature(found.run).parameters:
        raise ProblemError(
            f"src/gdlab/problems/{name}/numerics.py: run(settings, value, seeds, traced=None) "
            "takes traced and hands it to gdlab.descent.run_block (an iterative problem)"
        )
    return found


def theory(name: str) -> Theory:
    """The problem's theory (:class:`gdlab.spec.Theory`): its spec's
    :class:`gdlab.theory.Threshold`, or the module it names."""
    t = spec(name).theory
    found = module(name, t) if isinstance(t, str) else t
    if not isinstance(found, Theory):
        raise ProblemError(
            f"src/gdlab/problems/{name}: SPEC.theory lacks threshold, predict or "
            "table_row: the theory's interface (gdlab.spec.Theory)"
        )
    return found


def theory_files(name: str) -> list[Path]:
    """The files of the problem's theory (its module, if the spec names one)."""
    t = spec(name).theory
    return [module_file(name, t)] if isinstance(t, str) else []


def caption(name: str, output: str) -> Path:
    """``captions/<output>.rst`` of the problem (``table`` for its convergence table)."""
    return folder(name) / "captions" / f"{output}.rst"


def missing(name: str) -> list[str]:
    """Every piece the folder of ``name`` lacks, one line each naming the file to add."""
    try:
        s = spec(name)
    except ProblemError as exc:
        return [str(exc)]
    rel = f"src/gdlab/problems/{name}"
    out = []
    if not module_file(name, "numerics").is_file():
        out.append(f"{rel}/numerics.py is missing: add run(settings, value, seeds) -> columns")
    if isinstance(s.theory, str) and not module_file(name, s.theory).is_file():
        out.append(
            f"{rel}/{s.theory}.py is missing: SPEC.theory names it; add predict, threshold "
            "and table_row there"
        )
    if s.theory is None:
        out.append(f"{rel}/__init__.py: SPEC.theory is empty: give a Threshold or a module name")
    wanted = ["table"] + [x.name for x in (*s.figures, *s.checks, *s.charts)]
    out += [
        f"{rel}/captions/{w}.rst is missing: the report caption of {w}"
        for w in wanted
        if not caption(name, w).is_file()
    ]
    if s.thresholds is not None:
        if not function_file(name, s.thresholds.function).is_file():
            out.append(
                f"{function_file(name, s.thresholds.function).relative_to(HERE.parents[2])} is "
                f"missing: SPEC.thresholds names {s.thresholds.function}; add it there "
                "(docs/thresholds.md)"
            )
        if "threshold" not in s.schema.get("properties", {}):
            out.append(
                f"{rel}/__init__.py: SPEC.thresholds is set but SPEC.schema has no key "
                "'threshold': pass optional=gdlab.spec.threshold_key() to its section"
            )
    for item in (*s.figures, *s.checks, *s.charts):
        if not function_file(name, item.function).is_file():
            out.append(
                f"{function_file(name, item.function)} is missing: {item.name} is drawn by "
                f"{item.function}"
            )
    if not s.schema:
        out.append(f"{rel}/__init__.py: SPEC.schema is empty: give its config section's schema")
    return out


def problems_missing() -> list[str]:
    """:func:`missing` of every registered folder."""
    out: list[str] = []
    for name in _candidates():
        out += missing(name)
    return out
