"""The Parquet schema of a solver job's output, and how it is written and read.

Tidy rows: one per recorded iteration of one run (a run is one seed at one grid
point).  Run-level columns (``outcome``, ``steps``, rates, check errors) repeat
on every row of the run.  A file's columns are the core columns below, which
every problem has, then the problem's own (``SPEC.columns``), so a new column of
one problem changes no other problem's files.  Core columns a problem does not
track hold NaN (floats) or null (strings).

Writing avoids ``pa.array`` (it imports pandas, ~200 ms per process) by building
every column from NumPy buffers, so a solver job imports only NumPy and pyarrow.
Provenance (versions, config slice, seed entropy) goes, as one JSON document,
under the ``gdlab`` key of the file's key-value metadata.  Nothing in a file
depends on time, host or path: equal inputs give byte-identical files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from gdlab import problems

SCHEMA_VERSION = 3  # 3: period; 2: core columns + the problem's own (1: one schema for all)
METADATA_KEY = b"gdlab"

OUTCOMES = ("converged", "diverged", "cycle", "max_steps", "checked")

_DICT = pa.dictionary(pa.int8(), pa.string())
_TYPES = {"float64": pa.float64(), "int64": pa.int64(), "category": _DICT}

# name -> (type, meaning): the columns of every problem's files.
CORE: dict[str, tuple[str, str]] = {
    "problem": ("category", "problem name (wildcard value)"),
    "setting": ("category", "grid point: <axis>=<value>, e.g. alpha=0.01, c=0.5, shape=20x5"),
    "alpha": ("float64", "absolute step size α (NaN when the problem has none)"),
    "seed": ("int64", "seed index within the problem (0-based)"),
    "step": ("int64", "GD iteration k of this row"),
    "loss": ("float64", "objective f(θ_k)"),
    "grad_norm": ("float64", "‖∇f(θ_k)‖₂"),
    "dist": ("float64", "‖θ_k − θ*‖₂, distance to the optimum / nearest minimum"),
    "outcome": ("category", "how the run ended: " + ", ".join(OUTCOMES)),
    "steps": ("int64", "iterations the run took before it stopped"),
    "period": ("int64", "the period of the orbit a run settled on (outcome cycle), else 0"),
    "alpha_critical": ("float64", "the theory's critical step size for this run"),
    "rate_empirical": ("float64", "measured contraction factor per step"),
    "rate_theory": ("float64", "predicted contraction factor per step"),
}


def columns(problem: str) -> dict[str, tuple[str, str]]:
    """Every column of ``problem``'s files: the core ones, then its own."""
    own = problems.spec(problem).columns
    clash = set(own) & set(CORE)
    if clash:
        raise ValueError(f"{problem}: its columns {sorted(clash)} are core columns already")
    return {**CORE, **own}


def arrow_schema(problem: str) -> pa.Schema:
    return pa.schema([pa.field(n, _TYPES[typ]) for n, (typ, _doc) in columns(problem).items()])


class ResultFileError(RuntimeError):
    """A results file that cannot be used (corrupt, foreign or from another schema)."""


def _buffer(values: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.ascontiguousarray(values))


def _strings(values: list[str]) -> pa.Array:
    raw = [v.encode() for v in values]
    offsets = np.zeros(len(raw) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(b) for b in raw], dtype=np.int64)
    return pa.Array.from_buffers(
        pa.string(), len(raw), [None, _buffer(offsets), pa.py_buffer(b"".join(raw))]
    )


def _dictionary(values) -> pa.Array:
    """Dictionary-encoded strings; ``None`` becomes null.  Dictionary in order of first use."""
    values = list(values)
    vocab: dict[str, int] = {}
    codes = np.zeros(len(values), dtype=np.int8)
    valid = np.ones(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None:
            valid[i] = False
        else:
            codes[i] = vocab.setdefault(v, len(vocab))
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    indices = pa.Array.from_buffers(pa.int8(), len(values), [bitmap, _buffer(codes)])
    return pa.DictionaryArray.from_arrays(indices, _strings(list(vocab)))


def to_table(problem: str, data: dict, provenance: dict) -> pa.Table:
    """Build the table of ``problem``'s schema from NumPy arrays / lists; missing float
    columns are NaN, missing strings null."""
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
    arrays = []
    for name, (typ, _doc) in cols.items():
        if typ == "category":
            arrays.append(_dictionary(data.get(name, [None] * n)))
        else:
            dtype = np.int64 if typ == "int64" else np.float64
            default = 0 if typ == "int64" else np.nan
            values = np.asarray(data.get(name, np.full(n, default)), dtype=dtype)
            arrays.append(pa.Array.from_buffers(_TYPES[typ], n, [None, _buffer(values)]))
    meta = {"schema_version": SCHEMA_VERSION, "rows": n, **provenance}
    schema = arrow_schema(problem).with_metadata(
        {METADATA_KEY: json.dumps(meta, sort_keys=True).encode()}
    )
    return pa.Table.from_arrays(arrays, schema=schema)


def write(table: pa.Table, path: str | os.PathLike) -> None:
    """Write atomically (temporary file + rename): a killed job leaves no partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:  # a full disk, Ctrl-C: no partial file, no temporary one either
        tmp.unlink(missing_ok=True)
        raise


def provenance(path: str | os.PathLike) -> dict:
    """The JSON provenance document of a results file."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[METADATA_KEY])


def read(
    path: str | os.PathLike,
    problem: str | None = None,
    setting: str | None = None,
    seeds: tuple[int, int] | None = None,
) -> pa.Table:
    """Read one results file, checking that it is ours, of this schema version and
    (if given) of ``problem``, grid point ``setting`` and seed block ``seeds``; any
    failure raises :class:`ResultFileError` that says which file, what is wrong and
    how to recover."""
    recover = f"delete {path} and rerun snakemake to recompute it"
    if not Path(path).is_file():  # pyarrow would read a directory as a dataset
        what = "a directory" if Path(path).is_dir() else "missing"
        raise ResultFileError(f"{path}: is {what}, not a Parquet file; {recover}")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise ResultFileError(f"{path}: not a readable Parquet file ({exc}); {recover}") from exc
    meta = table.schema.metadata or {}
    if METADATA_KEY not in meta:
        raise ResultFileError(
            f"{path}: not a gdlab results file (no '{METADATA_KEY.decode()}' metadata); {recover}"
        )
    try:
        doc = json.loads(meta[METADATA_KEY])
    except ValueError as exc:
        raise ResultFileError(
            f"{path}: its '{METADATA_KEY.decode()}' metadata is not JSON ({exc}); {recover}"
        ) from exc
    if not isinstance(doc, dict):
        raise ResultFileError(
            f"{path}: its '{METADATA_KEY.decode()}' metadata is not a JSON object; {recover}"
        )
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultFileError(
            f"{path}: written with results schema version {version}, this gdlab reads version "
            f"{SCHEMA_VERSION}; {recover}"
        )
    expected = {"problem": problem, "setting": setting, "seeds": list(seeds) if seeds else None}
    stored = doc.get("problem")
    if not isinstance(stored, str) or not (problems.folder(stored) / "__init__.py").is_file():
        raise ResultFileError(f"{path}: holds problem {stored!r}, not a registered one; {recover}")
    if not table.schema.remove_metadata().equals(arrow_schema(stored)):
        raise ResultFileError(
            f"{path}: columns differ from the gdlab schema of {stored}; {recover}"
        )
    for key, want in expected.items():
        if want is not None and doc.get(key) != want:
            raise ResultFileError(
                f"{path}: holds {key} {doc.get(key)!r}, expected {want!r} (a file copied or moved "
                f"from elsewhere?); {recover}"
            )
    damage = _damage(table, doc)
    if damage:
        raise ResultFileError(f"{path}: {damage} (a damaged or edited file); {recover}")
    return table


def _damage(table: pa.Table, doc: dict) -> str | None:
    """What a file lacks of the runs and rows its metadata promises, or None: the row
    count, every seed of its block with exactly one last row (step == steps), its
    problem and grid point on every row."""
    if doc.get("rows") != table.num_rows:
        return f"holds {table.num_rows} rows, its metadata promises {doc.get('rows')!r}"
    seeds = doc.get("seeds")
    if not (isinstance(seeds, list) and len(seeds) == 2 and all(isinstance(s, int) for s in seeds)):
        return f"its metadata names no seed block ({seeds!r})"
    first, last = seeds
    seed = table["seed"].to_numpy()
    ends = seed[table["step"].to_numpy() == table["steps"].to_numpy()]
    block = np.arange(first, last + 1)
    inside = (ends >= first) & (ends <= last)
    counts = np.bincount(ends[inside] - first, minlength=block.size) if inside.all() else None
    if counts is None or not np.isin(seed, block).all():
        return f"holds seeds outside its block {first}-{last}"
    if (counts != 1).any():
        lost = block[counts == 0]
        if lost.size:
            return f"lacks the runs of seed(s) {', '.join(map(str, lost[:5]))}"
        return "holds a run twice"
    for key in ("problem", "setting"):
        values = table[key].unique().to_pylist()
        if values != [doc.get(key)]:
            return f"its {key} column holds {values!r}, its metadata {doc.get(key)!r}"
    return None
