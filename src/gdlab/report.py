"""The convergence tables as pages of the Snakemake report.

The report shows images and HTML inline and offers everything else (CSV,
JSON) only as a download, so each table also gets a small self-contained HTML
page: the verdict first, then the table (a row that disagrees with the theory
in red), then what every column means.  Standard library and pandas only.
"""

from __future__ import annotations

import html
import math

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


def table_html(problem: str, table: pd.DataFrame, notes: dict | None = None) -> str:
    """A self-contained HTML page of one convergence table (read back from its CSV).
    The verdict columns come first, after the grid point, so they are seen without scrolling."""
    first = [c for c in ("setting", "prediction", "agrees") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]
    cols = list(table.columns)
    agrees = [_bool(v) for v in table["agrees"]] if "agrees" in table else []
    n_ok = sum(agrees)
    if agrees and n_ok == len(agrees):
        verdict = (
            f'<p class="verdict ok">Every run agrees with the theory '
            f"({n_ok}/{len(agrees)} grid points).</p>"
        )
    else:
        verdict = (
            f'<p class="verdict bad">Some runs disagree with the theory: '
            f"{n_ok}/{len(agrees)} grid points agree.</p>"
        )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = []
    for i, row in enumerate(table.itertuples(index=False)):
        cells = []
        for col, value in zip(cols, row, strict=True):
            if col == "agrees" or (col == "rates_agree" and _given(value)):
                value = _bool(value)
            css = ' class="text"' if isinstance(value, str) else ""
            cells.append(f"<td{css}>{html.escape(_fmt(value))}</td>")
        css = "" if not agrees or agrees[i] else ' class="disagrees"'
        rows.append(f"<tr{css}>{''.join(cells)}</tr>")
    meaning = {**COLUMNS, **(notes or {})}  # the problem's own columns (SPEC.table_notes)
    notes_html = "".join(
        f"<div><dt>{html.escape(c)}</dt><dd>{html.escape(meaning[c])}</dd></div>"
        for c in cols
        if c in meaning
    )
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(problem)}</title>'
        f"<style>{STYLE}</style></head><body>\n"
        f"<h1>Convergence table: <code>{html.escape(problem)}</code></h1>\n{verdict}\n"
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table></div>\n"
        f"<h2>Columns</h2><dl>{notes_html}</dl>\n</body></html>\n"
    )
