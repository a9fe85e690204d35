"""Boundary counts and their dimension, from the outcomes of one setup's runs.

numB(j), j = 0…k: among the 2^j + 1 step sizes α_{i·2^(k−j)}, the number of
neighbours whose outcomes differ.  Refining the grid keeps every coarse pair of
different neighbours a pair with at least one change in between, so numB(j) never
decreases with j.  The box-counting dimension is the least-squares slope of
log₂ numB(j) against j over the j where numB(j) > 1 (from the first such j to k).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gdlab.problems.fractal.setups import Setup


def diverged_axis(runs: pd.DataFrame, s: Setup, setting: str) -> np.ndarray:
    """The outcomes of one setup's runs (one row each) as a boolean array over
    i = 0…2^k (True: diverged); raises ValueError naming what is missing or repeated."""
    index = runs["seed"].to_numpy(dtype=np.int64)
    if index.size != s.runs or not np.array_equal(np.sort(index), np.arange(s.runs)):
        seen = np.bincount(index[(index >= 0) & (index < s.runs)], minlength=s.runs)
        missing, twice = int((seen == 0).sum()), int((seen > 1).sum())
        raise ValueError(
            f"{setting}: {index.size} runs for 2^{s.k} + 1 = {s.runs} step sizes ({missing} "
            f"α indices missing, {twice} repeated, {int(((index < 0) | (index >= s.runs)).sum())} "
            "outside 0…2^k)"
        )
    out = np.zeros(s.runs, dtype=bool)
    out[index] = runs["outcome"].to_numpy() == "diverged"
    return out


def counts(diverged: np.ndarray, k: int) -> np.ndarray:
    """numB(j) for j = 0…k of outcomes over 2^k + 1 step sizes."""
    if diverged.size != 2**k + 1:
        raise ValueError(f"{diverged.size} outcomes, not 2^{k} + 1")
    out = np.empty(k + 1, dtype=np.int64)
    for j in range(k + 1):
        sub = diverged[:: 2 ** (k - j)]
        out[j] = int(np.count_nonzero(sub[1:] != sub[:-1]))
    return out


def dimension(numb: np.ndarray) -> dict:
    """The slope of log₂ numB(j) against j over j_min…k, where j_min is the first j
    from which numB(j) > 1 to the end, its standard error and the range (NaN and
    None where fewer than two j qualify)."""
    k = numb.size - 1
    above = numb > 1
    j_min = k + 1
    while j_min > 0 and above[j_min - 1]:
        j_min -= 1
    j = np.arange(j_min, k + 1)
    out = {"dimension": math.nan, "dimension_se": math.nan, "j_min": None, "j_max": None}
    if j.size < 2:
        return out
    y = np.log2(numb[j].astype(float))
    jc = j - j.mean()
    slope = float((jc * (y - y.mean())).sum() / (jc * jc).sum())
    resid = y - (y.mean() + slope * jc)
    se = (
        math.sqrt(float((resid * resid).sum()) / (j.size - 2) / float((jc * jc).sum()))
        if j.size > 2
        else math.nan
    )
    return {"dimension": slope, "dimension_se": se, "j_min": int(j_min), "j_max": int(k)}


def alpha_star(x0: float, loss_bound: float, max_steps: int) -> float:
    """δ = 0: f = x², x_n = (1 − 2α)^n x₀, so a run passes the bound within the budget
    iff (2α − 1)^steps |x₀| > √bound: α* = (1 + (√bound/|x₀|)^(1/steps))/2."""
    return (1 + (math.sqrt(loss_bound) / abs(x0)) ** (1 / max_steps)) / 2


def boundaries(diverged: np.ndarray, s: Setup) -> list[tuple[float, float]]:
    """The brackets [α_i, α_{i+1}] of every outcome change at the finest resolution."""
    i = np.flatnonzero(diverged[1:] != diverged[:-1])
    return [(float(s.alpha(a)), float(s.alpha(a + 1))) for a in i.tolist()]
