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
  ``period_rtol``·‖θ_K‖ for some period 2 ≤ p ≤ ``max_period`` (the smallest such p
  is recorded; a method with memory closes its previous iterate too), while one step
  moves it by more than 1000 times that closure error (so a slow approach to a fixed
  point is never taken for an orbit);
* ``max_steps`` – k reached the step budget with none of these.

The orbit test continues a run 2·``max_period`` steps past the budget, without
recording them: a run's recorded rows and its ``steps`` are those of the budget.

Overflow on the way to divergence is expected and silenced (``np.errstate``):
it is classified, never a crash or a flood of RuntimeWarnings.  All arithmetic
is row-wise, so a run's numbers do not depend on the other runs of its block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gdlab.methods import PLAIN_GD, Method
from gdlab.stopping import MAX_PERIOD, PERIOD_RTOL, RECORD_PER_DECADE, STOPPING_RULE, stopping
from gdlab.theory import CONVERGED, CYCLE, DIVERGED, MAX_STEPS

__all__ = [
    "CONVERGED",
    "CYCLE",
    "DIVERGED",
    "MAX_STEPS",
    "STOPPING_RULE",
    "Model",
    "Trace",
    "descend",
    "stopping",
]


class Model(Protocol):
    """A block of runs: every method takes θ of shape (runs, d) and is row-wise."""

    def gradient(self, theta: np.ndarray) -> np.ndarray: ...
    def loss(self, theta: np.ndarray) -> np.ndarray: ...
    def dist(self, theta: np.ndarray) -> np.ndarray:
        """(..., runs, d) -> (..., runs): also takes a stack of iterates of the block."""

    def take(self, rows: np.ndarray) -> Model:
        """The same model restricted to a subset of its runs."""


def row_norms(a: np.ndarray) -> np.ndarray:
    """‖a_i‖₂ of every row, without overflow: rows whose sum of squares overflows
    (entries beyond ~1e154) are rescaled by their largest entry, so a finite
    iterate (even near 1e300) has a finite norm and is not taken for diverged."""
    if a.shape[1] == 1:
        return np.abs(a[:, 0])
    with np.errstate(over="ignore", invalid="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->i", a, a))
        redo = np.flatnonzero(np.isinf(norms) & np.isfinite(a).all(axis=1))
        if redo.size:
            big = np.abs(a[redo]).max(axis=1)
            scaled = a[redo] / big[:, None]
            norms[redo] = big * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))
    return norms


def record_steps(
    max_steps: int, extra: tuple[int, ...] = (), per_decade: int = RECORD_PER_DECADE
) -> frozenset[int]:
    """Iterations recorded for every run: 0–10, ``per_decade`` log-spaced per decade
    up to the budget, the budget itself and ``extra`` (the runs' last iterate is
    always recorded too).  Bounded: ~60 rows per run at 20 000 steps."""
    steps = set(range(min(10, max_steps) + 1))
    if max_steps > 10:
        decades = math.log10(max_steps) - 1
        count = max(2, math.ceil(decades * per_decade) + 1)
        steps |= {round(10 ** (1 + decades * i / (count - 1))) for i in range(count)}
    steps |= {s for s in extra if 0 <= s <= max_steps}
    steps.add(max_steps)
    return frozenset(steps)


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

    def rate_empirical(self) -> np.ndarray:
        """Per run: (d_K / d_k0)^(1/(K − k0)), K the last step and k0 the last
        recorded step ≤ K/2, with d the distance to the optimum (the gradient norm
        where the distance is unknown): the measured contraction per step over the
        second half of the run."""
        runs = len(self.outcome)
        rates = np.full(runs, np.nan)
        if not self.run.size:
            return rates
        # rows are sorted by (run, step): each run's rows are one ascending slice
        d = np.where(np.isnan(self.dist), self.grad_norm, self.dist)
        last_row = np.flatnonzero(np.r_[self.run[1:] != self.run[:-1], True])
        run_of = self.run[last_row]
        K = np.zeros(runs, dtype=np.int64)
        K[run_of] = self.step[last_row]
        last = np.full(runs, np.nan)
        last[run_of] = d[last_row]
        # k0: each run's last recorded step ≤ K/2 (its rows there are a prefix)
        early = np.flatnonzero(self.step <= K[self.run] // 2)
        k0_row = early[np.r_[self.run[early][1:] != self.run[early][:-1], True]]
        r = self.run[k0_row]
        k0, first, last = self.step[k0_row], d[k0_row], last[r]
        with np.errstate(all="ignore"):
            ok = (K[r] > 0) & (first > 0) & np.isfinite(last) & np.isfinite(first)
        # one scalar power per run, as Python floats (the C library's pow)
        rates[r[ok]] = [
            lo**e
            for lo, e in zip(
                (last[ok] / first[ok]).tolist(), (1.0 / (K[r[ok]] - k0[ok])).tolist(), strict=True
            )
        ]
        return rates


# Steps are taken in chunks: the loop over a chunk only computes gradients and
# updates (the part that must be sequential), into preallocated buffers; the stopping
# rule, the recorded rows and the losses are then evaluated for the whole chunk at
# once.  A run that stops inside a chunk keeps iterating to the chunk's end (its extra
# iterates are discarded); stopped runs are dropped from the block (``model.take``)
# once they are more than ``_COMPACT`` of it, and until then iterate on unwatched.
# Chunks start short (most runs of a block stop early or not at all) and double up to
# ``_CHUNK_MAX``, bounded so that a chunk's iterates stay within ``_CHUNK_FLOATS``
# floats.  None of this changes a number: all arithmetic is row-wise.
_CHUNK_MIN, _CHUNK_MAX, _CHUNK_FLOATS = 16, 512, 1 << 20
_COMPACT = 1 / 8
_LARGEST = np.finfo(float).max


def descend(
    model: Model,
    theta0: np.ndarray,
    alpha: np.ndarray,
    *,
    max_steps: int,
    tolerance: float,
    divergence_factor: float,
    record: frozenset[int],
    max_period: int = MAX_PERIOD,
    period_rtol: float = PERIOD_RTOL,
    method: Method = PLAIN_GD,
) -> Trace:
    """Run ``method`` (θ ← θ − α∇f(θ) by default) on every run of ``model`` until each
    run stops.

    Every run's iterates, stopping step and recorded rows are exactly (bit for
    bit) those of running it alone: all arithmetic is row-wise."""
    theta = np.array(theta0, dtype=float, copy=True)
    runs, dim = theta.shape
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), (runs,)).copy()
    every_run, every_alpha = model, alpha.copy()
    ids = np.arange(runs)  # original index of each row of the block
    alive = np.ones(runs, dtype=bool)  # rows not yet stopped (stopped rows iterate on)
    outcome = np.full(runs, -1, dtype=np.int8)
    steps = np.zeros(runs, dtype=np.int64)
    final = np.full_like(theta, np.nan)
    final_previous = np.full_like(theta, np.nan)  # θ_{K−1}: the orbit test's memory
    previous = theta.copy()  # θ_{−1} = θ_0
    recorded = np.zeros(max_steps + 1, dtype=bool)
    recorded[[s for s in record if 0 <= s <= max_steps]] = True
    out = {"run": [], "step": [], "loss": [], "grad_norm": [], "dist": [], "theta": []}
    bound = None
    k0, chunk = 0, _CHUNK_MIN
    with np.errstate(all="ignore"):
        while ids.size:
            n = ids.size
            size_b = max(1, min(chunk, max_steps + 1 - k0, _CHUNK_FLOATS // (n * dim)))
            chunk = min(2 * chunk, _CHUNK_MAX)
            # T[b] is θ_{k0+b}; T[size_b] starts the next chunk
            T = np.empty((size_b + 1, n, dim))
            G = np.empty((size_b, n, dim))
            T[0] = theta
            a = alpha[:, None]
            advance, gradient = method.advance, model.gradient
            advance(gradient, T[0], previous, a, T[1], G[0])
            for b in range(1, size_b):
                advance(gradient, T[b], T[b - 1], a, T[b + 1], G[b])
            chunk_previous, previous = previous, T[size_b - 1].copy()
            theta = T[size_b]
            T = T[:size_b]
            # the stopping rule for the whole chunk (rows: step-major, then run)
            gnorm = row_norms(G.reshape(-1, dim)).reshape(size_b, n)
            dist = model.dist(T)
            # where the optimum is unknown (NaN distance), watch ‖θ‖ instead
            unknown = np.isnan(dist)
            size = dist
            if unknown.any():
                size = np.where(unknown, row_norms(T.reshape(-1, dim)).reshape(size_b, n), dist)
            if bound is None:
                # capped at the largest float: size ≤ bound then also says size is finite
                bound = np.minimum(divergence_factor * np.maximum(size[0], 1.0), _LARGEST)
            # go on: finite, within the bound and not converged (NaN compares False)
            go = size <= bound
            go &= gnorm > tolerance
            go &= np.isfinite(gnorm)
            go &= np.isfinite(T[..., 0]) if dim == 1 else np.isfinite(T).all(axis=2)
            if k0 + size_b > max_steps:  # the budget
                go[max_steps - k0] = False
            stopped = alive & ~go.all(axis=0)
            first = np.where(alive, size_b, -1)  # each row's stop in the chunk, if any
            done = np.flatnonzero(stopped)
            if done.size:
                at = (~go[:, done]).argmax(axis=0)
                first[done] = at
            # recorded rows: the recorded steps before a run's stop, and the stop itself
            kb, kr = [], []
            for b in np.flatnonzero(recorded[k0 : k0 + size_b]):
                rows = np.flatnonzero(first > b)
                kb.append(np.full(rows.size, b))
                kr.append(rows)
            if done.size:
                kb.append(at)
                kr.append(done)
            if kb:
                kb, kr = np.concatenate(kb), np.concatenate(kr)
                out["run"].append(ids[kr])
                out["step"].append(k0 + kb)
                out["loss"].append(model.take(kr).loss(T[kb, kr]))
                out["grad_norm"].append(gnorm[kb, kr])
                out["dist"].append(dist[kb, kr])
                out["theta"].append(T[kb, kr])
            if done.size:
                s_at, g_at = size[at, done], gnorm[at, done]
                finite = (
                    np.isfinite(g_at) & np.isfinite(s_at) & np.isfinite(T[at, done]).all(axis=1)
                )
                diverged = ~finite | (s_at > bound[done])
                converged = ~diverged & (g_at <= tolerance)
                outcome[ids[done]] = np.where(diverged, 0, np.where(converged, 1, 2))
                steps[ids[done]] = k0 + at
                final[ids[done]] = T[at, done]
                if method.memory:
                    before = T[np.maximum(at - 1, 0), done]
                    final_previous[ids[done]] = np.where(
                        (at > 0)[:, None], before, chunk_previous[done]
                    )
                alive[done] = False
                if (~alive).sum() > _COMPACT * n or not alive.any():
                    live = np.flatnonzero(alive)
                    ids, theta, alpha, bound = ids[live], theta[live], alpha[live], bound[live]
                    previous = previous[live]
                    alive = alive[live]
                    if live.size:
                        model = model.take(live)
            k0 += size_b
    names = np.array([DIVERGED, CONVERGED, MAX_STEPS], dtype=object)
    outcome = names[outcome].tolist()
    period = np.zeros(runs, dtype=np.int64)
    budget = np.flatnonzero(np.array(outcome) == MAX_STEPS)
    if budget.size and max_period >= 2:
        period[budget] = periods(
            every_run.take(budget),
            final[budget],
            every_alpha[budget],
            max_period,
            period_rtol,
            method=method,
            previous=final_previous[budget],
        )
        for r in budget[period[budget] > 0]:
            outcome[r] = CYCLE
    cat = {k: np.concatenate(v) for k, v in out.items()}
    order = np.lexsort((cat["step"], cat["run"]))
    return Trace(
        run=cat["run"][order],
        step=cat["step"][order],
        loss=cat["loss"][order],
        grad_norm=cat["grad_norm"][order],
        dist=cat["dist"][order],
        theta=cat["theta"][order],
        outcome=outcome,
        steps=steps,
        final_theta=final,
        period=period,
    )


def periods(
    model: Model,
    theta: np.ndarray,
    alpha: np.ndarray,
    max_period: int,
    rtol: float,
    *,
    method: Method = PLAIN_GD,
    previous: np.ndarray | None = None,
):
    """Per run: the smallest period 2 ≤ p ≤ ``max_period`` of the orbit through θ (the
    module docstring's test), or 0.  ``previous``: the iterate before θ, for a method
    with memory (its orbit closes on both)."""
    n, _dim = theta.shape
    # orbit[j + 1] is θ_{K+j}; orbit[0] is θ_{K−1}
    orbit = np.empty((2 * max_period + 2, *theta.shape))
    orbit[0] = theta if previous is None else previous
    orbit[1] = theta
    a = alpha[:, None]
    with np.errstate(all="ignore"):
        for j in range(2, orbit.shape[0]):
            orbit[j] = method.step(model.gradient, orbit[j - 1], orbit[j - 2], a)
        orbit_k, orbit = orbit, orbit[1:]
        scale = row_norms(theta)
        move = row_norms(orbit[1] - orbit[0])
        found = np.zeros(n, dtype=np.int64)
        for p in range(2, max_period + 1):
            closure = np.maximum(row_norms(orbit[p] - orbit[0]), row_norms(orbit[2 * p] - orbit[p]))
            if method.memory:
                closure = np.maximum(closure, row_norms(orbit_k[p] - orbit_k[0]))
            hit = (found == 0) & (closure <= rtol * scale) & (move > 1e3 * closure) & (scale > 0)
            found[hit] = p
    return found


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
) -> tuple[Trace, dict]:
    """A block of runs of ``method`` under its config section's stopping rule: the
    :class:`Trace` and its per-row schema columns (``extra_steps`` are recorded too,
    and the section's optional ``record_per_decade`` sets how many log-spaced steps
    per decade)."""
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
    )
    alphas = np.broadcast_to(np.asarray(alpha, dtype=float), (len(seeds),))
    return trace, trace_columns(trace, seeds, alphas, scalar=scalar)


def trace_columns(trace: Trace, seeds: list[int], alpha: np.ndarray, scalar: bool) -> dict:
    """The per-row schema columns of a trace (run-level columns repeated per row);
    ``scalar``: a 1-D problem, whose iterate itself is the column ``x``."""
    run = trace.run
    cols = {
        "seed": np.asarray(seeds, dtype=np.int64)[run],
        "step": trace.step,
        "alpha": np.asarray(alpha, dtype=float)[run],
        "loss": trace.loss,
        "grad_norm": trace.grad_norm,
        "dist": trace.dist,
        "outcome": [trace.outcome[r] for r in run],
        "steps": trace.steps[run],
        "period": trace.period[run],
        "rate_empirical": trace.rate_empirical()[run],
    }
    if scalar:
        cols["x"] = trace.theta[:, 0]
    return cols
