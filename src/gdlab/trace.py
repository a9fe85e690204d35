"""What :func:`gdlab.descent.descend` returns for a block of runs: the recorded rows,
one summary per run, and the contraction each run measured; the window each run's
rate is read over (:func:`windows`, kept in its summary); and which rows a solver
job keeps (:func:`keep_rows`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# a run's rate window, kept in its summary (:func:`windows`; gdlab.columns.WINDOW says
# what each holds)
WINDOW = ("k0", "d_k0", "k1", "d_k1", "d_last")


@dataclass
class Trace:
    """What :func:`descend` returns: recorded rows and one summary per run."""

    run: np.ndarray  # (rows,) index of the run (0..runs-1)
    step: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    dist: np.ndarray
    theta: np.ndarray  # (rows, d)
    outcome: list[str]  # per run
    steps: np.ndarray  # per run
    final_theta: np.ndarray  # (runs, d): last iterate of each run
    period: np.ndarray  # per run: the period of its orbit (outcome cycle), else 0
    multiplier: np.ndarray  # per run: its orbit's multiplier (outcome cycle), else NaN
    lyapunov: np.ndarray  # per run: its Lyapunov exponent estimate (no limit, no orbit)

    # per run: its rate window (:func:`windows`: k0, d_k0, k1, d_k1, d_last), read
    # from every recorded step, whether the run keeps its rows or not
    window: dict[str, np.ndarray]

    def rate_empirical(self) -> np.ndarray:
        """Per run: (d_K / d_k0)^(1/(K − k0)), K the last step and k0 the last
        recorded step ≤ K/2, with d the distance to the optimum (the gradient norm
        where the distance is unknown; a method with memory on a constant Hessian:
        the norm of its modes, :meth:`gdlab.methods.Method.modes`): the measured
        contraction per step over the second half of the run."""
        rates = np.full(len(self.outcome), np.nan)
        K, k0 = self.steps, self.window["k0"]
        first, last = self.window["d_k0"], self.window["d_last"]
        with np.errstate(all="ignore"):
            ok = np.flatnonzero((K > 0) & (first > 0) & np.isfinite(last) & np.isfinite(first))
        # one scalar power per run, as Python floats (the C library's pow)
        rates[ok] = list(
            map(math.pow, (last[ok] / first[ok]).tolist(), (1.0 / (K[ok] - k0[ok])).tolist())
        )
        return rates


def trace_columns(trace: Trace, seeds: list[int], alpha: np.ndarray, scalar: bool) -> dict:
    """The per-row schema columns of a trace (run-level columns repeated per row) and
    each run's rate window; ``scalar``: a 1-D problem, whose iterate itself is the
    column ``x``."""
    run = trace.run
    outcomes = np.asarray(trace.outcome, dtype=object)
    cols = {
        "seed": np.asarray(seeds, dtype=np.int64)[run],
        "step": trace.step,
        "alpha": np.asarray(alpha, dtype=float)[run],
        "loss": trace.loss,
        "grad_norm": trace.grad_norm,
        "dist": trace.dist,
        "outcome": outcomes[run].tolist(),
        "steps": trace.steps[run],
        "period": trace.period[run],
        "orbit_multiplier": trace.multiplier[run],
        "lyapunov": trace.lyapunov[run],
        "rate_empirical": trace.rate_empirical()[run],
        **{name: trace.window[name][run] for name in WINDOW},
    }
    if scalar:
        cols["x"] = trace.theta[:, 0]
    return cols


def _window_index(seed, step, steps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per run of a block's rows (each run's rows one ascending slice, as
    :func:`gdlab.descent.descend` records them): the index of its first row, of its
    row at k0 (the last recorded step ≤ K/2, K its ``steps``) and at k1 (the last
    ≤ (k0 + K)/2)."""
    seed, step, steps = (np.asarray(a) for a in (seed, step, steps))
    n = step.size
    start = np.flatnonzero(np.r_[True, seed[1:] != seed[:-1]])
    if np.unique(seed[start]).size != start.size or np.any(np.diff(step)[np.diff(seed) == 0] <= 0):
        raise ValueError("a run's rows are not one slice in ascending steps")
    run = np.repeat(np.arange(start.size), np.diff(np.r_[start, n]))
    K = steps[start]

    def last_at_most(limit: np.ndarray) -> np.ndarray:
        # ascending steps: the rows at most ``limit`` are a prefix of the run's slice
        return start + np.add.reduceat((step <= limit[run]).astype(np.int64), start) - 1

    k0 = last_at_most(K // 2)
    return start, k0, last_at_most((step[k0] + K) // 2)


def windows(seed, step, steps, d) -> dict[str, np.ndarray]:
    """Per run of a block's rows, in the order of its rows: its ``seed``, the steps k0
    and k1 its rate window is cut at (:func:`_window_index`) and d there (``d_k0``,
    ``d_k1``) and at its last row (``d_last``), d as each row holds it: the run's
    summary keeps them (its rate window's halves, read by
    :func:`gdlab.tables.measurable`), so no table reads a run's rows."""
    step, d = np.asarray(step), np.asarray(d, dtype=float)
    if not step.size:
        empty = np.zeros(0, dtype=np.int64)
        return {"seed": empty, "k0": empty, "d_k0": d, "k1": empty, "d_k1": d, "d_last": d}
    start, k0, k1 = _window_index(seed, step, steps)
    return {
        "seed": np.asarray(seed)[start],
        "k0": step[k0],
        "d_k0": d[k0],
        "k1": step[k1],
        "d_k1": d[k1],
        "d_last": d[np.r_[start[1:], step.size] - 1],
    }


def keep_rows(cols: dict, traced: int | None) -> dict:
    """``cols`` (a solver's row columns, run-level columns repeated per row) with the
    recorded rows of the runs whose seed is below ``traced`` only (all of them: None):
    the trajectories a figure draws.  Every other number of a run is in its summary."""
    seed = np.asarray(cols["seed"])
    if traced is None or not seed.size or seed.max() < traced:
        return cols
    keep = seed < traced
    index = np.flatnonzero(keep)
    return {
        k: [v[i] for i in index] if isinstance(v, list) else np.asarray(v)[keep]
        for k, v in cols.items()
    }
