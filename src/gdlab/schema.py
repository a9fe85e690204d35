"""The one Parquet schema of a solver job's output, and how it is written and read.

Tidy rows: one per recorded iteration of one run (a run is one seed at one grid
point).  Run-level columns (``outcome``, ``steps``, rates, check errors) repeat
on every row of the run.  Columns a problem does not track hold NaN (floats) or
null (strings).

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

SCHEMA_VERSION = 1
METADATA_KEY = b"gdlab"

OUTCOMES = ("converged", "diverged", "max_steps", "checked")
MINIMA = ("sharp", "wide", "maximum", "none")

_DICT = pa.dictionary(pa.int8(), pa.string())

# name -> (arrow type, meaning).  The single source of truth for the columns.
COLUMNS: dict[str, tuple[pa.DataType, str]] = {
    "problem": (_DICT, "problem name (wildcard value)"),
    "setting": (_DICT, "grid point: alpha=<α>, c=<multiple of 2/ρ(XᵀX)> or shape=<N>x<p>"),
    "alpha": (pa.float64(), "absolute step size α (NaN when the problem has none)"),
    "seed": (pa.int64(), "seed index within the problem (0-based)"),
    "step": (pa.int64(), "GD iteration k of this row"),
    "loss": (pa.float64(), "objective f(θ_k)"),
    "grad_norm": (pa.float64(), "‖∇f(θ_k)‖₂"),
    "dist": (pa.float64(), "‖θ_k − θ*‖₂, distance to the optimum / nearest minimum"),
    "x": (pa.float64(), "the iterate itself for 1-D problems (quadratic, sharp_wide)"),
    "outcome": (_DICT, "how the run ended: " + ", ".join(OUTCOMES)),
    "minimum": (_DICT, "sharp_wide: where a converged run ended: " + ", ".join(MINIMA)),
    "steps": (pa.int64(), "iterations the run took before it stopped"),
    "alpha_critical": (pa.float64(), "the theory's critical step size for this run"),
    "rate_empirical": (pa.float64(), "measured contraction factor per step"),
    "rate_theory": (pa.float64(), "predicted contraction factor per step"),
    "err_sum": (pa.float64(), "lsq_gradient: rel. error Σ∇ℓ_i vs Xᵀ(Xθ−Y)"),
    "err_fd": (pa.float64(), "lsq_gradient: rel. error central difference vs Xᵀ(Xθ−Y)"),
    "err_sample": (pa.float64(), "lsq_gradient: max rel. error of ∇ℓ_i vs central difference"),
    "err_dense": (pa.float64(), "conv_huber: rel. error matrix-free A, Aᵀ vs dense matrix"),
    "err_adjoint": (pa.float64(), "conv_huber: rel. error of ⟨Ax, y⟩ = ⟨x, Aᵀy⟩"),
}
SCHEMA = pa.schema([pa.field(name, typ) for name, (typ, _doc) in COLUMNS.items()])
_INT = {"seed", "step", "steps"}


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


def to_table(columns: dict, provenance: dict) -> pa.Table:
    """Build the schema's table from NumPy arrays / lists; missing float columns are NaN."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(
            f"columns have different lengths: { {k: len(v) for k, v in columns.items()} }"
        )
    (n,) = lengths
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}; the schema has {list(COLUMNS)}")
    arrays = []
    for name, (typ, _doc) in COLUMNS.items():
        if typ == _DICT:
            values = columns.get(name, [None] * n)
            arrays.append(_dictionary(values))
        else:
            dtype = np.int64 if name in _INT else np.float64
            default = 0 if name in _INT else np.nan
            values = np.asarray(columns.get(name, np.full(n, default)), dtype=dtype)
            arrays.append(pa.Array.from_buffers(typ, n, [None, _buffer(values)]))
    meta = {
        "schema_version": SCHEMA_VERSION,
        **provenance,
    }
    schema = SCHEMA.with_metadata({METADATA_KEY: json.dumps(meta, sort_keys=True).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


def write(table: pa.Table, path: str | os.PathLike) -> None:
    """Write atomically (temporary file + rename): a killed job leaves no partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


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
    if not table.schema.remove_metadata().equals(SCHEMA):
        raise ResultFileError(f"{path}: columns differ from the gdlab schema; {recover}")
    expected = {"problem": problem, "setting": setting, "seeds": list(seeds) if seeds else None}
    for key, want in expected.items():
        if want is not None and doc.get(key) != want:
            raise ResultFileError(
                f"{path}: holds {key} {doc.get(key)!r}, expected {want!r} (a file copied or moved "
                f"from elsewhere?); {recover}"
            )
    return table
