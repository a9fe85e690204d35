"""The checks that fail the run when a claim does not hold.

Each check returns a JSON-able report with ``passed`` and a list of ``failures``
(sentences naming the number, its value and its tolerance).  A problem's own
checks live in its folder (``SPEC.checks``); this module has the report's form
and the check of every convergence table.
"""

from __future__ import annotations

import pandas as pd


def report(name: str, values: dict, failures: list[str]) -> dict:
    return {"check": name, "passed": not failures, "failures": failures, **values}


def convergence(tables: dict[str, pd.DataFrame]) -> dict:
    """Every row of every table agrees with its theory (a table with no rows fails)."""
    failures = [
        f"{problem} {row.setting}: runs disagree with the prediction '{row.prediction}'"
        for problem, t in tables.items()
        for row in t.itertuples()
        if not row.agrees
    ]
    failures += [f"{problem}: the table has no rows" for problem, t in tables.items() if t.empty]
    if not tables:
        failures.append("no convergence table was given")
    values = {"tables": {p: len(t) for p, t in tables.items()}}
    return report("convergence", values, failures)
