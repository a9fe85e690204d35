"""Where a ``sharp_wide`` run ended, as its figures show it, and the x range they share."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.frames import last_rows
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.categories import CATEGORIES

__all__ = ["CATEGORIES", "COLORS", "categorize", "end_states", "position_scale", "x_range"]

COLORS = {
    "sharp": style.VERMILLION,
    "wide": style.BLUE,
    "cycle": style.PURPLE,
    "aperiodic": style.GREEN,
    "diverged": style.BLACK,
    "not converged": style.ORANGE,
}


def categorize(runs: pd.DataFrame) -> np.ndarray:
    """Per run (a row of :func:`gdlab.frames.last_rows`): one of :data:`CATEGORIES`."""
    outcome = runs["outcome"]
    return np.select(
        [outcome == "converged", outcome == "cycle", outcome == "aperiodic", outcome == "diverged"],
        [runs["minimum"], "cycle", "aperiodic", "diverged"],
        default="not converged",
    )


def end_states(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run with its start ``x0``, ``alpha`` (float) and ``category``, from
    the per-run summary (``x_start``, ``x_final``) or from every recorded row."""
    if "x_start" in df:
        runs = df.reset_index(drop=True)
        x0 = runs["x_start"].to_numpy()
        runs = runs.assign(x=runs["x_final"])
    else:
        runs = last_rows(df)
        start = df[df["step"] == 0].set_index(["setting", "seed"])["x"]
        x0 = start.reindex(pd.MultiIndex.from_frame(runs[["setting", "seed"]])).to_numpy()
    return runs.assign(x0=x0, alpha=runs["alpha"].astype(float), category=categorize(runs))


def x_range(interval) -> tuple[float, float]:
    """The x axis: the start interval and both minima (2 either side), 4 % padding, so
    that a narrow or a far interval still shows the landscape the labels point at."""
    cp = numerics.critical_points()
    lo = min(float(interval[0]), cp["sharp"][0] - 2.0)
    hi = max(float(interval[1]), cp["wide"][0] + 2.0)
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def position_scale(lo: float, hi: float) -> tuple[float, str]:
    """The factor positions are divided by on an axis from ``lo`` to ``hi``, and the
    label's note: 1 within ±1e300; beyond, a power of ten, so that matplotlib's
    transforms (data × pixels per unit) stay finite for starts near the largest
    floats (they overflow there: RuntimeWarnings, then a tick locator's ValueError)."""
    big = max(abs(float(lo)), abs(float(hi)))
    if big <= 1e300:
        return 1.0, ""
    k = math.floor(math.log10(big))
    return 10.0**k, f" (× 10^{k})"
