"""Convergence tables: per problem and grid point, what the runs did vs what theory says.

One row per grid point: counts of each outcome, median steps to tolerance,
empirical vs theoretical rate, the theory's prediction (SPEC.md) and whether
every run agrees with it.  Reads only the files it is given (the current
config's jobs), never globs ``results/``, so stale files never mix in.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa

from gdlab import grid, schema
from gdlab.problems import module  # a problem's module only for its own table (codedeps)


def load(paths: list[str], problem: str, settings: dict | None = None) -> pd.DataFrame:
    """All rows of ``paths``, each checked by :func:`gdlab.schema.read` (ours, this
    schema version, this problem, and the grid point and seeds its path names), all
    computed with the same solver settings and, if given, with ``settings`` (the
    current config's :func:`gdlab.grid.solver_settings`).  A file left from an older
    configuration (which Snakemake cannot see once ``.snakemake/`` was deleted or
    ``results/`` copied in) stops the aggregation instead of mixing in."""
    tables, first = [], None
    for p in paths:
        parsed = grid.parse_run_path(p)
        setting, seeds = (parsed[1], parsed[2]) if parsed else (None, None)
        tables.append(schema.read(p, problem, setting, seeds))
        used = json.loads(tables[-1].schema.metadata[schema.METADATA_KEY]).get("settings")
        if settings is not None and used != settings:
            raise schema.ResultFileError(
                _stale(problem, p, used, settings, "the current configuration")
            )
        if first is None:
            first = (p, used)
        elif used != first[1]:
            raise schema.ResultFileError(_stale(problem, p, used, first[1], first[0]))
    df = pa.concat_tables(tables).to_pandas()
    for col in ("problem", "setting", "outcome", "minimum"):
        df[col] = df[col].astype(str).where(df[col].notna(), None)
    return df


def _stale(problem: str, path: str, used, expected, source: str) -> str:
    used = used if isinstance(used, dict) else {}
    expected = expected if isinstance(expected, dict) else {}
    keys = sorted(k for k in set(used) | set(expected) if used.get(k) != expected.get(k))
    diff = ", ".join(f"{k} = {used.get(k)!r} instead of {expected.get(k)!r}" for k in keys)
    return (
        f"{path} was computed with other settings than {source} ({diff}): it is left from an "
        f"older configuration; delete results/runs/{problem}/ and rerun snakemake to recompute "
        "its files"
    )


def last_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run (setting, seed): its last recorded iterate."""
    return df[df["step"] == df["steps"]].drop_duplicates(["setting", "seed"]).reset_index(drop=True)


def _order(problem: str, settings: list[str]) -> list[str]:
    """Grid points in increasing value (α, c or N·p)."""

    def key(s):
        _axis, v = grid.parse_setting(s)
        return v if not isinstance(v, tuple) else v[0] * v[1]

    return sorted(set(settings), key=key)


RATE_ATOL = 1e-4  # runs of a few steps (α ≈ 1/f"") measure tiny rates only roughly


# A run that stops within a few steps (α ≈ 1/f'', where the rate is ~0) has no
# asymptotic regime to measure: its rate is not compared with the theory.
MIN_RATE_STEPS = 10


def _rate_ok(runs: pd.DataFrame, rtol: float) -> pd.Series:
    emp, theo = runs["rate_empirical"], runs["rate_theory"]
    ok = (emp - theo).abs() <= rtol * theo.abs() + RATE_ATOL
    return ok | theo.isna() | emp.isna() | (runs["steps"] < MIN_RATE_STEPS)


def _outcome_counts(runs: pd.DataFrame) -> dict:
    counts = runs["outcome"].value_counts()
    conv = runs[runs["outcome"] == "converged"]
    return {
        "runs": len(runs),
        "converged": int(counts.get("converged", 0)),
        "diverged": int(counts.get("diverged", 0)),
        "max_steps": int(counts.get("max_steps", 0)),
        "median_steps": float(conv["steps"].median()) if len(conv) else np.nan,
    }


def _rates(runs: pd.DataFrame, rtol: float) -> dict:
    emp, theo = runs["rate_empirical"], runs["rate_theory"]
    rel = ((emp - theo).abs() / theo.abs().clip(lower=1e-300)).replace(np.inf, np.nan)
    rel = rel[runs["steps"] >= MIN_RATE_STEPS]
    return {
        "rate_empirical": float(emp.median()),
        "rate_theory": float(theo.median()),
        "rate_max_rel_err": float(rel.max()) if rel.notna().any() else np.nan,
        "rates_agree": bool(_rate_ok(runs, rtol).all()),
    }


def _closed_form_rel(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per comparable row: relative error of θ_k vs θ_0(1 − α)^k, and its rounding
    growth k·(1 + |α/(1 − α)|) (one GD step θ − αθ cancels digits when α ≈ 1)."""
    start = df[df["step"] == 0].set_index(["setting", "seed"])["x"]
    theta0 = start.reindex(pd.MultiIndex.from_frame(df[["setting", "seed"]])).to_numpy()
    alpha, step = df["alpha"].to_numpy(), df["step"].to_numpy()
    with np.errstate(all="ignore"):  # (1 − α)^k overflows where a run diverged
        exact = module("quadratic").closed_form(theta0, alpha, step)
        rel = np.abs(df["x"].to_numpy() - exact) / np.abs(exact)
        growth = np.maximum(1.0, step * (1.0 + np.abs(alpha / (1.0 - alpha))))
    # subnormal iterates (|θ_k| < 2.2e-308) carry fewer digits: only normal floats compare
    keep = np.isfinite(rel) & (np.abs(exact) >= np.finfo(float).tiny) & np.isfinite(growth)
    return rel[keep], growth[keep]


def closed_form_error(df: pd.DataFrame) -> float:
    """quadratic: max relative error of the recorded θ_k vs θ_0(1 − α)^k over finite,
    normal (not subnormal) iterates."""
    rel, _growth = _closed_form_rel(df)
    return float(rel.max()) if rel.size else 0.0


def closed_form_agrees(df: pd.DataFrame, rtol: float) -> bool:
    """Every relative error within ``rtol`` per unit of rounding growth
    k·(1 + |α/(1 − α)|): α = 0.99999 loses five digits in each θ − αθ, exactly."""
    rel, growth = _closed_form_rel(df)
    return bool((rel <= rtol * growth).all())


def convergence_table(problem: str, df: pd.DataFrame, checks: dict) -> pd.DataFrame:
    """The table of one problem (see the module docstring)."""
    runs = last_rows(df)
    theory = module(problem)
    rtol = checks.get("rate_rtol", {}).get(problem, 0.0)
    rows = []
    for setting in _order(problem, runs["setting"]):
        r = runs[runs["setting"] == setting]
        _axis, value = grid.parse_setting(setting)
        row = {"setting": setting}
        if problem == "lsq_gradient":
            tol = checks["lsq_gradient"]
            row.update(runs=len(r))
            for col in ("err_sum", "err_fd", "err_sample"):
                row[f"max_{col}"] = float(r[col].max())
            row["prediction"] = "∇L = Xᵀ(Xθ−Y) = Σ∇ℓ_i, ∇ℓ_i = (X_iᵀθ−Y_i)X_i"
            row["agrees"] = bool(
                (r["err_sum"] <= tol["err_sum"]).all()
                and (r["err_fd"] <= tol["err_fd"]).all()
                and (r["err_sample"] <= tol["err_sample"]).all()
            )
            rows.append(row)
            continue
        row["alpha"] = float(r["alpha"].median())
        if problem == "lsq_gd":
            row["alpha_min"], row["alpha_max"] = float(r["alpha"].min()), float(r["alpha"].max())
        row.update(_outcome_counts(r))
        row.update(_rates(r, rtol))
        if problem == "quadratic":
            expected = theory.predict(value)
            row["prediction"] = (
                f"{expected} (α {'<' if value < 2 else '=' if value == 2 else '>'} 2)"
            )
            rows_here = df[df["setting"] == setting]
            row["closed_form_max_rel_err"] = closed_form_error(rows_here)
            ok = (r["outcome"] == expected).all() and closed_form_agrees(
                rows_here, checks["closed_form_rtol"]
            )
        elif problem == "lsq_gd":
            expected = theory.predict(value)
            row["prediction"] = f"{expected} (α = {value:g}·2/ρ(XᵀX))"
            ok = (r["outcome"] == expected).all()
        elif problem == "sharp_wide":
            reach = theory.reachable(value)
            for m in ("sharp", "wide"):
                row[f"share_{m}"] = float((r["minimum"] == m).mean())
            row["share_sharp_gradient_flow"] = theory.sharp_basin_share(
                checks.get("start_interval")
            )
            row["prediction"] = "stable at: " + (", ".join(reach) if reach else "neither minimum")
            converged_at = set(r.loc[r["outcome"] == "converged", "minimum"])
            ok = converged_at <= set(reach)
        elif problem == "conv_huber":
            below = r["alpha"] < r["alpha_critical"]
            row["alpha_critical_min"] = float(r["alpha_critical"].min())
            row["runs_below_critical"] = int(below.sum())
            row["prediction"] = (
                "converged (α < 2/(‖A‖²+λ) for every seed)"
                if below.all()
                else "converged where α < 2/(‖A‖²+λ); no claim above"
            )
            ok = (r.loc[below, "outcome"] == "converged").all()
        else:  # pragma: no cover - grid.PROBLEMS is closed
            raise ValueError(problem)
        row["agrees"] = bool(ok and row["rates_agree"])
        rows.append(row)
    return pd.DataFrame(rows)


def to_markdown(problem: str, table: pd.DataFrame) -> str:
    """A plain Markdown rendering (no extra dependency)."""

    def fmt(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "**NO**"
        if isinstance(v, float):
            return "–" if np.isnan(v) else f"{v:.6g}"
        return str(v)

    cols = list(table.columns)
    lines = [
        f"# Convergence table: `{problem}`",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" for _ in cols) + "|",
    ]
    lines += [
        "| " + " | ".join(fmt(v) for v in row) + " |" for row in table.itertuples(index=False)
    ]
    verdict = "every run agrees with the theory" if table["agrees"].all() else "SOME RUNS DISAGREE"
    lines += ["", f"Verdict: {verdict}.", ""]
    return "\n".join(lines)
