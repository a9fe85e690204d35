"""How a results file is encoded: zstd, a checksum in every data page, and each
column's encoding chosen from its values (:func:`write_options`).  pyarrow and NumPy
only (a solver job imports nothing else)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

# Integrity: a CRC-32 in the header of every data page (Parquet's page checksums),
# verified on reading (gdlab.schema): a damaged file is refused, never read as other
# numbers.
WRITE_OPTIONS = {"compression": "zstd", "write_page_checksum": True}
# the columns read as NumPy arrays from their buffers
NUMPY_TYPES = {pa.float64(): np.float64, pa.int64(): np.int64}

# a column of fewer distinct values than one in FEW_DISTINCT rows is dictionary-encoded
FEW_DISTINCT = 8


def write_options(table: pa.Table) -> dict:
    """How a results file is encoded (:data:`WRITE_OPTIONS`, and per column, from the
    values of ``table``, its first row group for a file written in parts): a column of
    few distinct values (under one in :data:`FEW_DISTINCT` rows: a grid point's
    theory, a step count, a seed's start at every α of ``results/runs.parquet``) and
    every string column dictionary-encoded; a float column of many distinct values
    (a run's start, its last distance) byte-stream-split (its bytes regrouped by
    significance, which zstd compresses where it barely shrinks plain doubles); an
    integer column of many (the seeds) plain.  The encoding is the file's layout
    only: every reader decodes the same values, and equal tables get equal files."""
    few, spread = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        if field.type not in NUMPY_TYPES or not len(column):
            few.append(field.name)
            continue
        array = column.combine_chunks()
        lo, hi = array.offset, array.offset + len(array)
        values = np.frombuffer(array.buffers()[1], dtype=NUMPY_TYPES[field.type])[lo:hi]
        if np.unique(values).size * FEW_DISTINCT < len(values):
            few.append(field.name)
        elif field.type == pa.float64():
            spread.append(field.name)
    return {
        **WRITE_OPTIONS,
        "use_dictionary": few or False,
        "use_byte_stream_split": spread or False,
    }
