"""The verdict tables as pages of the Snakemake report, and as Markdown: one
machinery for every table whose rows carry a verdict (``agrees``): each problem's
convergence table and the thresholds table.

The report shows images and HTML inline and offers everything else (CSV,
JSON) only as a download, so each table also gets a small self-contained HTML
page (:func:`page`): the verdict first, then the table (a row that disagrees with
the theory in red, scrolling inside the page when wide), then what every column
means.  Standard library only.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# column -> what it means (columns not listed here are shown without a note)
COLUMNS = {
    "setting": "the grid point: <axis>_<value>, e.g. a step size α, a multiple c of 2/ρ(XᵀX), or a shape N×p",
    "alpha": "step size α (the median over seeds where α depends on the seed)",
    "alpha_min": "smallest α over the seeds (ρ(XᵀX) varies with the seed)",
    "alpha_max": "largest α over the seeds",
    "runs": "runs (one per seed) at this grid point",
    "converged": "runs that reached ‖∇f‖ ≤ tolerance",
    "diverged": "runs whose iterate overflowed or moved divergence_factor × farther away",
    "cycle": "runs that used up the step budget on a periodic orbit (its period is in the run files)",
    "aperiodic": "runs that used up the step budget bounded, on no orbit, with a positive "
    "Lyapunov exponent (nearby runs separate: chaotic motion)",
    "max_steps": "runs that used up the step budget with none of these (still moving toward "
    "a limit)",
    "neutral_orbits": "cycle runs whose orbit is neutral: its multiplier is 1 to rounding "
    "(a linear map at its threshold)",
    "unstable_orbits": "cycle runs whose orbit does not attract (multiplier above 1): a run "
    "cannot settle there, so the row disagrees",
    "median_steps": "median steps to tolerance over the converged runs",
    "rate_empirical": "median measured contraction per step over the second half of a run "
    "(of the runs compared with the theory: those that converged, and those that diverged "
    "where the Hessian is the same everywhere)",
    "rate_theory": "median of each run's own prediction: max |1 − αλ| over the Hessian's "
    "eigenvalues λ at the point the run reached",
    "rate_max_rel_err": "largest relative gap between a run's measured and predicted rate",
    "rates_unsteady": "runs not compared: their rate changed within its measurement window "
    "by more than the tolerance (not yet in the asymptotic regime the theory describes)",
    "rates_unresolved": "runs not compared: their window is too short for the next mode to "
    "fade behind the slowest by the tolerance (nearly equal eigenvalues blend)",
    "rates_compared": "runs whose measured rate was compared with their own prediction",
    "rates_agree": "every compared run's measured rate is within the configured tolerance of "
    "its own prediction (empty: no run was compared)",
    "prediction": "what the homework's theory says for this grid point",
    "agrees": "every run did what the prediction says (the run stops when one does not)",
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.2em;
       color: #222; }
h1 { font-size: 1.25em; margin: 0 0 .4em; }
p.verdict { font-size: 1.05em; padding: .4em .7em; border-radius: 4px; display: inline-block; }
p.ok { background: #e3f1ea; color: #00573d; }
p.bad { background: #fbe4d9; color: #8a2c00; font-weight: bold; }
table { border-collapse: collapse; font-size: .85em; margin: .8em 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; text-align: right;
         white-space: nowrap; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.text { text-align: left; white-space: normal; }
tr.disagrees td { background: #fbe4d9; }
div.scroll { overflow-x: auto; }
dl { font-size: .85em; columns: 2 32em; }
dl div { break-inside: avoid; }
dt { font-family: monospace; font-weight: bold; }
dd { margin: 0 0 .5em 1em; }
"""


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value)}"
        return f"{value:.6g}"
    return str(value)


def _given(value) -> bool:
    """A cell that holds a value (an empty CSV cell reads back as NaN)."""
    return not (value is None or (isinstance(value, float) and math.isnan(value)) or value == "")


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def page(
    title: str,
    heading: str,
    verdict: tuple[bool, str],
    columns: Sequence[str],
    rows: Sequence[Sequence[tuple[str, bool]]],
    agrees: Sequence[bool],
    notes: dict[str, str],
) -> str:
    """A self-contained HTML page of a verdict table: ``heading`` (HTML), the
    ``verdict`` (ok, text), the table of ``rows`` (each cell its text and whether it
    is text, aligned left), a row that does not agree in red, and the ``notes`` of
    the columns shown."""
    ok, text = verdict
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    text_cell, row_class = ' class="text"', ' class="disagrees"'
    body = []
    for row, good in zip(rows, agrees, strict=True):
        cells = "".join(
            f"<td{text_cell if is_text else ''}>{html.escape(cell)}</td>" for cell, is_text in row
        )
        body.append(f"<tr{'' if good else row_class}>{cells}</tr>")
    notes_html = "".join(
        f"<div><dt>{html.escape(c)}</dt><dd>{html.escape(notes[c])}</dd></div>"
        for c in columns
        if c in notes
    )
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n"
        f"<h1>{heading}</h1>\n"
        f'<p class="verdict {"ok" if ok else "bad"}">{html.escape(text)}</p>\n'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(body)
        + "\n</tbody></table></div>\n"
        f"<h2>Columns</h2><dl>{notes_html}</dl>\n</body></html>\n"
    )


def markdown(heading: str, intro: str, columns: Sequence[str], rows, verdict: str = "") -> str:
    """A plain Markdown rendering of a verdict table (no extra dependency): the
    heading, ``intro``, the table of ``rows`` (cells as text) and the ``verdict`` line."""
    lines = [f"# {heading}", ""]
    if intro:
        lines += [intro, ""]
    lines += [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if verdict:
        lines += ["", verdict, ""]
    return "\n".join(lines) + ("" if verdict else "\n")


def table_html(problem: str, table: pd.DataFrame, notes: dict | None = None) -> str:
    """A page (:func:`page`) of one convergence table (read back from its CSV). The
    verdict columns come first, after the grid point, so they are seen without
    scrolling."""
    first = [c for c in ("setting", "prediction", "agrees") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]
    cols = list(table.columns)
    agrees = [_bool(v) for v in table["agrees"]] if "agrees" in table else []
    n_ok = sum(agrees)
    if agrees and n_ok == len(agrees):
        verdict = (True, f"Every run agrees with the theory ({n_ok}/{len(agrees)} grid points).")
    else:
        verdict = (
            False,
            f"Some runs disagree with the theory: {n_ok}/{len(agrees)} grid points agree.",
        )
    rows = []
    for row in table.itertuples(index=False):
        cells = []
        for col, value in zip(cols, row, strict=True):
            if col == "agrees" or (col == "rates_agree" and _given(value)):
                value = _bool(value)
            cells.append((_fmt(value), isinstance(value, str)))
        rows.append(cells)
    return page(
        problem,
        f"Convergence table: <code>{html.escape(problem)}</code>",
        verdict,
        cols,
        rows,
        agrees or [True] * len(rows),
        {**COLUMNS, **(notes or {})},  # the problem's own columns (SPEC.table_notes)
    )
