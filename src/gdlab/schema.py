"""The Parquet schema of a solver job's output, and how it is written and read.

Tidy rows: one per recorded iteration of one run (a run is one seed at one grid
point).  Run-level columns (``outcome``, ``steps``, rates, check errors) repeat
on every row of the run.

Every file under ``results/runs/``, of any problem, has the same columns, so any
reader (duckdb, polars, pandas, pyarrow) reads one problem or all of them with its
default options: the core columns below, then every registered problem's own
(``SPEC.columns`` and its grid columns, :func:`own_columns`), in registry order
(:func:`dataset_columns`).  A value that does not apply to a row (another
problem's column, ``period`` of a run that found no orbit, a float that is not a
number) is NULL, never NaN, so SQL's ``count()`` and ``avg()`` skip it.  A job
is told the dataset's columns by the workflow (a param), so a problem that adds
a column reruns every job, and one that adds none reruns nothing else.

Writing avoids ``pa.array`` (it imports pandas, ~200 ms per process) by building
every column from NumPy buffers, so a solver job imports only NumPy and pyarrow.
Provenance (versions, config slice, seed entropy) goes, as one JSON document,
under the ``gdlab`` key of the file's key-value metadata.  Nothing in a file
depends on time, host or path: equal inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gdlab import grid, interrupt, problems
from gdlab.columns import (  # noqa: F401  (the column lists are re-exported here)
    CORE,
    OUTCOMES,
    TRACE,
    columns,
    dataset_columns,
    dataset_types,
    grid_columns,
    own_columns,
    trace_columns,
)
from gdlab.encoding import NUMPY_TYPES as _NUMPY
from gdlab.encoding import write_options
from gdlab.errors import ResultFileError

# 4: one schema for every problem, NULL where a value does not apply, plain strings,
# no key=value folders; 3: period; 2: core + the problem's own columns; 1: one schema
SCHEMA_VERSION = 5
METADATA_KEY = b"gdlab"
# Integrity: the SHA-256 of the metadata document beside it, and a CRC-32 in the
# header of every data page (Parquet's page checksums), both verified on reading:
# a damaged file is refused, never read as other numbers.
DIGEST_KEY = b"gdlab.sha256"
TYPES = {"float64": pa.float64(), "int64": pa.int64(), "string": pa.string()}
TYPE_NAMES = {t: name for name, t in TYPES.items()}
# Integer columns where a value means "does not apply" (written NULL).
_NULL_INT = {"period": 0}


def kv_metadata(doc: dict) -> dict[bytes, bytes]:
    """A gdlab file's key-value metadata: ``doc`` as JSON under ``gdlab``, its
    SHA-256 under ``gdlab.sha256``."""
    text = json.dumps(doc, sort_keys=True).encode()
    return {METADATA_KEY: text, DIGEST_KEY: hashlib.sha256(text).hexdigest().encode()}


def intact(meta: dict | None) -> bool:
    """Whether a file's metadata document matches the digest stored beside it."""
    meta = meta or {}
    text = meta.get(METADATA_KEY)
    return text is not None and meta.get(DIGEST_KEY) == hashlib.sha256(text).hexdigest().encode()


def arrow_schema(types: dict[str, str]) -> pa.Schema:
    return pa.schema([pa.field(n, TYPES[typ]) for n, typ in types.items()])


def _buffer(values: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.ascontiguousarray(values))


def _validity(valid: np.ndarray) -> pa.Buffer | None:
    return None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))


def _valid(array: pa.Array) -> np.ndarray:
    """Each slot of ``array``: not NULL."""
    bits = array.buffers()[0]
    if bits is None or array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    flags = np.unpackbits(np.frombuffer(bits, dtype=np.uint8), bitorder="little")
    return flags[array.offset : array.offset + len(array)].astype(bool)


def take(column: pa.ChunkedArray | pa.Array, index: np.ndarray) -> pa.Array:
    """The rows ``index`` of a float64, int64 or string column, gathered from its
    buffers by NumPy: the same values and NULLs as Arrow's own ``take``, without
    importing ``pyarrow.compute`` (0.05 s of CPU a solver job)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    index = np.asarray(index, dtype=np.int64)
    valid = _valid(array)[index]
    bits, nulls = _validity(valid), int((~valid).sum())
    lo, hi = array.offset, array.offset + len(array)
    if array.type in _NUMPY:
        values = np.frombuffer(array.buffers()[1], dtype=_NUMPY[array.type])[lo:hi]
        return pa.Array.from_buffers(
            array.type, index.size, [bits, _buffer(values[index])], null_count=nulls
        )
    if array.type != pa.string():
        raise TypeError(f"take: a column of {array.type}, not float64, int64 or string")
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[lo : hi + 1].astype(np.int64)
    start, size = offsets[:-1][index], np.diff(offsets)[index]
    out = np.zeros(index.size + 1, dtype=np.int64)
    np.cumsum(size, out=out[1:])
    gather = np.repeat(start - out[:-1], size) + np.arange(out[-1])
    buffer = array.buffers()[2]  # None when every string is empty or NULL
    data = np.frombuffer(buffer, dtype=np.uint8)[gather] if buffer else np.zeros(0, np.uint8)
    return pa.Array.from_buffers(
        pa.string(),
        index.size,
        [bits, _buffer(out.astype(np.int32)), _buffer(data)],
        null_count=nulls,
    )


def _string_column(values) -> pa.Array:
    """Plain strings (not dictionary-encoded: every reader unions them); ``None`` is
    NULL.  A column holds a few distinct strings (an outcome, a grid point) over many
    rows: each is encoded once and its bytes gathered for every row by NumPy."""
    values = list(values)
    index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    distinct = [v.encode() if v is not None else b"" for v in index]
    size = np.array([len(b) for b in distinct], dtype=np.int64)
    start = np.cumsum(size) - size
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(size[codes], out=offsets[1:])
    # byte j of row r is byte (j − offsets[r]) of its string
    gather = np.repeat(start[codes] - offsets[:-1], size[codes]) + np.arange(offsets[-1])
    data = np.frombuffer(b"".join(distinct), dtype=np.uint8)[gather]
    valid = np.array([v is not None for v in index], dtype=bool)[codes]
    return pa.Array.from_buffers(
        pa.string(),
        len(values),
        [_validity(valid), _buffer(offsets.astype(np.int32)), _buffer(data)],
        null_count=int((~valid).sum()),
    )


def number_column(name: str, typ: str, values, n: int) -> pa.Array:
    """float64 with NULL where NaN or missing; int64 with NULL where missing or where
    its value means "does not apply" (:data:`_NULL_INT`)."""
    if typ == "float64":
        values = np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)
        valid = ~np.isnan(values)
    elif values is None:
        values, valid = np.zeros(n, np.int64), np.zeros(n, bool)
    else:
        values = np.asarray(values, dtype=np.int64)
        valid = values != _NULL_INT[name] if name in _NULL_INT else np.ones(n, bool)
    return pa.Array.from_buffers(
        TYPES[typ], n, [_validity(valid), _buffer(values)], null_count=int((~valid).sum())
    )


def to_table(problem: str, data: dict, provenance: dict, types: dict | None = None) -> pa.Table:
    """Build the table of the dataset's columns ``types`` (name -> type, default: the
    problem's own :func:`columns`) from NumPy arrays / lists; a column ``data`` lacks
    is NULL."""
    lengths = {len(v) for v in data.values()}
    if len(lengths) != 1:
        raise ValueError(
            f"columns have different lengths: { {k: len(v) for k, v in data.items()} }"
        )
    (n,) = lengths
    cols = columns(problem)
    unknown = set(data) - set(cols)
    if unknown:
        raise ValueError(
            f"unknown columns {sorted(unknown)}; {problem}'s schema has {list(cols)} "
            f"(a problem's own columns are declared in its SPEC.columns)"
        )
    types = dict(types) if types is not None else {c: t for c, (t, _d) in cols.items()}
    wrong = {c: t for c, (t, _d) in cols.items() if types.get(c) != t}
    if wrong:
        raise ValueError(
            f"the dataset's columns lack or retype {problem}'s {sorted(wrong)}; rerun snakemake "
            "(it passes every job the dataset's columns)"
        )
    arrays = []
    for name, typ in types.items():
        if typ == "string":
            arrays.append(_string_column(data.get(name, [None] * n)))
        else:
            arrays.append(number_column(name, typ, data.get(name), n))
    # the columns in the digested document: a damaged name or type in the footer is found
    meta = {
        "schema_version": SCHEMA_VERSION,
        "rows": n,
        "columns": [[name, typ] for name, typ in types.items()],
        **provenance,
    }
    schema = arrow_schema(types).with_metadata(kv_metadata(meta))
    return pa.Table.from_arrays(arrays, schema=schema)


def write(table: pa.Table, path: str | os.PathLike) -> None:
    """Write atomically (temporary file + rename): a killed job leaves no partial file.
    Every data page carries its checksum (:func:`gdlab.encoding.write_options`)."""
    with interrupt.atomic(path) as tmp:
        pq.write_table(table, tmp, **write_options(table))


def provenance(path: str | os.PathLike) -> dict:
    """The JSON provenance document of a results file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[METADATA_KEY])


def read(
    path: str | os.PathLike,
    problem: str | None = None,
    setting: str | None = None,
    seeds: tuple[int, int] | None = None,
    own: bool = False,
) -> pa.Table:
    """Read one results file, checking that it is ours, of this schema version and
    (if given) of ``problem``, grid point ``setting`` and seed block ``seeds``; any
    failure raises :class:`ResultFileError` that says which file, what is wrong and
    how to recover.  ``own``: read only the columns of the file's problem (the other
    problems' hold NULL)."""
    recover = f"delete {path} and rerun snakemake to recompute it"
    table = _load(path, own, recover)
    doc = _metadata(path, table, recover)
    _check_columns(path, table, doc, own, recover)
    expected = {"problem": problem, "setting": setting, "seeds": list(seeds) if seeds else None}
    for key, want in expected.items():
        if want is not None and doc.get(key) != want:
            raise ResultFileError(
                f"{path}: holds {key} {doc.get(key)!r}, expected {want!r} (a file copied or moved "
                f"from elsewhere?); {recover}"
            )
    damage = _damage(table, doc)
    if damage:
        raise ResultFileError(
            f"{path}: {damage} (its rows are not what its metadata describes); {recover}"
        )
    return table


def read_parquet(path: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """One Parquet file, every page's checksum verified; read as one file, not as a
    dataset (``pq.read_table``): half the time on a small file, the same table.  Its
    metadata is the Arrow schema's, as ``pq.read_schema`` (which the digest is checked
    on) and ``pq.read_table`` give it: ``ParquetFile.read`` alone would take the
    footer's key-value copy, which a flipped bit may change unchecked."""
    with pq.ParquetFile(path, page_checksum_verification=True) as parquet:
        table = parquet.read(columns=columns)
        return table.replace_schema_metadata(parquet.schema_arrow.metadata)


def _load(path, own: bool, recover: str) -> pa.Table:
    """The file's table, or :class:`ResultFileError` if it is not a readable Parquet file."""
    if not Path(path).is_file():  # pyarrow would read a directory as a dataset
        what = "a directory" if Path(path).is_dir() else "missing"
        raise ResultFileError(f"{path}: is {what}, not a Parquet file; {recover}")
    try:
        table = read_parquet(path, _own_names(path) if own else None)
        _ = table.schema.names  # decoded here: a damaged footer may hold a name that is not UTF-8
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise ResultFileError(f"{path}: not a readable Parquet file ({exc}); {recover}") from exc
    return table


def _metadata(path, table: pa.Table, recover: str) -> dict:
    """The file's gdlab metadata: present, JSON, of this schema version, intact."""
    meta = table.schema.metadata or {}
    name = METADATA_KEY.decode()
    if METADATA_KEY not in meta:
        raise ResultFileError(f"{path}: not a gdlab results file (no '{name}' metadata); {recover}")
    try:
        doc = json.loads(meta[METADATA_KEY])
    except ValueError as exc:
        raise ResultFileError(
            f"{path}: its '{name}' metadata is not JSON ({exc}); {recover}"
        ) from exc
    if not isinstance(doc, dict):
        raise ResultFileError(f"{path}: its '{name}' metadata is not a JSON object; {recover}")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultFileError(
            f"{path}: written with results schema version {version}, this gdlab reads version "
            f"{SCHEMA_VERSION}; {recover}"
        )
    if not intact(meta):
        raise ResultFileError(
            f"{path}: its '{name}' metadata does not match the SHA-256 digest stored beside it "
            f"(it changed after gdlab wrote it); {recover}"
        )
    return doc


def _check_columns(path, table: pa.Table, doc: dict, own: bool, recover: str) -> None:
    """The file's problem is registered and its columns are those its metadata lists,
    of the types of the gdlab schema."""
    stored = doc.get("problem")
    if not isinstance(stored, str) or not (problems.folder(stored) / "__init__.py").is_file():
        raise ResultFileError(f"{path}: holds problem {stored!r}, not a registered one; {recover}")
    fields = {f.name: f.type for f in table.schema}
    listed = doc.get("columns")  # [[name, type], ...] as written (under the digest)
    found = [[f.name, TYPE_NAMES.get(f.type)] for f in table.schema]
    if not isinstance(listed, list) or found != [c for c in listed if not own or c[0] in fields]:
        raise ResultFileError(
            f"{path}: its columns are not those its metadata lists (a damaged file); {recover}"
        )
    if any(fields.get(c) != TYPES[t] for c, (t, _d) in columns(stored).items()):
        raise ResultFileError(
            f"{path}: columns differ from the gdlab schema of {stored}; {recover}"
        )


def _own_names(path) -> list[str] | None:
    """The columns of the problem a file holds (by its metadata), in file order; None
    (every column) if its metadata does not say: :func:`read` then says what is wrong."""
    try:
        file_schema = pq.read_schema(path)
        stored = json.loads((file_schema.metadata or {})[METADATA_KEY])["problem"]
        own = columns(stored)
    except Exception:  # read() reports an unreadable or foreign file
        return None
    return [n for n in file_schema.names if n in own]


def _damage(table: pa.Table, doc: dict) -> str | None:
    """What a file lacks of the runs and rows its metadata promises, or None: the row
    count, every seed of its block that keeps its rows (below ``traced``, if set) with
    exactly one last row (step == steps), its problem and grid point on every row."""
    if doc.get("rows") != table.num_rows:
        return f"holds {table.num_rows} rows, its metadata promises {doc.get('rows')!r}"
    seeds = doc.get("seeds")
    if not (isinstance(seeds, list) and len(seeds) == 2 and all(isinstance(s, int) for s in seeds)):
        return f"its metadata names no seed block ({seeds!r})"
    first, last = seeds
    traced = doc.get("traced")
    kept = last  # the last seed that keeps its rows
    if isinstance(traced, int) and not isinstance(traced, bool):
        kept = min(last, traced - 1)
    seed = table["seed"].to_numpy()
    ends = seed[table["step"].to_numpy() == table["steps"].to_numpy()]
    block = np.arange(first, kept + 1)
    inside = (ends >= first) & (ends <= kept)
    counts = np.bincount(ends[inside] - first, minlength=block.size) if inside.all() else None
    if counts is None or not np.isin(seed, block).all():
        return f"holds seeds outside those of its block {first}-{last} that keep their rows"
    if not block.size:  # every run of the block is beyond the traced seeds: no row
        return None
    if (counts != 1).any():
        lost = block[counts == 0]
        if lost.size:
            return f"lacks the runs of seed(s) {', '.join(map(str, lost[:5]))}"
        return "holds a run twice"
    for key in ("problem", "setting"):
        values = table[key].unique().to_pylist()
        if values != [doc.get(key)]:
            return f"its {key} column holds {values!r}, its metadata {doc.get(key)!r}"
    return _other_point(table, doc)


def _other_point(table: pa.Table, doc: dict) -> str | None:
    """Where the grid value columns (α, c, N and p) of a file's rows are not the value
    its grid point names, what they hold; else None (a file relabelled to another
    grid point, its metadata consistent with itself, is still refused)."""
    problem, setting = doc.get("problem"), doc.get("setting")
    try:
        _axis, value = grid.parse_setting(setting, problem)
    except (ValueError, TypeError, KeyError):
        return f"its metadata names grid point {setting!r}, not one of {problem}"
    values = value if isinstance(value, tuple) else (value,)
    if not grid_columns(problem):  # a named setup: its setting is all there is
        return None
    wanted = dict(zip(grid_columns(problem), values, strict=True))
    for name, want in wanted.items():
        found = table[name].unique().to_pylist() if name in table.column_names else None
        if found != [want]:
            return f"its {name} column holds {found!r}, its grid point {setting} says {want!r}"
    return None
