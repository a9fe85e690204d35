"""The code each job of the workflow runs, as its fingerprint (:mod:`gdlab.codedeps`):
one ``*_code`` per rule, handed to the rule as a param, so that Snakemake reruns a
job exactly when a file it imports changed.  Called at parse time, like
:mod:`gdlab.plan`; no problem is named here."""

from __future__ import annotations

from pathlib import Path

from gdlab import codedeps, problems
from gdlab.plan import ROOT, study


def _rel(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def _fingerprint(*files: Path) -> dict[str, str]:
    return codedeps.fingerprint(ROOT, *(_rel(f) for f in files))


def _job(name: str) -> Path:
    return ROOT / "src" / "gdlab" / "jobs" / f"{name}.py"


def _spec_and_theory(problem: str) -> list[Path]:
    return [problems.folder(problem) / "__init__.py", *problems.theory_files(problem)]


def solver_code(problem: str) -> dict[str, str]:
    return _fingerprint(
        ROOT / "src" / "gdlab" / "solve.py", problems.module_file(problem, "numerics")
    )


def table_code(problem: str) -> dict[str, str]:
    return _fingerprint(_job("table"), *_spec_and_theory(problem))


def table_html_code(problem: str) -> dict[str, str]:
    return _fingerprint(_job("table_html"), problems.folder(problem) / "__init__.py")


def figure_code(problem: str, figure) -> dict[str, str]:
    """A figure drawn by generic code (a ``gdlab.`` function) reads the problem's spec and
    theory through the registry; one of the problem's own modules imports what it uses."""
    generic = figure.function.startswith("gdlab.")
    return _fingerprint(
        _job("figure"),
        problems.function_file(problem, figure.function),
        *(_spec_and_theory(problem) if generic else []),
    )


def chart_code(problem: str, chart) -> dict[str, str]:
    """A chart draws the problem's theory: its spec and theory, beside its own function."""
    return _fingerprint(
        _job("chart"), problems.function_file(problem, chart.function), *_spec_and_theory(problem)
    )


def check_code(problem: str, check) -> dict[str, str]:
    return _fingerprint(_job("check"), problems.function_file(problem, check.function))


def convergence_code() -> dict[str, str]:
    return _fingerprint(_job("convergence"))


def threshold_code(problem: str) -> dict[str, str]:
    t = problems.spec(problem).thresholds
    return _fingerprint(_job("threshold"), problems.function_file(problem, t.function))


def threshold_table_code() -> dict[str, str]:
    return _fingerprint(_job("threshold_table"))


def threshold_check_code() -> dict[str, str]:
    return _fingerprint(_job("check_thresholds"))


def threshold_figure_code() -> dict[str, str]:
    return _fingerprint(_job("threshold_figure"))


def dataset_code(config: dict) -> dict[str, str]:
    """It checks each summary's path against its problem's grid: it reads the study's
    problems' specs."""
    return _fingerprint(
        _job("dataset"), *(problems.folder(p) / "__init__.py" for p in study(config))
    )


def verdict_code() -> dict[str, str]:
    return _fingerprint(_job("verdict"))


def costs_code() -> dict[str, str]:
    return _fingerprint(_job("costs"))
