"""What several figures share: per-step summaries over seeds, agreement marks, log axes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


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


def log_scale(
    ax,
    which: str = "y",
    lim: tuple[float, float] | None = None,
    data: tuple[float, float] | None = None,
) -> bool:
    """``ax.set_{x,y}scale("log")`` (and limits ``lim``, if given) that also works for
    data near the float limits, as diverging runs (α = 1e6, starts near 1e300, a
    divergence factor of 1e300) produce.  Data within 1e±250 and 30 decades get
    matplotlib's own margins and ticks; wider data get limits inside 1e±300 and
    about six decade ticks (matplotlib's margin and tick locator overflow there:
    a RuntimeWarning, then an OverflowError).  ``data`` is the positive data range when
    it is not the axes' own (shared axes).  Returns True when the data were wide."""
    from matplotlib.ticker import FixedLocator, NullLocator

    axis, set_lim, set_scale = (
        (ax.yaxis, ax.set_ylim, ax.set_yscale)
        if which == "y"
        else (ax.xaxis, ax.set_xlim, ax.set_xscale)
    )
    if lim is not None:
        lo, hi = lim
    elif data is not None:
        lo, hi = data
    else:
        box = ax.dataLim
        lo, hi = (box.minposy, box.y1) if which == "y" else (box.minposx, box.x1)
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
        # nothing positive to draw (e.g. no run converged): a linear axis that says so,
        # not a log axis whose tick locator fails on the empty range
        ax.text(0.5, 0.5, "no positive values to show", transform=ax.transAxes, ha="center")
        return False
    a, b = math.log10(lo), math.log10(hi)
    if b - a <= 30 and -250 < a and b < 250:
        if lim is not None:
            set_lim(lo, hi)
        set_scale("log")
        return False
    if lim is None:
        pad = 0.05 * max(b - a, 1.0)
        a, b = a - pad, b + pad
    a, b = max(a, -300.0), min(b, 300.0)
    set_lim(10.0**a, 10.0**b)  # before the scale: its automatic margins would overflow
    set_scale("log")
    if b - a > 30:
        step = next(s for s in (10, 20, 25, 50, 100) if (b - a) / s <= 7)
        axis.set_major_locator(
            FixedLocator(10.0 ** np.arange(math.ceil(a / step) * step, math.floor(b) + 1, step))
        )
        axis.set_minor_locator(NullLocator())
    return True
