"""A gradient method on a block of independent runs, in lockstep.

Every problem with an iteration describes its runs as a :class:`Model` (the objective, its
gradient and the distance to the optimum, stacked over runs) and hands it to
:func:`descend` with its method (:mod:`gdlab.methods`: plain GD unless it says
otherwise), which owns the stopping rule, the classification of outcomes and which
iterations are recorded.

Stopping rule, checked at every iterate θ_k before the step is taken:

* ``diverged``  – θ_k, ∇f(θ_k) or the distance is not finite, or the distance
  to the optimum (‖θ_k‖ where the optimum is unknown) grew beyond
  ``divergence_factor × max(its value at θ_0, 1)``;
* ``converged`` – ‖∇f(θ_k)‖ ≤ ``tolerance``;
* ``cycle``     – k reached the step budget and the run has settled on a periodic
  orbit: from its last iterate θ_K, θ_{K+p} and θ_{K+2p} return to θ_K within
  ``cycle_rtol`` times the orbit's own size, max_{1≤j<p} ‖θ_{K+j} − θ_K‖, for some
  period 2 ≤ p ≤ ``cycle_max_period`` (the smallest such p is recorded; a method with
  memory closes its previous iterate too).  A run still approaching a fixed point
  moves about twice its distance from it per step and closes only by the fraction
  its contraction takes off, so it is never taken for an orbit (at α·f'' = 2 − 10⁻⁴
  that fraction is 2·10⁻⁴, far above any allowed ``cycle_rtol``);
* ``max_steps`` – k reached the step budget with none of these.

The orbit test continues a run 2·``cycle_max_period`` steps past the budget, without
recording them: a run's recorded rows and its ``steps`` are those of the budget.

Overflow on the way to divergence is expected and silenced (``np.errstate``):
it is classified, never a crash or a flood of RuntimeWarnings.  All arithmetic
is row-wise, so a run's numbers do not depend on the other runs of its block.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from gdlab.methods import PLAIN_GD, Method, mode_norm
from gdlab.orbits import periods, row_norms, settle
from gdlab.stopping import (
    MAX_PERIOD,
    PERIOD_RTOL,
    RECORD_PER_DECADE,
    STOPPING_RULE,
    record_steps,
    stopping,
)
from gdlab.theory import APERIODIC, CONVERGED, CYCLE, DIVERGED, MAX_STEPS
from gdlab.trace import Trace, trace_columns

__all__ = [
    "APERIODIC",
    "CONVERGED",
    "CYCLE",
    "DIVERGED",
    "MAX_STEPS",
    "STOPPING_RULE",
    "Model",
    "Trace",
    "descend",
    "periods",
    "record_steps",
    "row_norms",
    "stopping",
]


class Model(Protocol):
    """A block of runs: every method takes θ of shape (runs, d) and is row-wise."""

    def gradient(self, theta: np.ndarray) -> np.ndarray: ...
    def loss(self, theta: np.ndarray) -> np.ndarray: ...
    def dist(self, theta: np.ndarray) -> np.ndarray:
        """(..., runs, d) -> (..., runs): also takes a stack of iterates of the block."""

    def take(self, rows: np.ndarray) -> Model:
        """The same model restricted to a subset of its runs (indices may repeat)."""

    def hessian_vector(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """∇²f(θ)v, row-wise: an orbit's multipliers and a run's Lyapunov exponent."""

    # optional, a constant Hessian's eigenbasis(): see gdlab.methods.mode_norm


# Steps are taken in chunks: the loop over a chunk only computes gradients and
# updates (the part that must be sequential), into preallocated buffers; the stopping
# rule, the recorded rows and the losses are then evaluated for the whole chunk at
# once.  A run that stops inside a chunk keeps iterating to the chunk's end (its extra
# iterates are discarded); stopped runs are dropped from the block (``model.take``)
# once they are more than ``_COMPACT`` of it, and until then iterate on unwatched.
# Chunks start short (most runs of a block stop early or not at all) and double up to
# ``_CHUNK_MAX``, bounded so that a chunk's iterates stay within ``_CHUNK_FLOATS``
# floats: 2^16 (512 KB an array) keeps the chunk-wide stopping rule in the CPU's cache
# and its buffers in reused memory (at 2^20 the solver of config/large.yaml took about
# a fifth more CPU: docs/performance.md, "Solver cost per step").  None of this
# changes a number: all arithmetic is row-wise.
_CHUNK_MIN, _CHUNK_MAX, _CHUNK_FLOATS = 1, 512, 1 << 16
_COMPACT = 1 / 8
_LARGEST = np.finfo(float).max


class _Block:
    """The runs of :func:`descend` not yet stopped, and what is known of every run.

    Rows of the block are runs still iterating (``ids``: their original index);
    stopped rows iterate on unwatched until they are more than ``_COMPACT`` of the
    block, then they are dropped (``model.take``)."""

    def __init__(self, model, theta0, alpha, method: Method, max_steps: int, record, traced):
        self.theta = np.array(theta0, dtype=float, copy=True)
        runs, self.dim = self.theta.shape
        # runs that keep every recorded row (None: all); the others keep their first and
        # last rows, and d at every recorded step for their rate window
        self.traced = None if traced is None else np.asarray(traced, dtype=bool)
        self.alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (runs,)).copy()
        self.model, self.method, self.max_steps = model, method, max_steps
        self.ids = np.arange(runs)  # original index of each row of the block
        self.alive = np.ones(runs, dtype=bool)  # rows not yet stopped
        self.previous = self.theta.copy()  # θ_{−1} = θ_0
        self.bound = None
        self.outcome = np.full(runs, -1, dtype=np.int8)
        self.steps = np.zeros(runs, dtype=np.int64)
        self.final = np.full_like(self.theta, np.nan)
        self.final_previous = np.full_like(self.theta, np.nan)  # θ_{K−1}: the orbit test's
        self.recorded = np.zeros(max_steps + 1, dtype=bool)
        self.recorded[[s for s in record if 0 <= s <= max_steps]] = True
        if not self.recorded[0]:
            raise ValueError("the recorded steps hold step 0: every run's first row")
        self.out = {"run": [], "step": [], "loss": [], "grad_norm": [], "dist": [], "theta": []}
        # d of every run at every recorded step (its rate window is read there): row j
        # is the recorded step R[j]; a run's entries after its stop are never read
        self.R = np.flatnonzero(self.recorded)
        self.slot = np.cumsum(self.recorded) - 1  # step -> its row of d_at, if recorded
        self.d_at = np.full((self.R.size, runs), np.nan)
        self.d_last = np.full(runs, np.nan)  # d at each run's stop
        self.modes = mode_norm(method, model, self.alpha)

    def window_d(self, T, dist, gnorm, before, b, rows=None) -> np.ndarray:
        """d at the chunk's steps ``b`` of ``rows`` (arrays of one shape; None: every
        row at each step, (steps, rows)): the distance (the gradient norm where it is
        unknown), or the norm of the method's modes (:func:`gdlab.methods.mode_norm`)."""
        if self.modes is None:
            d, g = (dist[b], gnorm[b]) if rows is None else (dist[b, rows], gnorm[b, rows])
            return np.where(np.isnan(d), g, d)
        if rows is None:
            b, rows = np.meshgrid(b, np.arange(self.ids.size), indexing="ij")
        previous = np.where((b > 0)[..., None], T[np.maximum(b - 1, 0), rows], before[rows])
        ids = self.ids[rows.ravel()]
        flat = self.modes(T[b, rows].reshape(-1, self.dim), previous.reshape(-1, self.dim), ids)
        return flat.reshape(b.shape)

    def advance(self, size_b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``size_b`` steps of every row: T[b] = θ_{k0+b}, G[b] = ∇f(T[b]), and the
        iterate before T[0]."""
        n, dim = self.ids.size, self.dim
        T = np.empty((size_b + 1, n, dim))  # T[size_b] starts the next chunk
        G = np.empty((size_b, n, dim))
        T[0] = self.theta
        a = self.alpha[:, None]
        advance, gradient = self.method.advance, self.model.gradient
        advance(gradient, T[0], self.previous, a, T[1], G[0])
        for b in range(1, size_b):
            advance(gradient, T[b], T[b - 1], a, T[b + 1], G[b])
        before = self.previous
        self.previous, self.theta = T[size_b - 1].copy(), T[size_b]
        return T[:size_b], G, before

    def watch(self, T, G, k0: int, tolerance: float, divergence_factor: float):
        """The stopping rule for a whole chunk (rows: step-major, then run): the
        gradient norms, distances, watched sizes and whether each row goes on."""
        size_b, n, dim = T.shape
        gnorm = row_norms(G.reshape(-1, dim)).reshape(size_b, n)
        dist = self.model.dist(T)
        # where the optimum is unknown (NaN distance), watch ‖θ‖ instead
        unknown = np.isnan(dist)
        size = dist
        if unknown.any():
            size = np.where(unknown, row_norms(T.reshape(-1, dim)).reshape(size_b, n), dist)
        if self.bound is None:
            # capped at the largest float: size ≤ bound then also says size is finite
            self.bound = np.minimum(divergence_factor * np.maximum(size[0], 1.0), _LARGEST)
        # go on: finite, within the bound and not converged (NaN compares False)
        go = size <= self.bound
        go &= gnorm > tolerance
        go &= np.isfinite(gnorm)
        go &= np.isfinite(T[..., 0]) if dim == 1 else np.isfinite(T).all(axis=2)
        if k0 + size_b > self.max_steps:  # the budget
            go[self.max_steps - k0] = False
        return gnorm, dist, size, go

    def keep_rows(self, T, gnorm, dist, before, k0: int, first, at, done) -> None:
        """The chunk's recorded rows: the recorded steps before a run's stop, and the
        stop itself.  d at each recorded step and at the stop is kept for every run
        (its rate window); the whole row for a traced run, and every run's first and
        last rows."""
        steps_b = np.flatnonzero(self.recorded[k0 : k0 + T.shape[0]])
        if steps_b.size:  # every row of the block: a stopped run's later d is never read
            d = self.window_d(T, dist, gnorm, before, steps_b)
            self.d_at[self.slot[k0 + steps_b][:, None], self.ids[None, :]] = d
        if done.size:
            self.d_last[self.ids[done]] = self.window_d(T, dist, gnorm, before, at, done)
        # the rows kept whole: every run's below (None), else the traced runs' and the
        # first row of every run
        whole = None if self.traced is None else np.flatnonzero(self.traced[self.ids])
        kb, kr = [], []
        for b in steps_b:
            rows = np.flatnonzero(first > b)
            if whole is not None and k0 + b > 0:
                rows = whole[first[whole] > b]
            kb.append(np.full(rows.size, b))
            kr.append(rows)
        if done.size:
            kb.append(at)
            kr.append(done)
        if not kb:
            return
        kb, kr = np.concatenate(kb), np.concatenate(kr)
        self.out["run"].append(self.ids[kr])
        self.out["step"].append(k0 + kb)
        # at most as many rows a call as the block has runs, so the model taken for them
        # holds at most the block's data once (all the chunk's rows at once held a copy
        # of a run's data per recorded row: ~20x a block's data); a call per step was
        # one call per stop step of the chunk, each a dozen small NumPy calls
        loss = np.empty(kb.size)
        for lo in range(0, kb.size, self.ids.size):
            i = slice(lo, lo + self.ids.size)
            loss[i] = self.model.take(kr[i]).loss(T[kb[i], kr[i]])
        self.out["loss"].append(loss)
        self.out["grad_norm"].append(gnorm[kb, kr])
        self.out["dist"].append(dist[kb, kr])
        self.out["theta"].append(T[kb, kr])

    def windows(self) -> dict[str, np.ndarray]:
        """Every run's rate window (:func:`gdlab.trace.windows`: k0 the last recorded
        step ≤ K/2, k1 the last ≤ (k0 + K)/2, K its stop, and d there) and ``d_last``,
        d at its stop; both steps are recorded steps before the stop (or 0)."""
        runs = np.arange(self.steps.size)
        i0 = np.searchsorted(self.R, self.steps // 2, side="right") - 1
        k0 = self.R[i0]
        i1 = np.searchsorted(self.R, (k0 + self.steps) // 2, side="right") - 1
        return {
            "seed": runs,
            "k0": k0,
            "d_k0": self.d_at[i0, runs],
            "k1": self.R[i1],
            "d_k1": self.d_at[i1, runs],
            "d_last": self.d_last,
        }

    def stop(self, T, gnorm, size, before, k0: int, at, done, tolerance: float) -> None:
        """Classify the runs that stopped in the chunk, then drop stopped rows once
        they are more than ``_COMPACT`` of the block."""
        s_at, g_at = size[at, done], gnorm[at, done]
        finite = np.isfinite(g_at) & np.isfinite(s_at) & np.isfinite(T[at, done]).all(axis=1)
        diverged = ~finite | (s_at > self.bound[done])
        converged = ~diverged & (g_at <= tolerance)
        ids = self.ids[done]
        self.outcome[ids] = np.where(diverged, 0, np.where(converged, 1, 2))
        self.steps[ids] = k0 + at
        self.final[ids] = T[at, done]
        if self.method.memory:
            previous = T[np.maximum(at - 1, 0), done]
            self.final_previous[ids] = np.where((at > 0)[:, None], previous, before[done])
        self.alive[done] = False
        if (~self.alive).sum() > _COMPACT * self.ids.size or not self.alive.any():
            live = np.flatnonzero(self.alive)
            self.ids, self.theta, self.alpha = self.ids[live], self.theta[live], self.alpha[live]
            self.bound, self.previous, self.alive = (
                self.bound[live],
                self.previous[live],
                self.alive[live],
            )
            if live.size:
                self.model = self.model.take(live)


def descend(
    model: Model,
    theta0: np.ndarray,
    alpha: np.ndarray,
    *,
    max_steps: int,
    tolerance: float,
    divergence_factor: float,
    record: frozenset[int],
    cycle_max_period: int = MAX_PERIOD,
    cycle_rtol: float = PERIOD_RTOL,
    method: Method = PLAIN_GD,
    traced: np.ndarray | None = None,
) -> Trace:
    """Run ``method`` (θ ← θ − α∇f(θ) by default) on every run of ``model`` until each
    run stops.

    Every run's iterates, stopping step and recorded rows are exactly (bit for
    bit) those of running it alone: all arithmetic is row-wise.  ``traced`` (a mask
    over runs; None: every run) are the runs that keep every recorded row; the others
    keep their first and last rows, and their rate window (:attr:`Trace.window`) is
    read from every recorded step all the same."""
    block = _Block(model, theta0, alpha, method, max_steps, record, traced)
    every_alpha = block.alpha.copy()
    k0, chunk = 0, _CHUNK_MIN
    with np.errstate(all="ignore"):
        while block.ids.size:
            n = block.ids.size
            size_b = max(1, min(chunk, max_steps + 1 - k0, _CHUNK_FLOATS // (n * block.dim)))
            chunk = min(2 * chunk, _CHUNK_MAX)
            T, G, before = block.advance(size_b)
            gnorm, dist, size, go = block.watch(T, G, k0, tolerance, divergence_factor)
            stopped = block.alive & ~go.all(axis=0)
            first = np.where(block.alive, size_b, -1)  # each row's stop in the chunk, if any
            done = np.flatnonzero(stopped)
            at = (~go[:, done]).argmax(axis=0) if done.size else done
            first[done] = at
            block.keep_rows(T, gnorm, dist, before, k0, first, at, done)
            if done.size:
                block.stop(T, gnorm, size, before, k0, at, done, tolerance)
            k0 += size_b
    outcome, period, multiplier, exponent = settle(
        model, block, every_alpha, cycle_max_period, cycle_rtol, method
    )
    cat = {k: np.concatenate(v) for k, v in block.out.items()}
    order = np.lexsort((cat["step"], cat["run"]))
    columns = {k: cat[k][order] for k in ("run", "step", "loss", "grad_norm", "dist", "theta")}
    return Trace(
        **columns,
        window=block.windows(),
        outcome=outcome,
        steps=block.steps,
        final_theta=block.final,
        period=period,
        multiplier=multiplier,
        lyapunov=exponent,
    )


def run_block(
    model: Model,
    theta0: np.ndarray,
    alpha,
    seeds: list[int],
    settings: dict,
    *,
    scalar: bool,
    extra_steps: tuple[int, ...] = (),
    method: Method = PLAIN_GD,
    traced: int | None = None,
) -> tuple[Trace, dict]:
    """A block of runs of ``method`` under its config section's stopping rule: the
    :class:`Trace` and its per-row schema columns (``extra_steps`` are recorded too,
    and the section's optional ``record_per_decade`` sets how many log-spaced steps
    per decade).  The seeds below ``traced`` (None: every seed) keep every recorded
    row, the others their first and last; every run's rate window is in the columns
    :data:`gdlab.trace.WINDOW` (run-level, as ``rate_empirical``)."""
    trace = descend(
        model,
        theta0,
        alpha,
        method=method,
        **stopping(settings),
        record=record_steps(
            settings["max_steps"],
            extra=extra_steps,
            per_decade=settings.get("record_per_decade", RECORD_PER_DECADE),
        ),
        traced=None if traced is None else np.asarray(seeds) < traced,
    )
    alphas = np.broadcast_to(np.asarray(alpha, dtype=float), (len(seeds),))
    return trace, trace_columns(trace, seeds, alphas, scalar=scalar)
