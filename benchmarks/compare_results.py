"""Compare two studies' results: the payloads a restructuring must keep.

    python benchmarks/compare_results.py BEFORE/results AFTER/results

Every Parquet file under ``runs/`` must exist on both sides with the same rows;
every column the two share must be equal bit for bit, where "no value" is the
same whether it is written NaN or NULL (``period``: 0 or NULL), and a column only
one side has must hold nothing there (all NaN or null: the schema dropped or
added a column that does not apply) or, for a grid column (``c``, ``N``, ``p``),
the grid value its ``setting`` names.  Tables (CSV, Markdown) and check reports
(JSON) must be byte-identical.  Grid points are compared by name whatever their
spelling: ``alpha=0.5`` (results schema 3 and before) is ``alpha_0.5``.  Prints one line per difference and exits
with 1 if there is any, else prints what it compared and exits with 0.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

NO_VALUE = {"period": 0}  # an int column whose "does not apply" was written as 0
GRID_COLUMNS = {"c": ("c", 0), "N": ("shape", 0), "p": ("shape", 1)}
_OLD_NAME = re.compile(r"\b(alpha|c|shape|seeds)=")


def _name(text: str) -> str:
    """A grid point's or seed block's name in the current spelling."""
    return _OLD_NAME.sub(r"\1_", text)


def _grid_value(setting: str, column: str):
    axis, index = GRID_COLUMNS[column]
    name, value = _name(setting).rsplit("_", 1)
    if name != axis:
        return None
    return int(value.split("x")[index]) if axis == "shape" else float(value)


def _empty(column) -> bool:
    if column.null_count == len(column):
        return True
    values = column.to_numpy(zero_copy_only=False)
    return values.dtype.kind == "f" and bool(np.isnan(values).all())


def _none(v, name: str) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v == NO_VALUE.get(name, object())


def _equal(a, b, name: str) -> bool:
    x, y = a.to_pylist(), b.to_pylist()
    if name == "setting":
        x = [_name(u) for u in x]
    return len(x) == len(y) and all(
        (u == v and type(u) is type(v)) or (_none(u, name) and _none(v, name))
        for u, v in zip(x, y, strict=True)
    )


def compare(before: Path, after: Path) -> tuple[list[str], dict]:
    diffs, counts = [], {"parquet": 0, "columns": 0, "text": 0}
    runs_b = {Path(_name(str(p.relative_to(before)))): p for p in before.glob("runs/**/*.parquet")}
    runs_a = {Path(_name(str(p.relative_to(after)))): p for p in after.glob("runs/**/*.parquet")}
    diffs += [f"only before: {p}" for p in sorted(set(runs_b) - set(runs_a))]
    diffs += [f"only after: {p}" for p in sorted(set(runs_a) - set(runs_b))]
    for rel in sorted(set(runs_b) & set(runs_a)):
        tb, ta = pq.read_table(runs_b[rel]), pq.read_table(runs_a[rel])
        counts["parquet"] += 1
        if tb.num_rows != ta.num_rows:
            diffs.append(f"{rel}: {tb.num_rows} rows before, {ta.num_rows} after")
            continue
        for name in sorted(set(tb.column_names) | set(ta.column_names)):
            if name in tb.column_names and name in ta.column_names:
                counts["columns"] += 1
                if not _equal(tb[name].cast(ta.schema.field(name).type), ta[name], name):
                    diffs.append(f"{rel}: column {name} differs")
            else:
                side, table = ("before", tb) if name in tb.column_names else ("after", ta)
                if name in GRID_COLUMNS and not _empty(table[name]):
                    want = [_grid_value(s, name) for s in table["setting"].to_pylist()]
                    if table[name].to_pylist() != want:
                        diffs.append(f"{rel}: grid column {name} is not the setting's value")
                elif not _empty(table[name]):
                    diffs.append(f"{rel}: column {name} only {side}, and it holds values")
    for pattern in ("tables/*.csv", "tables/*.md", "checks/*.json"):
        for p in sorted(before.glob(pattern)):
            rel = p.relative_to(before)
            counts["text"] += 1
            if not (after / rel).is_file():
                diffs.append(f"only before: {rel}")
            elif _name(p.read_text()) != (after / rel).read_text():
                diffs.append(f"{rel}: content differs")
    return diffs, counts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    diffs, counts = compare(Path(argv[0]), Path(argv[1]))
    for d in diffs:
        print(d)
    if not diffs:
        print(
            f"identical: {counts['parquet']} Parquet files ({counts['columns']} shared columns), "
            f"{counts['text']} tables and check reports"
        )
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
