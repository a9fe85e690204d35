"""Frames of runs as a problem's figures and checks read them: pandas helpers of the
core that a problem folder may import (the tables, checks and figures of the generic
layer use them too)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def frame(table) -> pd.DataFrame:
    """A pyarrow table as a pandas frame, its Arrow buffers freed while it is converted
    (the table is unusable after): one copy in memory, not two, for a large study's
    summary."""
    return table.to_pandas(split_blocks=True, self_destruct=True)


def median(values) -> float:  # NaN for no values
    """The median of the values that are not NaN (a Series or an array), as pandas'
    ``Series.median`` gives it (NumPy's median of those values, bit for bit), also of
    values near the largest float: the mean of the two middle values of an even count,
    (a + b)/2, overflows there; a/2 + b/2 does not."""
    if isinstance(values, pd.Series):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    values = np.asarray(values, dtype=float)
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return float("nan")
    if not np.isfinite(finite).all() or np.abs(finite).max() < 8e307:
        return float(np.median(finite))
    middle = np.sort(finite)[(finite.size - 1) // 2 : finite.size // 2 + 1]
    return float(middle[0] / 2 + middle[-1] / 2)


def last_rows(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run (setting, seed): its last recorded iterate."""
    return df[df["step"] == df["steps"]].drop_duplicates(["setting", "seed"]).reset_index(drop=True)
