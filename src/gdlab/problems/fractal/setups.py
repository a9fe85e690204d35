"""The setups of ``fractal``, from its config section: pure Python (read at parse time).

A setup is one objective and start, f(x) = x² + δ·cos(2πx/λ) (``additive``) or
x²·(1 + δ·cos(2πx/λ)) (``multiplicative``) from x₀, on the step-size axis
α_i = i·1.5/2^k, i = 0…2^k.  ``setups`` names single setups; each entry of ``grids``
is a (δ, λ) grid of them, named ``<grid>-d<i>-w<j>`` (δ_i and λ_j evenly spaced
from ``min`` to ``max``, both included, as ``numpy.linspace`` spaces them).
"""

from __future__ import annotations

from dataclasses import dataclass

FORMS = ("additive", "multiplicative")
ALPHA_MAX = 1.5  # the step-size axis is [0, ALPHA_MAX]


@dataclass(frozen=True)
class Setup:
    form: str
    delta: float
    wavelength: float
    x0: float
    k: int

    @property
    def runs(self) -> int:
        """2^k + 1 step sizes α_i = i·1.5/2^k, i = 0…2^k."""
        return 2**self.k + 1

    def alpha(self, i):
        """α_i = i·1.5/2^k (exact in floating point: a power-of-two division)."""
        return i * ALPHA_MAX / 2**self.k


def linspace(lo: float, hi: float, count: int) -> list[float]:
    """``numpy.linspace(lo, hi, count)``'s values, in pure Python: lo + i·step, the last
    exactly hi."""
    if count == 1:
        return [float(lo)]
    step = (hi - lo) / (count - 1)
    return [float(i * step + lo) for i in range(count - 1)] + [float(hi)]


def _setup(entry: dict, delta: float, wavelength: float) -> Setup:
    return Setup(entry["form"], float(delta), float(wavelength), float(entry["x0"]), entry["k"])


def named(section: dict) -> dict[str, Setup]:
    """Every setup of the section, by name: the single ones, then each grid's, δ-major."""
    out = {n: _setup(e, e["delta"], e["wavelength"]) for n, e in section["setups"].items()}
    for name, g in (section.get("grids") or {}).items():
        deltas = linspace(g["delta"]["min"], g["delta"]["max"], g["delta"]["count"])
        lambdas = linspace(g["wavelength"]["min"], g["wavelength"]["max"], g["wavelength"]["count"])
        for i, d in enumerate(deltas):
            for j, w in enumerate(lambdas):
                out[f"{name}-d{i}-w{j}"] = _setup(g, d, w)
    return out


def points(section: dict) -> dict[str, int]:
    """``SPEC.points``: each setup's name and its runs, 2^k + 1."""
    return {name: s.runs for name, s in named(section).items()}
