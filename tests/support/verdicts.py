"""A problem's study computed in process, and the verdict of its convergence check with
its theory as it is or altered (the contract's mutation checks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

import pandas as pd
import pyarrow as pa
import yaml

from gdlab import checks, grid, plan, solve, tables
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


def computed(problem: str, file: str = DEFAULT) -> tuple[pd.DataFrame, ...]:
    """:func:`study`, computed anew (e.g. with a function of the problem patched)."""
    return tuple(t.to_pandas() for t in _tables(problem, file))


def solved(problem: str, file: str = DEFAULT) -> tuple[pa.Table, ...]:
    """:func:`study` as the solver's tables, one a grid point (shared: never change)."""
    return _cached_tables(problem, file)


@cache
def _cached_tables(problem: str, file: str) -> tuple[pa.Table, ...]:
    return _tables(problem, file)


def _tables(problem: str, file: str) -> tuple[pa.Table, ...]:
    cfg = config(file)
    settings = grid.solver_settings(cfg, problem)
    found: dict[str, list[pa.Table]] = {}
    for job in grid.jobs(cfg, problem):
        table = solve.solve(problem, job.setting, job.first, job.last, settings)
        found.setdefault(job.setting, []).append(table)
    return tuple(pa.concat_tables(t) for t in found.values())


def verdict(
    problem: str,
    mutate: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    file: str = DEFAULT,
    frames: tuple[pd.DataFrame, ...] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """The convergence table of :func:`study` (or of ``frames``, one a grid point; each
    grid point's rows through ``mutate`` first, a copy) and the report of the check the
    workflow runs on it."""
    cfg = config(file)
    limits = json.loads(plan.table_checks(cfg, problem))
    rows = [
        tables.grid_point_row(
            problem, mutate(df.copy()) if mutate else df, limits, cfg["problems"][problem]
        )
        for df in (study(problem, file) if frames is None else frames)
    ]
    table = pd.DataFrame(rows)
    return table, checks.convergence({problem: table}, {problem: len(rows)})


def another_seeds(df: pd.DataFrame) -> pd.DataFrame:
    """Each run gets the theory of the next seed of its grid point (the last seed the
    first's): a theory computed from another seed's data."""
    ends = df[df["step"] == df["steps"]].drop_duplicates("seed").sort_values("seed")
    shifted = ends[["seed", *THEORY]].copy()
    shifted["seed"] = ends["seed"].to_numpy()[list(range(-1, len(ends) - 1))]
    out = df.drop(columns=list(THEORY)).merge(shifted, on="seed", how="left")
    return out[df.columns]


def scaled_rate(factor: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df["rate_theory"] = df["rate_theory"] * factor
        return df

    return mutate
