"""Per-run summaries: one row per run, the file a notebook opens.

Each solver job writes the summary of its runs beside its run file
(``results/summaries/<problem>/<axis>_<value>/seeds_<a>-<b>.parquet``:
:func:`summarise`, from every row it recorded), and ``results/runs.parquet`` holds
every problem's, written from the jobs' summaries one at a time (:func:`write`),
every column described in its metadata.  Both have the one schema of
:func:`gdlab.columns.summary_columns`: the run-level columns of the results files,
each trace column's first and last values and the run's rate window.  pyarrow only.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gdlab import columns, encoding, grid, interrupt, schema


def arrow_schema(spec: dict) -> pa.Schema:
    """The summary's schema from :func:`gdlab.plan.summary_spec`'s ``columns``, each
    field described (``description`` in its metadata)."""
    return pa.schema(
        [
            pa.field(name, schema.TYPES[typ], metadata={"description": doc})
            for name, typ, doc in spec["columns"]
        ]
    )


def _int64(column: pa.ChunkedArray) -> np.ndarray:
    """The values of an int64 column without NULLs, read from its buffer (``to_numpy``
    imports pandas too)."""
    array = column.combine_chunks()
    return np.frombuffer(array.buffers()[1], dtype=np.int64)[
        array.offset : array.offset + len(array)
    ]


def summarise(
    table: pa.Table, spec: dict, windows: dict | None = None, one_row: bool = False
) -> pa.Table:
    """One row per run of one results file (already checked by :func:`gdlab.schema.read`:
    one last row per seed), in seed order; its rate window's columns from ``windows``
    (measured by the descent at every recorded step, :attr:`gdlab.trace.Trace.window`, in seed order), NULL without.
    ``one_row``: each run is recorded as one row (a problem that is not iterative), which
    is its start and its end (``<name>_start`` = ``<name>_final``)."""
    step, steps, seed = (_int64(table[name]) for name in ("step", "steps", "seed"))

    def in_seed_order(rows: np.ndarray) -> np.ndarray:
        return rows[np.argsort(seed[rows], kind="stable")]

    last = in_seed_order(np.flatnonzero(step == steps))
    first = last if one_row else in_seed_order(np.flatnonzero(step == 0))
    if not np.array_equal(seed[first], seed[last]):
        raise schema.ResultFileError("a run lacks its first row (k = 0) or has it twice")
    trace = set(spec["trace"])
    out = arrow_schema(spec)
    if windows is not None and not np.array_equal(windows["seed"], seed[last]):
        raise ValueError("the rate windows are not of the table's runs")
    arrays = []
    for field in out:
        name = field.name
        if name in columns.WINDOW:  # NumPy buffers: pa.array would import pandas
            values = windows.get(name) if windows is not None else None
            typ = columns.WINDOW[name][0]
            arrays.append(schema.number_column(name, typ, values, last.size))
            continue
        rows, column = last, name
        if name.endswith("_start") and name[: -len("_start")] in trace:
            rows, column = first, name[: -len("_start")]
        elif name.endswith("_final") and name[: -len("_final")] in trace:
            column = name[: -len("_final")]
        if column not in table.column_names:
            arrays.append(pa.nulls(last.size, field.type))
        elif table.schema.field(column).type == field.type:
            arrays.append(schema.take(table[column], rows))
        else:
            arrays.append(table[column].take(rows).combine_chunks().cast(field.type))
    return pa.Table.from_arrays(arrays, schema=out)


ROW_GROUP = 1 << 18  # rows: ~80 MB of a summary's columns in memory at most


def _row_groups(tables: Iterable[pa.Table]) -> Iterator[pa.Table]:
    """``tables`` joined into groups of at least ROW_GROUP rows (the last one fewer)."""
    pending, size = [], 0
    for t in tables:
        pending.append(t)
        size += t.num_rows
        if size >= ROW_GROUP:
            yield pa.concat_tables(pending)
            pending, size = [], 0
    if pending:
        yield pa.concat_tables(pending)


def write(tables: Iterable[pa.Table], spec: dict, meta: dict, path: str | os.PathLike) -> int:
    """Write ``tables`` one after the other as one file (bounded memory), atomically,
    with ``meta`` and every column's meaning as JSON under the ``gdlab`` key of its
    key-value metadata (duckdb's ``parquet_kv_metadata`` shows it); returns the row
    count."""
    doc = {
        "schema_version": schema.SCHEMA_VERSION,
        **meta,
        "columns": {n: d for n, _t, d in spec["columns"]},
        "types": {n: t for n, t, _d in spec["columns"]},  # checked on reading
    }
    out = arrow_schema(spec).with_metadata(schema.kv_metadata(doc))
    # row groups of about ROW_GROUP rows, however small the tables given (one a solver
    # job): a long column compresses far better (a seed's start is the same at every α)
    rows = 0
    with interrupt.atomic(path) as tmp, contextlib.ExitStack() as stack:
        writer = None
        for group in _row_groups(tables):
            if writer is None:  # each column's encoding chosen from the first row group
                options = encoding.write_options(group)
                writer = stack.enter_context(pq.ParquetWriter(tmp, out, **options))
            writer.write_table(group)
            rows += group.num_rows
            del group  # one row group in memory at a time
        if writer is None:
            stack.enter_context(
                pq.ParquetWriter(tmp, out, **encoding.write_options(out.empty_table()))
            )
    return rows


def summary_doc(
    path: str | os.PathLike, problem: str | None = None, settings: dict | None = None
) -> dict:
    """The ``gdlab`` metadata of a per-run summary (its schema only is read), checked
    to be of this schema version, of ``problem`` alone and computed with ``settings``
    (the current configuration's solver settings of it), where given; else
    :class:`gdlab.schema.ResultFileError`."""
    recover = f"delete {path} and rerun snakemake to recompute it"
    try:
        file_schema = pq.read_schema(path)
        _ = file_schema.names  # decoded here: a damaged footer may hold a name that is not UTF-8
        meta = file_schema.metadata or {}
        doc = json.loads(meta[schema.METADATA_KEY])
    except Exception as exc:  # unreadable, foreign, not JSON
        raise schema.ResultFileError(f"{path}: not a gdlab run summary ({exc}); {recover}") from exc
    if not schema.intact(meta):
        raise schema.ResultFileError(
            f"{path}: its metadata does not match the SHA-256 digest stored beside it (it "
            f"changed after gdlab wrote it); {recover}"
        )
    if not isinstance(doc, dict) or doc.get("schema_version") != schema.SCHEMA_VERSION:
        raise schema.ResultFileError(
            f"{path}: not a run summary of results schema version {schema.SCHEMA_VERSION}; "
            f"{recover}"
        )
    if problem is not None and doc.get("problems") != [problem]:
        raise schema.ResultFileError(
            f"{path}: holds {doc.get('problems')!r}, not {problem}; {recover}"
        )
    if settings is not None:
        used = doc.get("settings")
        used = used.get(problem) if isinstance(used, dict) else None
        if used != settings:
            raise schema.ResultFileError(
                stale_settings(path, problem, used, settings, "the current configuration")
            )
    return doc


def stale_settings(path, problem: str, used, expected, source: str) -> str:
    """The one line for a file computed with other solver settings than ``source``'s:
    which keys differ, and how to recover."""
    used = used if isinstance(used, dict) else {}
    expected = expected if isinstance(expected, dict) else {}
    keys = sorted(k for k in set(used) | set(expected) if used.get(k) != expected.get(k))
    diff = ", ".join(f"{k} = {used.get(k)!r} instead of {expected.get(k)!r}" for k in keys)
    return (
        f"{path} was computed with other settings than {source} ({diff}): it is left from an "
        f"older configuration; delete results/runs/{problem}/ and rerun snakemake to recompute "
        "its files"
    )


def read_summary(
    path: str | os.PathLike,
    problem: str | None = None,
    own: bool = False,
    settings: dict | None = None,
    only: tuple[str, ...] = (),
    doc: dict | None = None,
) -> pa.Table:
    """A per-run summary written by the workflow, checked by :func:`summary_doc` (``doc``:
    what it returned for this file, if the caller has it).  ``own``: only ``problem``'s
    columns (the other problems' are NULL there); ``only``: of those, these and
    ``setting`` and ``seed`` (:func:`selected`)."""
    doc = summary_doc(path, problem, settings) if doc is None else doc
    listed = doc.get("types")
    listed = listed if isinstance(listed, dict) else {}
    names = selected(problem, only) if own and problem else None
    try:
        table = schema.read_parquet(path, names)
        found = {f.name: schema.TYPE_NAMES.get(f.type) for f in table.schema}  # names decoded
    except Exception as exc:  # damaged after its footer
        raise schema.ResultFileError(
            f"{path}: not a readable run summary ({exc}); delete it and rerun snakemake"
        ) from exc
    expected = listed if names is None else {n: listed.get(n) for n in names}
    if len(found) != table.num_columns or found != expected:
        raise schema.ResultFileError(
            f"{path}: its columns differ from the run summary's schema (a damaged file, or one "
            "of another gdlab); delete it and rerun snakemake"
        )
    return table


def selected(problem: str, only: tuple[str, ...] = ()) -> list[str]:
    """``problem``'s summary columns, in the file's order; with ``only``, just those and
    ``setting`` and ``seed`` (a name that is not one of them is a ValueError)."""
    names = list(columns.summary_columns((problem,)))
    if not only:
        return names
    unknown = sorted(set(only) - set(names))
    if unknown:
        raise ValueError(f"{problem}: no summary column {', '.join(unknown)}")
    wanted = {"setting", "seed", *only}
    return [n for n in names if n in wanted]


def read_summaries(
    paths: list[str],
    problem: str,
    settings: dict | None = None,
    own: bool = True,
    only: tuple[str, ...] = (),
) -> Iterator[tuple[str, pa.Table]]:
    """``(path, table)`` of each per-run summary a solver job wrote (:func:`gdlab.grid.summary_path`),
    checked by :func:`gdlab.runs.read_summary` (ours, this problem, computed with
    ``settings``) and to hold one row for each seed of the block its path names;
    ``own``: only the problem's columns, of them only ``only`` where given."""
    if not paths:
        raise schema.ResultFileError(f"{problem}: no run summaries were given")
    for p in paths:
        parsed = grid.parse_run_path(p, problem, "summaries")
        doc = summary_doc(p, problem, settings)
        table = read_summary(p, problem, own=own, settings=settings, only=only, doc=doc)
        if parsed is not None:
            block = np.arange(parsed[2][0], parsed[2][1] + 1)
            if [doc.get("setting"), doc.get("seeds")] != [parsed[1], list(parsed[2])]:
                raise schema.ResultFileError(
                    f"{p}: holds {doc.get('setting')!r} seeds {doc.get('seeds')!r}, not those its "
                    "path names (a file copied or moved from elsewhere?); delete it and rerun "
                    "snakemake"
                )
            seed = table["seed"]
            if (
                seed.null_count
                or not np.array_equal(seed.to_numpy(), block)
                or table["setting"].unique().to_pylist() != [parsed[1]]
            ):
                raise schema.ResultFileError(
                    f"{p}: its rows are not one per seed of {parsed[1]} {parsed[2][0]}-"
                    f"{parsed[2][1]}; delete it and rerun snakemake"
                )
        yield p, table


def system_allocator() -> None:
    """Arrow's buffers from the system allocator, as NumPy's and pandas' are: a job that
    turns what it read into a pandas frame (a figure, a chart) then reuses what Arrow
    frees, which Arrow's own allocator would keep (a figure of 10⁶ runs peaked at
    521 MB, 486 MB with it)."""
    pa.set_memory_pool(pa.system_memory_pool())


def read_runs(
    paths: list[str], problem: str, settings: dict | None = None, only: tuple[str, ...] = ()
) -> pa.Table:
    """Every run of the summaries ``paths`` (:func:`read_summaries`), ``problem``'s
    columns (``only`` those, where given), as one table."""
    return pa.concat_tables(t for _p, t in read_summaries(paths, problem, settings, only=only))


def old_layout(root: str | os.PathLike) -> str | None:
    """The first file under ``root`` (``results/runs/``) of gdlab's older layout (a
    ``key=value`` folder or file name, results schema 3 and before), or None."""
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            if "=" in name:
                return os.path.join(folder, name)
    return None
