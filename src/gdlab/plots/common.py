"""What several figures share: how a run ended, and per-step summaries over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab.tables import last_rows

# sharp_wide: where a run ended, in the order of the figures' legends
CATEGORIES = ("sharp", "wide", "diverged", "not converged")


def categorize(runs: pd.DataFrame) -> np.ndarray:
    """Per run (a row of :func:`gdlab.tables.last_rows`): one of :data:`CATEGORIES`."""
    return np.where(
        runs["outcome"] == "converged",
        runs["minimum"],
        np.where(runs["outcome"] == "diverged", "diverged", "not converged"),
    )


def end_states(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run with its start ``x0``, ``alpha`` (float) and ``category``."""
    runs = last_rows(df)
    start = df[df["step"] == 0].set_index(["setting", "seed"])["x"]
    x0 = start.reindex(pd.MultiIndex.from_frame(runs[["setting", "seed"]])).to_numpy()
    return runs.assign(x0=x0, alpha=runs["alpha"].astype(float), category=categorize(runs))


def per_step(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median, minimum and maximum of ``column`` over the runs at each recorded step.

    Every run records the same schedule of steps (plus its own last step), and
    stops when it converges or diverges; a step is kept only while most runs
    (more than half) are still running and recorded it, so a summary never rests
    on a few stragglers.  NaN and non-positive values (log axes) are ignored.
    """
    n_runs = df.groupby(["setting", "seed"]).ngroups
    values = df[["step", column]].replace([np.inf, -np.inf], np.nan)
    values = values[values[column] > 0]
    stats = values.groupby("step")[column].agg(["median", "min", "max", "count"])
    return stats[2 * stats["count"] > n_runs]


def agreement(n_agree: int, n_runs: int, what: str = "agree") -> str:
    """'20/20 converged ✓' when every run did what the theory says, '18/20 converged ✗' if not."""
    mark = "✓" if n_agree == n_runs else "✗"
    return f"{n_agree}/{n_runs} {what} {mark}"
