"""The checks that fail the run when a claim does not hold.

Each check returns a JSON-able report with ``passed`` and a list of ``failures``
(sentences naming the number, its value and its tolerance).  A problem's own
checks live in its folder (``SPEC.checks``); this module has the report's form,
the check of every verdict table (:func:`verdict`: row counts against the
config) and the convergence tables' own rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where the convergence tables are read: the thresholds'
    import pandas as pd  # check runs on the standard library alone


def report(name: str, values: dict, failures: list[str]) -> dict:
    return {"check": name, "passed": not failures, "failures": failures, **values}


def verdict(
    name: str,
    counts: dict[str, int],
    expected: dict[str, int] | None,
    unit: str,
    row_failures: list[str],
    values: dict,
) -> dict:
    """The check of a verdict table (each convergence table, the thresholds table):
    the ``row_failures`` its own rule found, and every problem's row count (``counts``)
    against the ``expected`` count of ``unit`` under the current config: a problem
    missing, short or extra fails, and no rows at all fails (never passes on nothing)."""
    failures = list(row_failures)
    for problem, want in (expected or {}).items():
        if counts.get(problem, 0) != want:
            failures.append(
                f"{problem}: the table has {counts.get(problem, 0)} rows, the configuration "
                f"has {want} {unit}"
            )
    extra = sorted(set(counts) - set(expected)) if expected is not None else []
    if extra:
        failures.append(f"rows of {extra}, which the configuration does not run")
    if not sum(counts.values()):
        failures.append("the table has no rows")
    return report(name, values, failures)


def convergence(tables: dict[str, pd.DataFrame], expected: dict[str, int] | None = None) -> dict:
    """Every row of every table agrees with its theory.  ``expected``: the number of
    grid points of each problem under the current config; a table with fewer or more
    rows, with no rows, or without its verdict columns fails (:func:`verdict`)."""
    import pandas as pd

    failures = []
    for problem, t in tables.items():
        missing = [c for c in ("setting", "prediction", "agrees") if c not in t.columns]
        if missing:
            failures.append(f"{problem}: the table has no column {', '.join(missing)}")
            continue
        if t.empty and (expected is None or problem not in expected):
            failures.append(f"{problem}: the table has 0 rows")
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
    counts = {p: len(t) for p, t in tables.items()}
    values = {"tables": counts}
    return verdict("convergence", counts, expected, "grid points", failures, values)
