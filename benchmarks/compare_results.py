"""Compare two studies' results: the payloads a restructuring must keep.

    python benchmarks/compare_results.py BEFORE/results AFTER/results

Every Parquet file under ``runs/`` must exist on both sides with the same rows;
every column the two share must be equal bit for bit (NaN equal to NaN), and a
column only one side has must hold nothing there (all NaN or null: the schema
dropped or added a column that does not apply).  Tables (CSV, Markdown) and check
reports (JSON) must be byte-identical.  Prints one line per difference and exits
with 1 if there is any, else prints what it compared and exits with 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq


def _empty(column) -> bool:
    if column.null_count == len(column):
        return True
    values = column.to_numpy(zero_copy_only=False)
    return values.dtype.kind == "f" and bool(np.isnan(values).all())


def _equal(a, b) -> bool:
    x, y = a.to_pylist(), b.to_pylist()
    return all(
        (u == v) or (isinstance(u, float) and isinstance(v, float) and u != u and v != v)
        for u, v in zip(x, y, strict=True)
    ) and len(x) == len(y)


def compare(before: Path, after: Path) -> tuple[list[str], dict]:
    diffs, counts = [], {"parquet": 0, "columns": 0, "text": 0}
    runs_b = {p.relative_to(before) for p in before.glob("runs/**/*.parquet")}
    runs_a = {p.relative_to(after) for p in after.glob("runs/**/*.parquet")}
    diffs += [f"only before: {p}" for p in sorted(runs_b - runs_a)]
    diffs += [f"only after: {p}" for p in sorted(runs_a - runs_b)]
    for rel in sorted(runs_b & runs_a):
        tb, ta = pq.read_table(before / rel), pq.read_table(after / rel)
        counts["parquet"] += 1
        if tb.num_rows != ta.num_rows:
            diffs.append(f"{rel}: {tb.num_rows} rows before, {ta.num_rows} after")
            continue
        for name in sorted(set(tb.column_names) | set(ta.column_names)):
            if name in tb.column_names and name in ta.column_names:
                counts["columns"] += 1
                if not _equal(tb[name].cast(ta.schema.field(name).type), ta[name]):
                    diffs.append(f"{rel}: column {name} differs")
            else:
                side, table = ("before", tb) if name in tb.column_names else ("after", ta)
                if not _empty(table[name]):
                    diffs.append(f"{rel}: column {name} only {side}, and it holds values")
    for pattern in ("tables/*.csv", "tables/*.md", "checks/*.json"):
        for p in sorted(before.glob(pattern)):
            rel = p.relative_to(before)
            counts["text"] += 1
            if not (after / rel).is_file():
                diffs.append(f"only before: {rel}")
            elif p.read_bytes() != (after / rel).read_bytes():
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
