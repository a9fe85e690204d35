"""The numerics of ``sharp_wide``: which minimum GD finds, a block of starts at one α.

f(x) = s(x)·10x² + (1 − s(x))·(½(x − 10)² + 50),  s(x) = 1/(1 + e^{3(x−3)}).

f has a sharp local minimum near 0 (f'' ≈ 20.1), a local maximum near 3.18 and
a wide minimum near 10 (f'' ≈ 1).  GD is linearly stable at a minimum x* iff
α < 2/f''(x*): small α can end in either minimum, 0.0995 < α < 2 only in the
wide one, and α > 2 in neither.

f and f' are evaluated without overflow for every finite x: the logistic and
its derivative s' = −3 s(1 − s) come from e^{−|z|} (never e^{+|z|}), and the
terms whose weight underflows to exactly 0 are not multiplied by x² (which
would overflow to inf and give 0·inf = NaN).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from gdlab import descent, seeding

NAME = "sharp_wide"
_SHARPNESS = 3.0  # the logistic's slope
_CENTER = 3.0
_CLIP = 300.0  # beyond |x| = 300, s(1 − s) = e^{-|z|}/(1+e^{-|z|})² underflows to exactly 0


def logistic(x):
    """s(x) = 1/(1 + e^{3(x−3)}) and 1 − s(x), both from e^{−|z|} (no overflow)."""
    s, one_minus_s, e, _ = _logistic(np.asarray(x, dtype=float))
    return s, one_minus_s, e


def _clip(x, bound):
    # np.clip's Python wrapper costs more than the arithmetic on a block of runs
    return np.minimum(np.maximum(x, -bound), bound)


def _logistic(x):
    """s, 1 − s, e^{−|z|} and 1 + e^{−|z|} (each computed once: fprime runs every step)."""
    # clipping leaves s unchanged (it is exactly 0 or 1 far beyond ±1e3) and keeps 3x finite
    z = _SHARPNESS * (_clip(x, 1e6) - _CENTER)
    e = np.exp(-np.abs(z))
    one_plus_e = 1.0 + e
    ratio, inverse = e / one_plus_e, 1.0 / one_plus_e
    positive = z > 0
    return np.where(positive, ratio, inverse), np.where(positive, inverse, ratio), e, one_plus_e


def _wide(x):
    return 0.5 * (x - 10.0) ** 2 + 50.0


def f(x):
    x = np.asarray(x, dtype=float)
    s, one_minus_s, _ = logistic(x)
    with np.errstate(over="ignore", invalid="ignore"):
        sharp = np.where(s > 0, s * 10.0 * x**2, 0.0)
        wide = np.where(one_minus_s > 0, one_minus_s * _wide(x), 0.0)
    return sharp + wide


def fprime(x):
    """f'(x) = s'(x)(10x² − w(x)) + s(x)·20x + (1 − s(x))(x − 10), w the wide branch.

    The operations of :func:`_logistic` and :func:`_wide`, in place (it runs every
    step, on every run of a block): the same operations on the same operands in the
    same order (down to which NaN a NaN input gives), fewer temporaries."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        return fprime(x[None])[0]
    z = np.maximum(x, -1e6)
    np.minimum(z, 1e6, out=z)
    z -= _CENTER
    np.multiply(_SHARPNESS, z, out=z)  # z = 3(x − 3), clipped as in _logistic
    positive = z > 0
    e = np.abs(z, out=z)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e^{−|z|}
    one_plus_e = np.add(1.0, e)
    ratio = e / one_plus_e
    inverse = np.divide(1.0, one_plus_e)
    s = np.where(positive, ratio, inverse)
    one_minus_s = ratio
    np.copyto(one_minus_s, inverse, where=positive)
    ds = np.multiply(-_SHARPNESS, e, out=e)  # s' = −3 s(1 − s) = −3e/(1 + e)²
    np.multiply(one_plus_e, one_plus_e, out=one_plus_e)
    ds /= one_plus_e
    xc = np.maximum(x, -_CLIP)  # ds is exactly 0 outside the clip range
    np.minimum(xc, _CLIP, out=xc)
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.multiply(xc, xc, out=inverse)
        np.multiply(10.0, out, out=out)
        wide = np.subtract(xc, 10.0, out=xc)  # _wide(xc) = ½(xc − 10)² + 50
        wide *= wide
        np.multiply(0.5, wide, out=wide)
        wide += 50.0
        out -= wide
        np.multiply(ds, out, out=out)
        s *= 20.0
        s *= x
        out += s
        right = np.subtract(x, 10.0, out=s)
        np.multiply(one_minus_s, right, out=right)
        out += right
    return out


def fsecond(x, h: float = 1e-5):
    """f''(x) by a central difference of f' (error ~1e-9, ample for 2/f'')."""
    return (fprime(x + h) - fprime(x - h)) / (2 * h)


def _bisect(lo: float, hi: float) -> float:
    flo = fprime(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        fm = fprime(mid)
        if fm == 0 or hi - lo <= 1e-15 * max(1.0, abs(mid)):
            return float(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return float(0.5 * (lo + hi))


@cache
def critical_points() -> dict[str, tuple[float, float]]:
    """name -> (x*, f''(x*)) for the sharp minimum, the local maximum and the wide
    minimum, found by bisection on f' in brackets where f' changes sign."""
    brackets = {"sharp": (-1.0, 1.0), "maximum": (2.5, 4.0), "wide": (9.0, 11.0)}
    out = {}
    for name, (lo, hi) in brackets.items():
        x = _bisect(lo, hi)
        out[name] = (x, float(fsecond(x)))
    return out


def thresholds() -> dict[str, float]:
    """α above which GD cannot converge to each minimum: 2/f''(x*)."""
    cp = critical_points()
    return {name: 2.0 / cp[name][1] for name in ("sharp", "wide")}


@cache
def alpha_monotone() -> float:
    """1/max f'': at or below it the GD map x − αf'(x) is non-decreasing (T' ≥ 0), so
    a bounded run converges to a fixed point, monotonically: no orbit, no aperiodic
    motion.  f'' is 20 left of the logistic's step and 1 right of it; its largest
    value is on the step, found on a grid of [−10, 20] (step 1e-4) and refined by
    golden-section search."""
    grid = np.linspace(-10.0, 20.0, 300_001)
    i = int(np.argmax(fsecond(grid)))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(80):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if fsecond(np.array([a]))[0] > fsecond(np.array([b]))[0]:
            hi = b
        else:
            lo = a
    return float(1.0 / fsecond(np.array([0.5 * (lo + hi)]))[0])


def reachable(alpha: float) -> list[str]:
    """The minima at which GD with step α is linearly stable (α·f''(x*) < 2)."""
    return [name for name, a in thresholds().items() if alpha < a]


def nearest(x: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The critical points' names and, for each x, the index of the one nearest it."""
    cp = critical_points()
    names = list(cp)
    centres = np.array([cp[n][0] for n in names])
    return names, np.argmin(np.abs(np.asarray(x)[:, None] - centres[None, :]), axis=1)


def classify(x: np.ndarray) -> list[str]:
    """The critical point nearest to each x."""
    names, index = nearest(x)
    return np.array(names, dtype=object)[index].tolist()


@dataclass
class Model:
    def gradient(self, theta):
        return fprime(theta)

    def loss(self, theta):
        return f(theta[:, 0])

    def dist(self, theta):
        """min(|x − x_sharp|, |x − x_wide|), in two buffers (it runs on a whole chunk of
        iterates at once: each temporary of that size is memory traffic)."""
        cp = critical_points()
        x = theta[..., 0]
        to_sharp = np.subtract(x, cp["sharp"][0])
        np.abs(to_sharp, out=to_sharp)
        to_wide = np.subtract(x, cp["wide"][0])
        np.abs(to_wide, out=to_wide)
        return np.minimum(to_sharp, to_wide, out=to_sharp)

    def take(self, rows):
        return self

    def hessian_vector(self, theta, v):
        return fsecond(theta) * v


def data_process(settings: dict, value=None) -> dict:
    """How one seed's data are drawn (:func:`gdlab.seeding.process`)."""
    lo, hi = settings["start_interval"]
    return seeding.process("SeedSequence", ("x_0", "uniform", {"low": lo, "high": hi}))


def initial_points(settings: dict, seeds) -> np.ndarray:
    """x_0 ~ Uniform[lo, hi) of every seed (the homework: [−5, 20)), all seeds at once."""
    return seeding.draw_block(data_process(settings), NAME, seeds, settings["root_seed"])["x_0"]


def run(settings: dict, alpha: float, seeds: list[int], traced: int | None = None) -> dict:
    x0 = initial_points(settings, seeds)[:, None]
    trace, cols = descent.run_block(Model(), x0, alpha, seeds, settings, scalar=True, traced=traced)
    names, found = nearest(trace.final_theta[:, 0])
    # the minimum a converged run reached (NULL for a run that reached none) and the
    # local theory there, f''(x*), both picked per run by index
    cp = critical_points()
    reached = np.asarray(trace.outcome, dtype=object) == descent.CONVERGED  # no str copy
    minimum = np.where(reached, np.array(names, dtype=object)[found], None)
    curvature = np.where(reached, np.array([cp[n][1] for n in names])[found], np.nan)
    with np.errstate(over="ignore", invalid="ignore"):  # α near the float limit
        rate = np.abs(1.0 - alpha * curvature)
    cols["minimum"] = minimum[trace.run].tolist()
    cols["rate_theory"] = rate[trace.run]
    cols["alpha_critical"] = (2.0 / curvature)[trace.run]
    return cols


def sharp_basin_share(interval) -> float:
    """Share of x_0 ~ Uniform[lo, hi) left of the local maximum: the share of
    starts that gradient flow (GD with α → 0) takes to the sharp minimum."""
    lo, hi = interval
    x_max = critical_points()["maximum"][0]
    return float(min(max((x_max - lo) / (hi - lo), 0.0), 1.0))
