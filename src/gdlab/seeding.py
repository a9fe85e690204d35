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
