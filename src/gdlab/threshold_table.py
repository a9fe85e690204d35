"""The thresholds table, its check and its report page (docs/thresholds.md), drawn by
the machinery of every verdict table (:mod:`gdlab.report`, :func:`gdlab.checks.verdict`).

Each problem's threshold job writes one CSV (:func:`gdlab.threshold.write_csv`), one
row per case;
the table is their rows in registry order; the check holds every row against the
theory.  Standard library only (no pandas: these jobs start in a blink).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from gdlab import checks, report
from gdlab.errors import ResultFileError

# What each column of the table means (the columns are gdlab.threshold.COLUMNS).
COLUMNS = {
    "problem": "the problem",
    "case": "the minimum (minimum=…) or the seed (seed=…) whose threshold was measured",
    "method": "the iteration measured: gd, heavy_ball or nesterov (gdlab.methods)",
    "beta": "its momentum β (0 for gd)",
    "theory": "the theory's critical step size at that minimum: h*/λ_max(∇²f(x*)), with "
    "h* = 2 for gd, 2(1 + β) for heavy_ball, (2 + 2β)/(1 + 2β) for nesterov",
    "lo": "the measured bracket's lower end, in α: GD is stable there (growth ≤ 1)",
    "hi": "the measured bracket's upper end, in α: GD is unstable there (growth > 1)",
    "rel_width": "(hi − lo)/hi, below rtol",
    "agrees": "lo ≤ theory ≤ hi",
    "axis": "the unit of the configured bracket: α, or the problem's own (c = α·ρ(XᵀX)/2)",
    "unit": "one unit of that axis in α (1 for α; 2/ρ(XᵀX) of the seed's X for c)",
    "theory_axis": "theory in units of the axis (c = 1 for least squares)",
    "lo_axis": "lo in units of the axis",
    "hi_axis": "hi in units of the axis",
    "growth_lo": "the measured growth per step of a perturbation of x* at lo (≤ 1)",
    "growth_hi": "the measured growth per step at hi (> 1)",
    "bisections": "midpoints decided for this case",
    "rtol": "the relative width bisected to (thresholds.rtol)",
    "window": "GD steps per decision (the growth is taken over the second half)",
}
FLOATS = {
    "beta",
    "theory",
    "lo",
    "hi",
    "rel_width",
    "unit",
    "theory_axis",
    "lo_axis",
    "hi_axis",
    "growth_lo",
    "growth_hi",
    "rtol",
}


def read_rows(path: str | Path) -> list[dict[str, str]]:
    """One problem's threshold CSV: its header exactly :data:`COLUMNS`, at least one
    row, a value in every cell; else :class:`gdlab.errors.ResultFileError` naming the
    file (a cut or damaged file is refused, not read as a shorter table)."""
    recover = f"delete {path} and rerun snakemake to recompute it"
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = reader.fieldnames
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ResultFileError(f"{path}: not a readable threshold table ({exc}); {recover}") from exc
    if header is None or list(header) != list(COLUMNS):
        raise ResultFileError(
            f"{path}: not a threshold table of this gdlab (its header is not "
            f"{','.join(COLUMNS)}); {recover}"
        )
    if not rows:
        raise ResultFileError(f"{path}: holds no rows; {recover}")
    for line, row in enumerate(rows, start=2):
        if None in row or any(value in (None, "") for value in row.values()):
            raise ResultFileError(
                f"{path}: line {line} lacks a value or has one too many (a cut or damaged "
                f"file); {recover}"
            )
    return rows


def table(paths: list[str]) -> list[dict[str, str]]:
    """The rows of every problem's CSV, in the order given (the registry's)."""
    return [row for p in paths for row in read_rows(p)]


def _float(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _fmt(column: str, text: str) -> str:
    if column not in FLOATS:
        return text
    v = _float(text)
    return f"{v:.2e}" if column in ("rel_width", "rtol") else f"{v:.10g}"


MARKDOWN_COLUMNS = (
    "problem",
    "case",
    "method",
    "beta",
    "theory",
    "lo",
    "hi",
    "rel_width",
    "agrees",
    "axis",
)


def to_markdown(rows: list[dict[str, str]]) -> str:
    agree = sum(r["agrees"] == "True" for r in rows)
    return report.markdown(
        "Stability thresholds: measured by bisection vs the theory",
        f"{agree} of {len(rows)} measured brackets hold the theory's critical step "
        "h*/λ_max(∇²f(x*)) (h* = 2 for GD; heavy ball's and Nesterov's depend on β). "
        "lo is stable, hi unstable (growth of a perturbation of x* per step ≤ 1 / > 1); "
        "see docs/thresholds.md.",
        [*MARKDOWN_COLUMNS, "theory, lo, hi in the axis"],
        [
            [_fmt(c, r[c]) for c in MARKDOWN_COLUMNS]
            + [" ".join(_fmt(c, r[c]) for c in ("theory_axis", "lo_axis", "hi_axis"))]
            for r in rows
        ],
    )


def check(rows: list[dict[str, str]], expected: dict[str, int]) -> dict:
    """Every row's theory lies inside its bracket and the bracket is narrower than its
    rtol; every problem of ``expected`` has exactly that many rows.  Recomputed from the
    numbers (a damaged ``agrees`` cell is not a yes); never passes on no rows."""
    failures = []
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("problem", "?")] = counts.get(r.get("problem", "?"), 0) + 1
        where = f"{r.get('problem', '?')} {r.get('case', '?')}"
        if r.get("method", "gd") != "gd":
            where += f" {r.get('method')} β = {r.get('beta', '?')}"
        theory, lo, hi = (_float(r.get(c)) for c in ("theory", "lo", "hi"))
        lo_axis, hi_axis, rtol = (_float(r.get(c)) for c in ("lo_axis", "hi_axis", "rtol"))
        if not all(map(math.isfinite, (theory, lo, hi, lo_axis, hi_axis, rtol))):
            failures.append(f"{where}: a number is missing or not finite")
            continue
        if not lo <= theory <= hi:
            side = "below" if theory < lo else "above"
            gap = lo - theory if theory < lo else theory - hi
            by = f"by {gap / theory:.3g} relative" if theory > 0 else f"by {gap!r}"
            failures.append(
                f"{where}: the theory {theory!r} lies {side} the measured bracket "
                f"[{lo!r}, {hi!r}] ({by})"
            )
        width = (hi_axis - lo_axis) / hi_axis
        if not width < rtol:
            failures.append(f"{where}: the bracket's relative width {width:.3g} is not < {rtol:g}")
    worst = max(
        (
            abs(_float(r.get("theory")) / _float(r.get("lo")) - 1)
            for r in rows
            if _float(r.get("lo"))
        ),
        default=math.nan,
    )
    values = {
        "rows": counts,
        "expected": expected,
        "agree": sum(1 for r in rows if _float(r["lo"]) <= _float(r["theory"]) <= _float(r["hi"])),
        "max_rel_gap_theory_lo": worst,
    }
    return checks.verdict("thresholds", counts, expected, "cases", failures, values)


def to_html(rows: list[dict[str, str]]) -> str:
    """The report's page of the table (:func:`gdlab.report.page`: the verdict first)."""
    agree = [r["agrees"] == "True" for r in rows]
    ok = bool(rows) and all(agree)
    verdict = (
        f"Every measured bracket holds the theory ({sum(agree)}/{len(rows)})."
        if ok
        else f"{sum(agree)}/{len(rows)} measured brackets hold the theory."
    )
    cols = list(rows[0]) if rows else list(COLUMNS)
    cells = [
        [(_fmt(c, r.get(c, "")), c not in FLOATS and c != "bisections") for c in cols] for r in rows
    ]
    return report.page(
        "thresholds",
        "Stability thresholds: measured by bisection vs the theory",
        (ok, verdict),
        cols,
        cells,
        agree,
        COLUMNS,
    )
