"""Deterministic random numbers: one generator per (problem, seed).

The generator depends only on stable identifiers (the root seed, the problem's
name and the seed index), never on α, on the block a seed is computed in, or on
the order of the grid, so every α sees the same data and starting point (paired
comparisons) and a seed's numbers do not change when seeds are re-chunked.
"""

from __future__ import annotations

import zlib

import numpy as np


def entropy(problem: str, seed: int, root_seed: int) -> list[int]:
    """The ``SeedSequence`` entropy of one run (recorded in each file's provenance)."""
    return [int(root_seed), zlib.crc32(problem.encode()), int(seed)]


def generator(problem: str, seed: int, root_seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy(problem, seed, root_seed)))


def process(generator: str, *draws: tuple[str, str, dict], then: str = "") -> dict:
    """A data-generating process, as data: which generator (``"SeedSequence"``:
    ``default_rng(SeedSequence(seed_entropy))``; ``"RandomState"``: NumPy's legacy
    ``RandomState(seed)``), then each draw in order as (name, method, keyword
    arguments), and in words what is made of them.  It is what :func:`draw` runs and
    what each result file's metadata states, so a reader can regenerate a run."""
    return {
        "generator": generator,
        "draws": [{"name": n, "method": m, "kwargs": kw} for n, m, kw in draws],
        "then": then,
    }


def draw(data: dict, problem: str, seed: int, root_seed: int) -> dict:
    """Run a :func:`process` for one seed: {name: value} in the order of its draws."""
    if data["generator"] == "RandomState":
        rng = np.random.RandomState(seed)
    else:
        rng = generator(problem, seed, root_seed)
    return {d["name"]: getattr(rng, d["method"])(**d["kwargs"]) for d in data["draws"]}
