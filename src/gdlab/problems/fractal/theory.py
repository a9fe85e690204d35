"""The theory of ``fractal``, one row of its table per setup.

With δ = 0 both forms are f = x²: GD gives x_n = (1 − 2α)^n x₀, which passes the loss
bound within the budget iff α > α* = (1 + (√bound/|x₀|)^(1/steps))/2 (≈ 1.004626 for
x₀ = 1, bound 1e8, 1000 steps): exactly one boundary, between the two grid points
around α*.  With δ > 0 no closed form: the row reports numB(k) and the dimension,
and agrees when numB(j) never decreases with j (a property of any count).
"""

from __future__ import annotations

import math

import pandas as pd

from gdlab.problems.fractal import boundary
from gdlab.problems.fractal.numerics import setup_of

threshold = None


def predict(value) -> None:
    return None  # the outcome changes along a setup's own α axis, not between setups


def flat_agrees(diverged, s, star: float) -> bool:
    """δ = 0: one boundary, its bracket [α_i, α_{i+1}] holding α*."""
    found = boundary.boundaries(diverged, s)
    return len(found) == 1 and found[0][0] <= star <= found[0][1]


def table_row(value: str, runs: pd.DataFrame, rows, context: dict) -> dict:
    settings = context["settings"]
    s = setup_of(settings, value)
    diverged = boundary.diverged_axis(runs, s, value)
    numb = boundary.counts(diverged, s.k)
    row = {
        "form": s.form,
        "delta": s.delta,
        "wavelength": s.wavelength,
        "x0": s.x0,
        "k": s.k,
        "diverged": int(diverged.sum()),
        "max_steps": int(diverged.size - diverged.sum()),
        "numB": int(numb[-1]),
        **boundary.dimension(numb),
        "alpha_star": math.nan,
    }
    monotone = bool((numb[1:] >= numb[:-1]).all())
    if s.delta == 0:
        star = boundary.alpha_star(s.x0, settings["loss_bound"], settings["max_steps"])
        row["alpha_star"] = star
        row["prediction"] = f"one boundary, at α* = {star:.9g}"
        row["agrees"] = monotone and flat_agrees(diverged, s, star)
    else:
        row["prediction"] = "numB(j) never decreases with j"
        row["agrees"] = monotone
    return row
