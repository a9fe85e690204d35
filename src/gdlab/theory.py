"""The one theory interface every problem offers, and its most common form.

A problem's theory (``SPEC.theory``, resolved by :func:`gdlab.problems.theory`) is
an object or module with

* ``threshold`` — the grid value at which the predicted outcome changes (``None``
  when there is no single one), and ``symbol``, how the grid value is written;
* ``predict(value)`` — the outcome every run at grid value ``value`` must have
  (``"converged"``, ``"diverged"``, ``"cycle"``, ``"max_steps"``), or ``None`` when
  the theory pins down no single outcome there;
* ``table_row(value, runs, rows, context)`` — the problem's own columns of the
  convergence table at ``value``: its numbers, ``prediction`` (what the theory
  says, as text) and ``agrees`` (whether the runs did it).  ``runs`` has one row
  per run (its last iterate), ``rows`` every recorded row at that grid value, and
  ``context`` holds ``settings`` (the problem's config section) and ``checks``
  (its tolerances).

:class:`Threshold` is that interface for the commonest claim, "GD converges below
a critical grid value, diverges above it, and neither at it".  Pure Python at
import (specs build Thresholds at parse time); pandas only inside ``table_row``.
"""

from __future__ import annotations

from dataclasses import dataclass

CONVERGED, DIVERGED, MAX_STEPS, CYCLE = "converged", "diverged", "max_steps", "cycle"
APERIODIC = "aperiodic"


# Contraction factors within this relative distance of the largest are one mode (an
# eigensolver's rounding splits a repeated eigenvalue by far less).
SAME_MODE = 1e-9


def next_rate(factors) -> float:
    """The largest of ``factors`` (|1 − αλ| over the eigenvalues λ of a linear map)
    below the largest one's mode: how fast the next slowest mode of an error fades
    (``rate_theory_next``).  NaN when every factor is the largest's mode (one
    dimension, or a single repeated eigenvalue) or a factor is not finite."""
    values = [float(f) for f in factors]
    if not values or any(v != v or v in (float("inf"), float("-inf")) for v in values):
        return float("nan")
    top = max(values)
    below = [v for v in values if v < top * (1.0 - SAME_MODE)]
    return max(below) if below else float("nan")


class Exact(float):
    """A number whose ``g`` format is exact: ``%g`` where its six digits give the
    number back, else the shortest text that does (so distinct grid values near a
    threshold, c = 0.9999999 and 1.0000001, never read the same)."""

    def __format__(self, spec: str) -> str:
        text = format(float(self), spec)
        if spec == "g" and float(text) != float(self):
            return repr(float(self))
        return text


def relation(value: float, critical: float) -> str:
    return "<" if value < critical else "=" if value == critical else ">"


@dataclass(frozen=True)
class Threshold:
    """GD converges iff the grid value is below ``critical`` (in the grid's own units,
    written ``symbol``), diverges above it and, at it, settles on a periodic orbit
    (``at``: the step size puts an eigenvalue of the iteration at exactly −1).

    ``prediction`` is the table's text; its fields are ``outcome``, ``symbol``,
    ``relation`` (<, = or >), ``value`` and ``critical`` (:class:`Exact`: ``{value:g}``
    never rounds two grid values to one text)."""

    critical: float
    symbol: str = "α"
    at: str = CYCLE
    prediction: str = "{outcome} ({symbol} {relation} {critical:g})"

    @property
    def threshold(self) -> float:
        return self.critical

    def predict(self, value: float) -> str:
        if value < self.critical:
            return CONVERGED
        if value > self.critical:
            return DIVERGED
        return self.at

    def describe(self, value: float) -> str:
        return self.prediction.format(
            outcome=self.predict(value),
            symbol=self.symbol,
            relation=relation(value, self.critical),
            value=Exact(value),
            critical=Exact(self.critical),
        )

    def table_row(self, value: float, runs, rows, context: dict) -> dict:
        return {
            "prediction": self.describe(value),
            "agrees": bool((runs["outcome"] == self.predict(value)).all()),
        }
