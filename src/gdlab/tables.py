"""Convergence tables: per problem and grid point, what the runs did vs what theory says.

One row per grid point: for a problem run by GD, α (and its range when the grid
value is not α itself), the counts of each outcome, median steps to tolerance,
empirical vs theoretical rate; then the problem's own columns, its theory's
prediction and ``agrees`` (``theory.table_row``, :mod:`gdlab.theory`).  Reads only
the files it is given (the current config's jobs), never globs ``results/``, so
stale files never mix in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from gdlab import columns, grid, orbits, problems, report, runs, schema
from gdlab.frames import frame, median
from gdlab.theory import APERIODIC, CONVERGED, CYCLE, DIVERGED, MAX_STEPS


def read_files(
    paths: list[str], problem: str, settings: dict | None = None
) -> Iterator[tuple[str, pa.Table]]:
    """``(path, table)`` of each of ``paths`` in turn, each checked by
    :func:`gdlab.schema.read` (ours, this schema version, this problem, and the grid
    point and seeds its path names) and read with ``problem``'s columns only, all
    computed with the same solver settings and, if given, with ``settings`` (the
    current config's :func:`gdlab.grid.solver_settings`).  A file left from an older
    configuration (which Snakemake cannot see once ``.snakemake/`` was deleted or
    ``results/`` copied in) stops the aggregation instead of mixing in.  One file at a
    time: what a caller keeps of each is its memory."""
    first = None
    for p in paths:
        parsed = grid.parse_run_path(p, problem)
        setting, seeds = (parsed[1], parsed[2]) if parsed else (None, None)
        table = schema.read(p, problem, setting, seeds, own=True)
        used = json.loads(table.schema.metadata[schema.METADATA_KEY]).get("settings")
        if settings is not None and used != settings:
            raise schema.ResultFileError(
                runs.stale_settings(p, problem, used, settings, "the current configuration")
            )
        if first is None:
            first = (p, used)
        elif used != first[1]:
            raise schema.ResultFileError(runs.stale_settings(p, problem, used, first[1], first[0]))
        yield p, table
    if first is None:
        raise schema.ResultFileError(f"{problem}: no result files were given")


def load(paths: list[str], problem: str, settings: dict | None = None) -> pd.DataFrame:
    """All rows of ``paths`` (:func:`read_files`), the problem's columns, as one frame."""
    return pa.concat_tables(t for _p, t in read_files(paths, problem, settings)).to_pandas()


def load_trace(paths: list[str], problem: str, settings: dict | None = None) -> pd.DataFrame:
    """What a figure or chart of recorded rows reads (``data="trace"``): every row of its
    run files ``paths`` and, where ``paths`` also name the solver jobs' summaries (a
    problem whose runs beyond ``SPEC.trajectories`` keep no rows), the last row of
    every other run, made from its summary (step = ``steps``, each changing column's
    ``_final`` value): every run ends in a row, the trajectories are the traced seeds'."""
    runs_paths = [p for p in paths if grid.parse_run_path(p, problem, "summaries") is None]
    summaries = [p for p in paths if p not in runs_paths]
    df = load(runs_paths, problem, settings)
    if not summaries:
        return df
    every = frame(runs.read_runs(summaries, problem, settings))
    kept = pd.MultiIndex.from_frame(df[["setting", "seed"]].drop_duplicates())
    rest = every[~pd.MultiIndex.from_frame(every[["setting", "seed"]]).isin(kept)]
    if rest.empty:
        return df
    trace = set(columns.trace_columns(problem))
    ends = pd.DataFrame(
        {
            c: rest["steps"] if c == "step" else rest[f"{c}_final"] if c in trace else rest[c]
            for c in df.columns
        }
    ).astype(df.dtypes.to_dict())
    return pd.concat([df, ends], ignore_index=True)


def by_grid_point(paths: list[str], problem: str, folder: str = "runs") -> dict[str, list[str]]:
    """``paths`` (run files, or per-run summaries: ``folder``) grouped by the grid point
    their path names, in grid order."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        parsed = grid.parse_run_path(p, problem, folder)
        groups.setdefault(parsed[1] if parsed else "", []).append(p)
    return groups


def read_csv(path: str) -> pd.DataFrame:
    """A convergence table written by the table rule; an unreadable one raises
    :class:`gdlab.schema.ResultFileError` naming the file."""
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
        raise schema.ResultFileError(
            f"{path}: not a readable convergence table ({str(exc).splitlines()[0]}); delete it "
            "and rerun snakemake"
        ) from exc


def _order(settings: list[str], problem: str | None = None) -> list[str]:
    """Grid points in increasing value (α, c, N·p, or a pair's name, a, b)."""

    def key(s):
        _axis, v = grid.parse_setting(s, problem)
        if not isinstance(v, tuple):
            return v
        return v[0] * v[1] if len(v) == 2 else v

    return sorted(set(settings), key=key)


# A run that stops within a few steps (α ≈ 1/f'', where the rate is ~0) has no
# asymptotic regime to measure: its rate is not compared with the theory.
MIN_RATE_STEPS = 10
# the outcomes a table row counts, in its columns' order
OUTCOMES = (CONVERGED, DIVERGED, CYCLE, APERIODIC, MAX_STEPS)


class Columns(dict):
    """The columns of a frame of runs as NumPy arrays, each converted once, on first use
    (text as Python objects, NaN where missing): what a table row computes on.  A grid
    point's row takes a few dozen operations on the same columns, and each pandas
    operation costs about 0.1 ms whatever its size (a large study's 4000 runs a point);
    a NumPy one on its 4000 numbers a few µs."""

    def __init__(self, runs: pd.DataFrame):
        super().__init__()
        self.index = runs.index
        self._runs = runs

    def __missing__(self, name: str) -> np.ndarray:
        series = self._runs[name]
        text = pd.api.types.is_string_dtype(series.dtype)  # Arrow-backed or object
        self[name] = values = series.to_numpy(dtype=object) if text else series.to_numpy()
        return values


def _columns(runs) -> Columns:
    return runs if isinstance(runs, Columns) else Columns(runs)


def _mask(which, runs: Columns) -> np.ndarray:
    return np.asarray(which, dtype=bool) if which is not None else _compared(runs)


def _compared(runs: Columns, constant_hessian: bool = False) -> np.ndarray:
    ends = runs["outcome"] == CONVERGED
    if constant_hessian:
        ends |= runs["outcome"] == DIVERGED
    return ends & (runs["steps"] >= MIN_RATE_STEPS)


def compared(runs, constant_hessian: bool = False, measured=None) -> pd.Series:
    """The runs whose measured rate the local theory predicts: those that converged
    (they end at the point the theory is taken at), and, where the Hessian is the
    same everywhere, those that diverged too; never a run of fewer than
    :data:`MIN_RATE_STEPS` steps (no asymptotic regime to measure), nor one whose
    window could not measure its rate to the tolerance (``measured``:
    :func:`measurable`)."""
    runs = _columns(runs)
    out = _compared(runs, constant_hessian)
    if measured is not None:
        out &= np.asarray(measured, dtype=bool)
    return pd.Series(out, index=runs.index)


def _measurable(runs: Columns, rtol: float) -> tuple[np.ndarray, np.ndarray]:
    """(steady, resolved) of :func:`measurable`, from each run's window: its rate is
    measured over [k0, K] (k0 the last recorded step ≤ K/2, K its ``steps``), cut at k1
    (the last recorded step ≤ (k0 + K)/2), with d (the distance, the gradient norm where
    the distance is unknown, or a method's modes' norm, ``gdlab.columns.WINDOW``) at k0,
    k1 and K as the descent measured it (``d_k0``, ``d_k1``, ``d_last``;
    :func:`gdlab.trace.windows` is their definition from a run's rows)."""
    k0, k1, K = runs["k0"], runs["k1"], runs["steps"]
    d0, d1, dK = runs["d_k0"], runs["d_k1"], runs["d_last"]
    following = runs["rate_theory_next"]
    with np.errstate(all="ignore"):
        first = (d1 / d0) ** (1.0 / (k1 - k0))
        second = (dK / d1) ** (1.0 / (K - k1))
        fade = (following / runs["rate_theory"]) ** k0
    testable = (k0 < k1) & (k1 < K)
    testable &= np.isfinite(first) & np.isfinite(second) & (second > 0)
    steady = testable & (np.abs(first - second) <= rtol * np.abs(second))
    return steady, np.isnan(following) | (fade <= rtol)


def measurable(runs, rtol: float) -> pd.DataFrame:
    """Per run: can its window measure its rate to ``rtol``?  Two tests, both needed
    (docs/theory.md, "Rates"):

    * ``steady`` — the rates over the window's halves [k0, k1] and [k1, K] agree
      within ``rtol``: the window is in one regime (a run that spent part of it on
      its way to its minimum's basin is not);
    * ``resolved`` — the next slowest mode of the linear map (``rate_theory_next``)
      has faded by ``rtol`` relative to the slowest by the window's start,
      (rate_theory_next/rate_theory)^k0 ≤ ``rtol``: otherwise the window measures a
      blend of both (nearly equal eigenvalues need a long window).  True where there
      is no next mode (one dimension).

    A run whose halves cannot be measured (too few recorded steps, a zero or
    non-finite distance) is not ``steady``: no measurement, no comparison."""
    runs = _columns(runs)
    steady, resolved = _measurable(runs, rtol)
    return pd.DataFrame({"steady": steady, "resolved": resolved}, index=runs.index)


def _rate_ok(runs, rtol: float, which) -> pd.Series:
    runs = _columns(runs)
    emp, theo = runs["rate_empirical"], runs["rate_theory"]
    ok = np.abs(emp - theo) <= rtol * np.abs(theo)
    return pd.Series(ok | ~_mask(which, runs), index=runs.index)


def outcome_counts(runs) -> dict:
    runs = _columns(runs)
    outcome = runs["outcome"]
    return {
        "runs": len(outcome),
        **{k: int((outcome == k).sum()) for k in OUTCOMES},
        "median_steps": median(runs["steps"][outcome == CONVERGED]),
        **orbit_counts(runs),
    }


def orbit_counts(runs) -> dict:
    """How many of the runs that settled on an orbit settled on a neutral one, and on
    one that is not attracting or neutral (a run cannot settle there: the row then
    disagrees), by each orbit's multiplier (:func:`gdlab.orbits.kind`); an orbit
    without a multiplier counts as not attracting (no evidence, no yes)."""
    runs = _columns(runs)
    cycles = runs["outcome"] == CYCLE
    period = runs["period"][cycles]
    if period.dtype.kind == "f":
        period = np.where(np.isnan(period), 0, period)
    kinds = [
        orbits.kind(m, p) if np.isfinite(m) else "unknown"
        for m, p in zip(
            runs["orbit_multiplier"][cycles].astype(float).tolist(), period.tolist(), strict=True
        )
    ]
    return {
        "neutral_orbits": kinds.count("neutral"),
        "unstable_orbits": len(kinds) - kinds.count("neutral") - kinds.count("attracting"),
    }


def rates(runs, rtol: float, which=None) -> dict:
    """Medians of the measured and predicted rates of the runs ``which`` (by default
    :func:`compared`), the largest relative gap, how many runs were compared, and
    whether each is within ``rtol`` of its own prediction: None (no evidence, not a
    yes) when no run was compared."""
    runs = _columns(runs)
    which = _mask(which, runs)
    emp, theo = runs["rate_empirical"][which], runs["rate_theory"][which]
    with np.errstate(all="ignore"):
        rel = np.abs(emp - theo) / np.maximum(np.abs(theo), 1e-300)
    rel[rel == np.inf] = np.nan
    n = int(which.sum())
    return {
        "rate_empirical": median(emp),
        "rate_theory": median(theo),
        "rate_max_rel_err": float(np.nanmax(rel)) if (~np.isnan(rel)).any() else np.nan,
        "rates_compared": n,
        "rates_agree": bool(_rate_ok(runs, rtol, which).all()) if n else None,
    }


def convergence_table(
    problem: str, summaries: list[str], paths: list[str], checks: dict, settings: dict
) -> pd.DataFrame:
    """The table of one problem (see the module docstring) from the per-run summaries
    its solver jobs wrote and, where its theory reads recorded rows
    (``SPEC.table_reads_rows``), its run files ``paths``: one grid point in memory at
    a time.  ``checks`` are its tolerances, ``settings`` its config section (the
    theory's context, and what every file must be computed with)."""
    groups = by_grid_point(summaries, problem, "summaries")
    row_groups = by_grid_point(paths, problem) if paths else {}
    read = problems.spec(problem).table_columns
    rows = []
    for setting in _order([s for s in groups if s], problem) + ([""] if "" in groups else []):
        runs_ = frame(runs.read_runs(groups[setting], problem, settings, read))
        df = load(row_groups[setting], problem, settings) if row_groups else None
        rows.append(grid_point_row(problem, runs_, df, checks, settings))
    if not rows:
        raise schema.ResultFileError(f"{problem}: the result files hold no runs")
    return pd.DataFrame(rows)


def grid_point_row(
    problem: str, runs: pd.DataFrame, df: pd.DataFrame | None, checks: dict, settings: dict
) -> dict:
    """One row of the table: the summaries ``runs`` of one grid point's runs (one row a
    run) and, for a theory that reads them, their recorded rows ``df`` (else None)."""
    spec = problems.spec(problem)
    theory = problems.theory(problem)
    rtol = checks.get("rate_rtol", {}).get(problem, 0.0)
    context = {"checks": checks, "settings": settings}
    settings_ = runs["setting"].unique()
    if len(settings_) != 1:
        raise schema.ResultFileError(f"{problem}: files of one grid point hold {list(settings_)}")
    (setting,) = settings_
    _axis, value = grid.parse_setting(setting, problem)
    row: dict = {"setting": setting}
    if spec.iterative:
        row["alpha"] = median(runs["alpha"])
        if spec.grid.axis != "alpha":  # α differs per seed: give its range
            row["alpha_min"], row["alpha_max"] = (
                float(runs["alpha"].min()),
                float(runs["alpha"].max()),
            )
        arrays = Columns(runs)
        row.update(outcome_counts(arrays))
        steady, resolved = _measurable(arrays, rtol)
        which = _compared(arrays, spec.constant_hessian)
        row.update(rates(arrays, rtol, which & steady & resolved))
        row["rates_unsteady"] = int((which & ~steady).sum())
        row["rates_unresolved"] = int((which & steady & ~resolved).sum())
    else:
        row["runs"] = len(runs)
    own = dict(theory.table_row(value, runs, df, context))
    agrees = bool(own.pop("agrees"))
    row.update(own)
    # a row whose rates were not compared rests on its outcomes alone (rates_agree empty)
    agrees = agrees and row.get("rates_agree") is not False
    row["agrees"] = bool(agrees and not row.get("unstable_orbits", 0))
    return row


def to_markdown(problem: str, table: pd.DataFrame) -> str:
    """A plain Markdown rendering (:func:`gdlab.report.markdown`)."""

    def fmt(v):
        if v is None:  # no value (e.g. rates_agree where no run was compared)
            return "–"
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "**NO**"
        if isinstance(v, float):
            return "–" if np.isnan(v) else f"{v:.6g}"
        return str(v)

    verdict = "every run agrees with the theory" if table["agrees"].all() else "SOME RUNS DISAGREE"
    return report.markdown(
        f"Convergence table: `{problem}`",
        "",
        list(table.columns),
        [[fmt(v) for v in row] for row in table.itertuples(index=False)],
        f"Verdict: {verdict}.",
    )
