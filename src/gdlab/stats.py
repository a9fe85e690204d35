"""Intervals on shares: how far a share of n runs may be from the probability it estimates.

The Wilson score interval (Wilson 1927) for k successes in n trials: unlike the
normal approximation p ± z√(p(1−p)/n), it stays inside [0, 1] and does not
shrink to a point at k = 0 or k = n, so a share of 0/50 or 50/50 still has an
honest width.  z = 1.959964 gives 95 % coverage.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the 97.5 % quantile of the standard normal


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """(lo, hi) of the Wilson score interval of k/n; (nan, nan) for n = 0."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)  # exactly 0 (1), not 1e-17 off
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi
