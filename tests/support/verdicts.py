"""A problem's study computed in process, and the verdict of its convergence check with
its theory as it is or altered (the contract's mutation checks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

import pandas as pd
import pyarrow as pa
import yaml

from gdlab import checks, grid, plan, problems, solve, tables
from support.checkout import REPO

# The run-level columns a problem's local theory fills (gdlab.columns.CORE).
THEORY = ("rate_theory", "rate_theory_next", "alpha_critical")


DEFAULT = "config.yaml"


def config(file: str = DEFAULT) -> dict:
    """config/<file>, parsed once (shared: never change it)."""
    return _parsed(file)


@cache  # keyed by the file alone, however the public functions are called
def _parsed(file: str) -> dict:
    return yaml.safe_load((REPO / "config" / file).read_text())


def study(problem: str, file: str = DEFAULT) -> tuple[pd.DataFrame, ...]:
    """Every recorded row of ``problem``'s runs under ``config/<file>``, one frame a grid
    point (grid order), computed by its solver as its jobs would (shared: never change)."""
    return _study(problem, file)


@cache
def _study(problem: str, file: str) -> tuple[pd.DataFrame, ...]:
    return tuple(t.to_pandas() for t in solved(problem, file))


def runs_of(problem: str, file: str = DEFAULT) -> tuple[pd.DataFrame, ...]:
    """The per-run summaries its solver jobs write, one frame a grid point (grid order;
    shared: never change)."""
    return _runs(problem, file)


@cache
def _runs(problem: str, file: str) -> tuple[pd.DataFrame, ...]:
    return tuple(t.to_pandas() for t in summaries(problem, file))


def computed(problem: str, file: str = DEFAULT) -> tuple[tuple[pd.DataFrame, pd.DataFrame], ...]:
    """(summaries, rows) of each grid point of :func:`study`, computed anew (e.g. with a
    function of the problem patched)."""
    return tuple((s.to_pandas(), t.to_pandas()) for t, s in _tables(problem, file))


def solved(problem: str, file: str = DEFAULT) -> tuple[pa.Table, ...]:
    """:func:`study` as the solver's tables, one a grid point (shared: never change)."""
    return tuple(t for t, _s in _cached_tables(problem, file))


def summaries(problem: str, file: str = DEFAULT) -> tuple[pa.Table, ...]:
    """:func:`runs_of` as the solver jobs' summary tables (shared: never change)."""
    return tuple(s for _t, s in _cached_tables(problem, file))


@cache
def _cached_tables(problem: str, file: str) -> tuple[tuple[pa.Table, pa.Table], ...]:
    return _tables(problem, file)


def _tables(problem: str, file: str) -> tuple[tuple[pa.Table, pa.Table], ...]:
    cfg = config(file)
    settings = grid.solver_settings(cfg, problem)
    found: dict[str, list[tuple[pa.Table, pa.Table]]] = {}
    for job in grid.jobs(cfg, problem):
        both = solve.solve_block(problem, job.setting, job.first, job.last, settings)
        found.setdefault(job.setting, []).append(both)
    return tuple(
        (pa.concat_tables(t for t, _s in v), pa.concat_tables(s for _t, s in v))
        for v in found.values()
    )


def verdict(
    problem: str,
    mutate: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    file: str = DEFAULT,
    frames: tuple[tuple[pd.DataFrame, pd.DataFrame], ...] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The convergence table of :func:`study` (or of ``frames``, (summaries, rows) a grid
    point; each grid point's summaries through ``mutate`` first, a copy) and the report
    of the check the workflow runs on it."""
    cfg = config(file)
    limits = json.loads(plan.table_checks(cfg, problem))
    reads_rows = problems.spec(problem).table_reads_rows
    given = (
        frames
        if frames is not None
        else zip(runs_of(problem, file), study(problem, file), strict=True)
    )
    rows = [
        tables.grid_point_row(
            problem,
            mutate(runs.copy()) if mutate else runs,
            df if reads_rows else None,
            limits,
            cfg["problems"][problem],
        )
        for runs, df in given
    ]
    table = pd.DataFrame(rows)
    return table, checks.convergence({problem: table}, {problem: len(rows)})


def another_seeds(runs: pd.DataFrame) -> pd.DataFrame:
    """Each run (one summary row each) gets the theory of the next seed of its grid
    point (the last seed the first's): a theory computed from another seed's data."""
    ends = runs.sort_values("seed")
    shifted = ends[["seed", *THEORY]].copy()
    shifted["seed"] = ends["seed"].to_numpy()[list(range(-1, len(ends) - 1))]
    out = runs.drop(columns=list(THEORY)).merge(shifted, on="seed", how="left")
    return out[runs.columns]


def scaled_rate(factor: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df["rate_theory"] = df["rate_theory"] * factor
        return df

    return mutate
