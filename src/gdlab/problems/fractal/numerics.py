"""The numerics of ``fractal``: GD on a one-dimensional non-convex function, a block of
step sizes α_i = i·1.5/2^k at once.

f(x) = x² + δ·cos(2πx/λ) (additive) or x²·(1 + δ·cos(2πx/λ)) (multiplicative); GD
x_{n+1} = x_n − α f'(x_n) from x₀ for at most ``max_steps`` steps.  A run diverges at
the first step n ≥ 1 whose loss f(x_n) exceeds ``loss_bound`` (or is not a number);
a run that never does is bounded (outcome ``max_steps``: it used up its budget).  A
diverged run leaves the block at once.  Each operation is written in the order of
the paper's code (arXiv 2406.13971, liuyz0/FractalBoundary), so that only the last
bits of sin and cos can differ from it.

A run is one row, its last step: ``seed`` is its α index i, ``step`` = ``steps`` the
step it diverged at (or the budget), ``loss`` and ``x`` their values there.
"""

from __future__ import annotations

import math

import numpy as np

from gdlab.problems.fractal.setups import Setup, named

TWO_PI = 2 * math.pi
CHUNK = 1 << 14  # runs iterated together: their arrays stay in the CPU's cache


def setup_of(settings: dict, name: str) -> Setup:
    found = named(settings)
    if name not in found:
        raise ValueError(f"no setup {name!r} in problems.fractal (setups: {sorted(found)})")
    return found[name]


def loss(form: str, x, delta: float, wavelength: float):
    """f(x), elementwise."""
    c = np.cos(TWO_PI * x / wavelength)
    return x * x + delta * c if form == "additive" else x * x * (1 + delta * c)


def gradient(form: str, x, delta: float, wavelength: float):
    """f'(x), elementwise."""
    arg = TWO_PI * x / wavelength
    s, c = np.sin(arg), np.cos(arg)
    if form == "additive":
        return 2 * x - TWO_PI * delta * s / wavelength
    return 2 * x * (1 + delta * c) - TWO_PI * (x * x) * delta * s / wavelength


def escape(
    alpha: np.ndarray, s: Setup, max_steps: int, loss_bound: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """GD at each step size of ``alpha`` from ``s.x0``: per run, whether it diverged,
    the step it stopped at, its loss and iterate there.  Runs are independent: a run's
    numbers do not depend on the others in the block (nor on :data:`CHUNK`)."""
    n = alpha.size
    diverged = np.zeros(n, dtype=bool)
    steps = np.full(n, max_steps, dtype=np.int64)
    last_loss, last_x = np.empty(n), np.empty(n)
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        out = _escape_chunk(np.ascontiguousarray(alpha[lo:hi]), s, max_steps, loss_bound)
        diverged[lo:hi], steps[lo:hi], last_loss[lo:hi], last_x[lo:hi] = out
    return diverged, steps, last_loss, last_x


def _escape_chunk(alpha, s: Setup, max_steps: int, loss_bound: float):
    n = alpha.size
    diverged = np.zeros(n, dtype=bool)
    steps = np.full(n, max_steps, dtype=np.int64)
    last_loss, last_x = np.empty(n), np.empty(n)
    live = np.arange(n)  # the runs still in the block
    a = alpha.copy()
    x = np.full(n, s.x0)
    delta, wl, additive = s.delta, s.wavelength, s.form == "additive"
    k_delta = TWO_PI * delta  # 2πδ, as the paper's 2*π*delta
    arg = TWO_PI * x / wl
    cos = np.cos(arg)  # cos(2πx/λ) at the current iterate: its loss and its gradient
    for step in range(1, max_steps + 1):
        sin = np.sin(arg)
        if additive:
            g = 2 * x - k_delta * sin / wl
        else:
            g = 2 * x * (1 + delta * cos) - TWO_PI * (x * x) * delta * sin / wl
        x = x - a * g
        arg = TWO_PI * x / wl
        cos = np.cos(arg)
        f = x * x + delta * cos if additive else x * x * (1 + delta * cos)
        out = ~(f <= loss_bound)  # above the bound, or not a number
        if out.any():
            gone, keep = live[out], ~out
            diverged[gone], steps[gone] = True, step
            last_loss[gone], last_x[gone] = f[out], x[out]
            live, a, x, f = live[keep], a[keep], x[keep], f[keep]
            arg, cos = arg[keep], cos[keep]
            if not live.size:
                break
    last_loss[live], last_x[live] = f, x  # bounded: the loss and iterate of the last step
    return diverged, steps, last_loss, last_x


def data_process(settings: dict, value=None) -> dict:
    """Nothing is drawn: a run is fixed by its setup and its α index."""
    return {
        "generator": None,
        "draws": [],
        "then": "alpha_i = i * 1.5 / 2^k for run (seed) i; x_0, delta, wavelength, form and k "
        "from the setup its setting names (settings.setups, settings.grids)",
    }


def run(settings: dict, name: str, seeds: list[int]) -> dict:
    s = setup_of(settings, name)
    index = np.asarray(seeds, dtype=np.int64)
    if index.size and (index[0] < 0 or index[-1] > 2**s.k):
        raise ValueError(
            f"setup {name}: α indices run from 0 to 2^{s.k}, got {seeds[0]}-{seeds[-1]}"
        )
    alpha = s.alpha(index.astype(np.float64))
    diverged, steps, last_loss, last_x = escape(
        alpha, s, int(settings["max_steps"]), float(settings["loss_bound"])
    )
    return {
        "seed": index,
        "alpha": alpha,
        "step": steps,
        "steps": steps,
        "loss": last_loss,
        "x": last_x,
        "outcome": np.where(diverged, "diverged", "max_steps").tolist(),
    }
