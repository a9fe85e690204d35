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


def convergence(tables: dict[str, pd.DataFrame], expected: dict[str, int] | None = None) -> dict:
    """Every row of every table agrees with its theory.  ``expected``: the number of
    grid points of each problem under the current config; a table with fewer or more
    rows, with no rows, or without its verdict columns fails (never passes on nothing)."""
    failures = []
    for problem, t in tables.items():
        missing = [c for c in ("setting", "prediction", "agrees") if c not in t.columns]
        if missing:
            failures.append(f"{problem}: the table has no column {', '.join(missing)}")
            continue
        want = (expected or {}).get(problem)
        if t.empty or (want is not None and len(t) != want):
            failures.append(
                f"{problem}: the table has {len(t)} rows"
                + (f", the configuration has {want} grid points" if want is not None else "")
            )
        failures += [
            f"{problem} {row.setting}: runs disagree with the prediction '{row.prediction}'"
            for row in t.itertuples()
            if str(row.agrees) != "True"  # a damaged cell is not a yes
        ]
        if "rates_agree" in t.columns:  # a yes needs evidence: at least one compared run
            compared = pd.to_numeric(
                t.get("rates_compared", pd.Series(0, index=t.index)), errors="coerce"
            )
            claims = (t["rates_agree"].astype(str) == "True") & ~(compared > 0)
            failures += [
                f"{problem} {s}: says its rates agree, but no run's rate was compared"
                for s in t.loc[claims, "setting"]
            ]
    if not tables:
        failures.append("no convergence table was given")
    if expected is not None and set(expected) != set(tables):
        failures.append(
            f"tables given for {sorted(tables)}, the configuration runs {sorted(expected)}"
        )
    values = {"tables": {p: len(t) for p, t in tables.items()}}
    return report("convergence", values, failures)
