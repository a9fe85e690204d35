"""The stability threshold of a minimum, measured by bisection (docs/thresholds.md).

A problem's threshold experiment (``SPEC.thresholds``) returns its :class:`Cases`:
one per minimum or seed, each with a minimum x*, the theory's critical step size
α* = 2/λ_max(∇²f(x*)) and the problem's own gradient (the one its solver runs),
stacked over the cases.  :func:`bisect` then narrows, for every case at once, a
bracket [lo, hi] with GD stable at lo and unstable at hi until (hi − lo)/hi < rtol.

Stable or unstable is decided by :func:`growth`: a perturbation e of x*, of a fixed
small amplitude, is mapped by the GD map x ↦ x − α∇f(x) at x* + e and renormalised
to that amplitude after every step, for ``window`` steps; the geometric mean of the
growth factors ‖e_{k+1}‖/‖e_k‖ over the second half of the window is the measured
growth per step, and α is unstable iff it is > 1.  Near x*, GD is the linear map
e ↦ (I − α∇²f(x*))e, so that growth tends to the spectral radius max|1 − αλ|
(over the eigenvalues the perturbation excites), which crosses 1 exactly at
α = 2/λ_max.  Nothing here knows a problem: everything comes from the cases.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gdlab.methods import GD, Method

# The perturbation's amplitude, relative to max(1, ‖x*‖): small enough that the
# map is linear to ~1e-12 where f is smooth, large enough that rounding in
# x* + e and in the gradient (~1e-16 ‖x*‖) is ~1e-10 of it.
AMPLITUDE = 1e-6
# Midpoints per case at most: 200 halvings take any bracket of floats below 1e-60.
MAX_BISECTIONS = 200


# The columns of a problem's thresholds CSV (gdlab.threshold_table says what they mean).
COLUMNS = (
    "problem",
    "case",
    "method",
    "beta",
    "theory",
    "lo",
    "hi",
    "rel_width",
    "agrees",
    "axis",
    "unit",
    "theory_axis",
    "lo_axis",
    "hi_axis",
    "growth_lo",
    "growth_hi",
    "bisections",
    "rtol",
    "window",
)


class BracketError(ValueError):
    """The bracket does not straddle a case's threshold (the message says which end)."""


class TheoryError(ValueError):
    """A case's theory is no critical step: not a positive finite number (its Hessian's
    largest eigenvalue overflowed, or is not positive)."""


@dataclass
class Cases:
    """The cases of one problem's threshold experiment.

    * ``names`` — one label per case (``minimum=sharp``, ``seed=3``);
    * ``model`` — has ``gradient(theta)``, row-wise over the cases (theta: (cases, d)):
      the problem's own gradient, so the map measured is the GD its solver runs;
    * ``x_star`` — (cases, d) the minima;
    * ``theory`` — (cases,) the theory's critical step size 2/λ_max(∇²f(x*));
    * ``unit`` — (cases,) the step size of one unit of the bracket's axis (1 where
      the bracket is in α; 2/ρ(XᵀX) where it is in c = α·ρ(XᵀX)/2);
    * ``direction`` — (cases, d) the perturbation's first direction (None: a fixed
      pseudo-random one), e.g. inside the subspace the iterates move in;
    * ``method`` — the iteration whose stability is measured (:mod:`gdlab.methods`;
      plain GD by default; a problem measuring several returns one group of cases
      each, :mod:`gdlab.jobs.threshold`).
    """

    names: list[str]
    model: object
    x_star: np.ndarray
    theory: np.ndarray
    unit: np.ndarray | float = 1.0
    direction: np.ndarray | None = None
    method: Method = field(default_factory=GD)

    def __post_init__(self):
        self.x_star = np.asarray(self.x_star, dtype=float)
        self.theory = np.asarray(self.theory, dtype=float)
        n = len(self.names)
        if self.x_star.ndim != 2 or self.x_star.shape[0] != n or self.theory.shape != (n,):
            raise ValueError(
                f"{n} case names, x_star of shape {self.x_star.shape}, theory of shape "
                f"{self.theory.shape}: expected (cases, d) and (cases,)"
            )
        self.unit = np.broadcast_to(np.asarray(self.unit, dtype=float), (n,)).copy()
        if self.direction is None:
            rng = np.random.default_rng(20240309)  # fixed: the same numbers on every run
            self.direction = rng.standard_normal(self.x_star.shape)
        self.direction = np.asarray(self.direction, dtype=float)


def _norms(a: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", a, a))


def growth(
    cases: Cases, alpha: np.ndarray, window: int, direction: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per case: the geometric mean growth per step of a perturbation of x* under the
    cases' method with step ``alpha`` (cases,), over steps ⌊window/2⌋ … window − 1 of
    ``window`` steps, renormalised after every step; and the perturbation's last
    direction.

    The perturbation starts along ``direction`` (default: the cases' own).  Its growth
    is 0 where a step maps it exactly onto x*, inf where it leaves the floats.  For a
    method with memory the perturbation is of its state (θ_k, θ_{k−1}): (cases, 2d),
    and a direction of shape (cases, d) starts it at (e, e)."""
    x_star, method = cases.x_star, cases.method
    dim = x_star.shape[1]
    alpha = np.asarray(alpha, dtype=float)[:, None]
    amp = AMPLITUDE * np.maximum(1.0, _norms(x_star))
    d = cases.direction if direction is None else direction
    if method.memory and d.shape[1] == dim:
        d = np.concatenate([d, d], axis=1)
    e = d * (amp / _norms(d))[:, None]
    start = window // 2
    log_sum = np.zeros(len(x_star))
    with np.errstate(all="ignore"):
        for k in range(window):
            now = e[:, :dim] if method.memory else e
            x = x_star + now
            previous = x_star + e[:, dim:] if method.memory else x  # GD reads no θ_{k−1}
            step = method.step(cases.model.gradient, x, previous, alpha) - x_star
            if method.memory:
                step = np.concatenate([step, now], axis=1)
            n = _norms(step)
            ok = np.isfinite(n) & (n > 0)
            if k >= start:
                log_sum += np.where(ok, np.log(n / amp), np.where(n == 0, -np.inf, np.inf))
            e = np.where(ok[:, None], step * (amp / np.where(ok, n, 1.0))[:, None], e)
    return np.exp(log_sum / (window - start)), e


def unstable(
    cases: Cases, alpha: np.ndarray, window: int, direction: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unstable?, growth, last direction) per case: unstable iff the growth is > 1."""
    g, e = growth(cases, alpha, window, direction)
    return ~(g <= 1.0), g, e  # NaN (never expected) counts as unstable


def _check_theory(cases: Cases) -> None:
    """Raise :class:`TheoryError` unless every case's critical step is finite and positive."""
    bad = np.flatnonzero(~(np.isfinite(cases.theory) & (cases.theory > 0)))
    if bad.size:
        i = int(bad[0])
        raise TheoryError(
            f"the theory's critical step of {cases.names[i]} is {float(cases.theory[i])!r} "
            f"({bad.size} of {len(cases.names)} cases): 2/λ_max needs λ_max positive and "
            "finite, and this Hessian's is not in floating point"
        )


def bisect(cases: Cases, bracket: tuple[float, float], rtol: float, window: int) -> dict:
    """Bisect every case's threshold in ``bracket`` (in units of the cases' axis) until
    (hi − lo)/hi < ``rtol``; raise :class:`BracketError` unless GD is stable at lo and
    unstable at hi for every case.  Returns columns (one entry per case): ``lo``,
    ``hi`` and ``theory`` in α, the bracket in the axis' units (``lo_axis``,
    ``hi_axis``, ``theory_axis``), ``unit``, ``rel_width``, the measured growth at
    both ends (``growth_lo``, ``growth_hi``), ``bisections`` and ``agrees``
    (lo ≤ theory ≤ hi)."""
    _check_theory(cases)
    lo_b, hi_b = map(float, bracket)
    if not 0 < lo_b < hi_b:
        raise BracketError(f"[{lo_b!r}, {hi_b!r}] is not an interval 0 < lo < hi")
    n = len(cases.names)
    units = cases.unit
    lo, hi = np.full(n, lo_b), np.full(n, hi_b)
    # Every decision starts from the perturbation's last direction at the current hi:
    # there (α above the threshold) the mode of λ_max outgrows all others, so the
    # power iteration that makes it dominate accumulates over the bisection.
    up_hi, g_hi, e_hi = unstable(cases, hi * units, window)
    bad_lo, g_lo, _ = unstable(cases, lo * units, window, e_hi)
    bad_hi = ~up_hi
    if bad_lo.any() or bad_hi.any():
        i = int(np.flatnonzero(bad_lo | bad_hi)[0])
        end, value, g = ("lo", lo_b, g_lo[i]) if bad_lo[i] else ("hi", hi_b, g_hi[i])
        what = "unstable" if end == "lo" else "stable"
        raise BracketError(
            f"[{lo_b!r}, {hi_b!r}] does not straddle the threshold of {cases.names[i]} "
            f"({int(bad_lo.sum() + bad_hi.sum())} of {n} cases fail): {cases.method.label} "
            f"is {what} at "
            f"{end} = {value!r} (a perturbation of the minimum grows by {g:.6g} per step)"
        )
    count = np.zeros(n, dtype=np.int64)
    active = (hi - lo) / hi >= rtol
    while active.any():
        if count.max() >= MAX_BISECTIONS:
            raise BracketError(f"rtol {rtol!r} was not reached in {MAX_BISECTIONS} bisections")
        mid = np.where(active, 0.5 * (lo + hi), lo)
        up, g, e = unstable(cases, mid * units, window, e_hi)
        move_hi, move_lo = active & up, active & ~up
        e_hi = np.where(move_hi[:, None], e, e_hi)
        hi, g_hi = np.where(move_hi, mid, hi), np.where(move_hi, g, g_hi)
        lo, g_lo = np.where(move_lo, mid, lo), np.where(move_lo, g, g_lo)
        count += active
        active = (hi - lo) / hi >= rtol
    theory = cases.theory
    lo_a, hi_a = lo * units, hi * units
    return {
        "lo": lo_a,
        "hi": hi_a,
        "theory": theory,
        "rel_width": (hi - lo) / hi,
        "agrees": (lo_a <= theory) & (theory <= hi_a),
        "unit": units,
        "lo_axis": lo,
        "hi_axis": hi,
        "theory_axis": theory / units,
        "growth_lo": g_lo,
        "growth_hi": g_hi,
        "bisections": count,
    }


def _cell(value) -> str:
    if isinstance(value, float):
        return repr(value)  # the shortest spelling that reads back exactly
    return str(value)


def write_csv(path: str | Path, rows: list[dict]) -> None:
    """One CSV with the columns :data:`COLUMNS`, in that order (no time, host or path)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for row in rows:
            w.writerow([_cell(row[c]) for c in COLUMNS])
