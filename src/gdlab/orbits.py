"""What a run that used up its step budget settled on: a periodic orbit, verified by
its multipliers, or a bounded aperiodic motion, told by its Lyapunov exponent.

Each function continues the runs past the budget from their last iterate θ_K (the
iterate before it for a method with memory), without recording anything: a run's
recorded rows and ``steps`` are those of the budget.

* :func:`periods` — the orbit test: θ_{K+p} and θ_{K+2p} return to θ_K within
  ``rtol`` times the orbit's own size, max_{1≤j<p} ‖θ_{K+j} − θ_K‖ (a run still
  approaching a fixed point moves about twice its distance from it per step and
  closes only by the fraction its contraction takes off, so it is never taken for an
  orbit).
* :func:`multipliers` — the orbit's multiplier: the spectral radius of the
  derivative of p steps of the method along the orbit (the monodromy matrix, on the
  method's whole state), built from the model's Hessian-vector products.  Below 1
  the orbit attracts, 1 (to rounding, :func:`kind`) it is neutral (GD on θ²/2 at
  α = 2: every point is on a 2-orbit), above 1 it repels: a run cannot settle there.
* :func:`lyapunov` — the largest Lyapunov exponent estimate over
  :data:`LYAPUNOV_STEPS` steps: the mean log growth of a tangent vector,
  renormalised every step.  Positive while the motion's envelope does not grow with
  it (:func:`aperiodic`): nearby runs separate, the motion is aperiodic (chaotic);
  negative: the run is still contracting toward a limit.
"""

from __future__ import annotations

import numpy as np

from gdlab.methods import PLAIN_GD, Method
from gdlab.stopping import LYAPUNOV_STEPS
from gdlab.theory import APERIODIC, CONVERGED, CYCLE, DIVERGED, MAX_STEPS

# An orbit's multiplier within this many roundings per step of 1 is neutral.
NEUTRAL_ULPS = 16


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


def periods(
    model,
    theta: np.ndarray,
    alpha: np.ndarray,
    cycle_max_period: int,
    rtol: float,
    *,
    method: Method = PLAIN_GD,
    previous: np.ndarray | None = None,
):
    """Per run: the smallest period 2 ≤ p ≤ ``cycle_max_period`` of the orbit through θ
    (the module docstring's test), or 0.  ``previous``: the iterate before θ, for a
    method with memory (its orbit closes on both)."""
    n, _dim = theta.shape
    # orbit[j + 1] is θ_{K+j}; orbit[0] is θ_{K−1}
    orbit = np.empty((2 * cycle_max_period + 2, *theta.shape))
    orbit[0] = theta if previous is None else previous
    orbit[1] = theta
    a = alpha[:, None]
    with np.errstate(all="ignore"):
        for j in range(2, orbit.shape[0]):
            orbit[j] = method.step(model.gradient, orbit[j - 1], orbit[j - 2], a)
        orbit_k, orbit = orbit, orbit[1:]
        # the orbit's own size: how far its first p points reach from θ_K (a run still
        # approaching a fixed point moves about twice its distance from it)
        size = row_norms(orbit[1] - orbit[0])
        found = np.zeros(n, dtype=np.int64)
        for p in range(2, cycle_max_period + 1):
            size = np.maximum(size, row_norms(orbit[p - 1] - orbit[0]))
            closure = np.maximum(row_norms(orbit[p] - orbit[0]), row_norms(orbit[2 * p] - orbit[p]))
            if method.memory:
                closure = np.maximum(closure, row_norms(orbit_k[p] - orbit_k[0]))
            hit = (found == 0) & (closure <= rtol * size) & (size > 0)
            found[hit] = p
    return found


def multipliers(model, theta, previous, alpha, period, *, method: Method = PLAIN_GD):
    """Per run: the spectral radius of the derivative of ``period`` steps of ``method``
    along its orbit from θ = ``theta`` (``previous``: θ_{K−1}), on the method's state
    (θ, and θ_{k−1} for a method with memory; None: θ itself); NaN where ``period``
    is 0."""
    n, dim = theta.shape
    previous = theta if previous is None else previous
    size = dim * (1 + method.memory)  # the state's dimension
    out = np.full(n, np.nan)
    with np.errstate(all="ignore"):
        for p in np.unique(period[period > 0]):
            rows = np.flatnonzero(period == p)
            # one copy of each run per basis vector of its state
            copies = np.repeat(rows, size)
            block = model.take(copies)
            x, x_before = theta[copies], previous[copies]
            a = np.asarray(alpha, dtype=float)[copies][:, None]
            basis = np.tile(np.eye(size), (rows.size, 1))
            v, v_before = basis[:, :dim], basis[:, dim:] if method.memory else None
            for _ in range(int(p)):
                v_next = method.tangent(block.hessian_vector, x, x_before, a, v, v_before)
                x, x_before = method.step(block.gradient, x, x_before, a), x
                v, v_before = v_next, v
            state = v if not method.memory else np.hstack([v, v_before])
            # row j of a run's block is the image of basis vector j: a column of M
            monodromy = state.reshape(rows.size, size, size).transpose(0, 2, 1)
            finite = np.isfinite(monodromy).all(axis=(1, 2))
            radius = np.full(rows.size, np.nan)
            if finite.any():
                radius[finite] = np.abs(np.linalg.eigvals(monodromy[finite])).max(axis=1)
            out[rows] = radius
    return out


def kind(multiplier: float, period: int) -> str:
    """``attracting``, ``neutral`` or ``repelling``: an orbit's multiplier against 1,
    neutral within :data:`NEUTRAL_ULPS` roundings per step (a linear map at its
    threshold: |1 − αλ| = 1 exactly in exact arithmetic)."""
    band = NEUTRAL_ULPS * max(int(period), 1) * np.finfo(float).eps
    if abs(multiplier - 1.0) <= band:
        return "neutral"
    return "attracting" if multiplier < 1.0 else "repelling"


def lyapunov(
    model, theta, previous, alpha, *, method: Method = PLAIN_GD, steps: int = LYAPUNOV_STEPS
) -> tuple[np.ndarray, np.ndarray]:
    """Per run, over ``steps`` steps from θ = ``theta``: the mean log growth per step of
    a tangent vector (renormalised every step), the largest Lyapunov exponent's
    estimate; and the growth per step of the motion's envelope, (2/steps)·log(M₂/M₁)
    with M₁, M₂ the largest distance to the optimum (‖θ‖ where that is unknown) over
    the first and the second half.  A diverging run separates from its neighbours as
    fast as it grows (both equal log|1 − αλ| on a linear map); an aperiodic motion
    separates while its envelope stays put (:func:`aperiodic`).  NaN where the run
    leaves the floats; an exponent of −inf where the tangent vanishes (a step through
    a point where the map's derivative is singular).

    A method with memory first carries the tangent ``steps`` steps unmeasured: its
    companion matrix is far from normal near a threshold (its two eigenvalues, −1 and
    −β at heavy ball's, have nearly parallel eigenvectors), and the transient growth of
    a tangent started off the slowest mode would outweigh a contraction of 10⁻³ per
    step over ``steps`` steps (heavy ball, β = 0.9, 5·10⁻⁵ below its threshold: an
    estimate of +0.001 for an exponent of −0.0019).  Plain GD's numbers are those of
    ``steps`` steps from θ."""
    n, dim = theta.shape
    if method.memory:  # the burn-in: continue the run and its tangent, unmeasured
        theta, previous, v0 = _carry(model, theta, previous, alpha, method, steps)
    else:
        v0 = None
    a = np.asarray(alpha, dtype=float)[:, None]
    x, x_before = theta.copy(), previous.copy()
    v = np.full((n, dim), 1.0 / np.sqrt(dim * (1 + method.memory)))
    v_before = v.copy() if method.memory else None
    if v0 is not None:
        v, v_before = v0
    total, envelope = np.zeros(n), np.zeros((2, n))
    with np.errstate(all="ignore"):
        for j in range(steps):
            v_next = method.tangent(model.hessian_vector, x, x_before, a, v, v_before)
            x, x_before = method.step(model.gradient, x, x_before, a), x
            v, v_before = v_next, v
            size = model.dist(x)
            size = np.where(np.isnan(size), row_norms(x), size)
            half = envelope[0 if 2 * j < steps else 1]
            np.fmax(half, np.where(np.isfinite(size), size, np.nan), out=half)
            state = v if not method.memory else np.hstack([v, v_before])
            growth = row_norms(state)
            total += np.log(growth)
            scale = np.where(growth > 0, growth, 1.0)[:, None]
            v = v / scale
            if method.memory:
                v_before = v_before / scale
        exponent = total / steps
        spread = 2.0 * np.log(envelope[1] / envelope[0]) / steps
    left = ~np.isfinite(x).all(axis=1)
    exponent[left], spread[left] = np.nan, np.nan
    return exponent, spread


def _carry(model, theta, previous, alpha, method: Method, steps: int):
    """``steps`` steps of a method with memory and of its tangent (renormalised every
    step), from the tangent (1, …, 1) on the whole state: the run's state and the
    tangent's (v, v_before) after them."""
    n, dim = theta.shape
    a = np.asarray(alpha, dtype=float)[:, None]
    x, x_before = theta.copy(), previous.copy()
    v = np.full((n, dim), 1.0 / np.sqrt(2 * dim))
    v_before = v.copy()
    with np.errstate(all="ignore"):
        for _ in range(steps):
            v_next = method.tangent(model.hessian_vector, x, x_before, a, v, v_before)
            x, x_before = method.step(model.gradient, x, x_before, a), x
            v, v_before = v_next, v
            growth = row_norms(np.hstack([v, v_before]))
            scale = np.where(growth > 0, growth, 1.0)[:, None]
            v, v_before = v / scale, v_before / scale
    return x, x_before, (v, v_before)


def aperiodic(exponent: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Which runs move aperiodically: nearby runs separate (a positive exponent) while
    the motion itself does not grow with them (its envelope grows at less than half
    that rate; a diverging run's grows at the full rate)."""
    with np.errstate(invalid="ignore"):
        return (exponent > 0) & (spread < exponent / 2)


def settle(model, block, alpha, cycle_max_period: int, cycle_rtol: float, method):
    """Every run's outcome after :func:`gdlab.descent.descend` stopped it (``block``: its
    codes, 0 diverged, 1 converged, 2 out of steps, and last iterates), with what a run
    that used up its budget settled on: a ``cycle`` (its period and its orbit's multiplier) or an
    ``aperiodic`` motion (a positive Lyapunov exponent), else ``max_steps`` (its
    exponent estimate too).  Returns (outcome, period, multiplier, exponent), NaN (0
    for the period) where they do not apply."""
    outcome = np.array([DIVERGED, CONVERGED, MAX_STEPS], dtype=object)[block.outcome]
    n = outcome.size
    period = np.zeros(n, dtype=np.int64)
    multiplier, exponent = np.full(n, np.nan), np.full(n, np.nan)
    previous = block.final_previous if method.memory else block.final
    budget = np.flatnonzero(outcome == MAX_STEPS)
    if budget.size and cycle_max_period >= 2:
        period[budget] = periods(
            model.take(budget),
            block.final[budget],
            alpha[budget],
            cycle_max_period,
            cycle_rtol,
            method=method,
            previous=block.final_previous[budget],
        )
    on_orbit = np.flatnonzero(period > 0)
    if on_orbit.size:
        outcome[on_orbit] = CYCLE
        multiplier[on_orbit] = multipliers(
            model.take(on_orbit),
            block.final[on_orbit],
            previous[on_orbit],
            alpha[on_orbit],
            period[on_orbit],
            method=method,
        )
    still = np.flatnonzero(outcome == MAX_STEPS)
    if still.size:
        exponent[still], spread = lyapunov(
            model.take(still), block.final[still], previous[still], alpha[still], method=method
        )
        outcome[still[aperiodic(exponent[still], spread)]] = APERIODIC
    return outcome.tolist(), period, multiplier, exponent
