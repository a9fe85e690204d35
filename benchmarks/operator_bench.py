"""``conv_huber``'s operator A and its transpose: matrix-free vs dense vs a naive loop.

For each n and r: the time per application of

* ``matrix-free``: :func:`gdlab.problems.conv_huber.numerics.apply` / ``apply_transpose``
  on one vector (one ``numpy.correlate`` / ``numpy.convolve`` call);
* ``batched``: the same functions on a block of one run, the path the solver
  takes (a loop over the r taps, each a vector operation);
* ``numpy.convolve``: one bare ``numpy.convolve`` call of the same size, the
  target's yardstick;
* ``dense``: ``A @ x`` / ``A.T @ y`` with A built by ``conv_huber.dense``, when
  the matrix fits in ``dense_limit_mb``;
* ``naive``: a Python loop like the homework's (``naive_apply``); timed on a
  prefix of the output and extrapolated linearly when the full loop would take
  more than ``naive_budget`` multiply-adds (each output costs the same r steps);

and the peak memory one application allocates (``tracemalloc``, which sees
NumPy's buffers), in bytes per element of x.
"""

from __future__ import annotations

import time
import tracemalloc
from functools import partial

import numpy as np

from gdlab.problems.conv_huber import numerics as ch


def per_call(fn, min_seconds: float, max_calls: int = 10_000) -> float:
    """Best-of-3 seconds per call of ``fn``, each batch running ≥ ``min_seconds``."""
    fn()  # warm-up (first-touch of buffers, caches)
    best = float("inf")
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds or calls >= max_calls:
                break
        best = min(best, elapsed / calls)
    return best


def peak_bytes(fn) -> int:
    """Peak bytes allocated while ``fn`` runs (its result included)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = fn()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del result
    return peak


def naive_seconds(naive, k, v, outputs: int, budget: int, min_seconds: float):
    """(seconds per application, extrapolated?) of a naive loop with ``outputs`` outputs:
    all of it within ``budget`` multiply-adds, else a prefix scaled up linearly."""
    r = len(k)
    if outputs * r <= budget:
        return per_call(lambda: naive(k, v), min_seconds, max_calls=3), False
    part = max(r, budget // r)  # outputs of the prefix
    if naive is ch.naive_apply:
        prefix = v[: part + r - 1]  # valid correlation: part outputs
    else:
        prefix = v[: part - r + 1]  # full convolution: part outputs
    return per_call(lambda: naive(k, prefix), min_seconds, max_calls=3) * outputs / part, True


def bench_one(
    n: int,
    r: int,
    *,
    min_seconds: float,
    dense_limit_mb: float,
    naive_budget: int,
    rng: np.random.Generator,
) -> list[dict]:
    k = rng.standard_normal(r)
    x = rng.standard_normal(n)
    m = n - r + 1
    y = rng.standard_normal(m)
    dense_mb = m * n * 8 / 2**20
    matrix = ch.dense(k, n) if dense_mb <= dense_limit_mb else None
    cases = {
        # op: (matrix-free, batched, one numpy.convolve, dense, naive, its input, outputs)
        "A": (
            partial(ch.apply, k, x),
            partial(ch.apply, k[None, :], x[None, :]),
            partial(np.convolve, x, k[::-1], mode="valid"),
            None if matrix is None else partial(np.matmul, matrix, x),
            ch.naive_apply,
            x,
            m,
        ),
        "AT": (
            partial(ch.apply_transpose, k, y),
            partial(ch.apply_transpose, k[None, :], y[None, :]),
            partial(np.convolve, y, k, mode="full"),
            None if matrix is None else partial(np.matmul, matrix.T, y),
            ch.naive_apply_transpose,
            y,
            n,
        ),
    }
    rows = []
    for op, (free, batched, convolve, dense, naive, v, outputs) in cases.items():
        if dense is not None:  # the matrix-free operator is the dense matrix
            assert np.allclose(free(), dense())
        row = {"op": op, "n": n, "r": r, "dense_mb": dense_mb}
        row["matrix_free_s"] = per_call(free, min_seconds)
        row["batched_s"] = per_call(batched, min_seconds)
        row["convolve_s"] = per_call(convolve, min_seconds)
        row["dense_s"] = None if dense is None else per_call(dense, min_seconds)
        row["naive_s"], row["naive_extrapolated"] = naive_seconds(
            naive, k, v, outputs, naive_budget, min_seconds
        )
        row["ns_per_multiply_add"] = row["matrix_free_s"] / (outputs * r) * 1e9
        row["speedup_vs_naive"] = row["naive_s"] / row["matrix_free_s"]
        row["ratio_to_convolve"] = row["matrix_free_s"] / row["convolve_s"]
        row["batched_ratio_to_convolve"] = row["batched_s"] / row["convolve_s"]
        row["peak_bytes_per_n"] = peak_bytes(free) / n
        row["batched_peak_bytes_per_n"] = peak_bytes(batched) / n
        rows.append(row)
    return rows


def run(
    sizes=(10**2, 10**4, 10**6),
    filters=(3, 101),
    *,
    min_seconds: float = 0.2,
    dense_limit_mb: float = 1024,
    naive_budget: int = 5 * 10**5,
) -> list[dict]:
    rng = np.random.default_rng(0)
    return [
        row
        for n in sizes
        for r in filters
        if r < n  # A is (n − r + 1) × n: a filter as long as x leaves nothing to apply
        for row in bench_one(
            n,
            r,
            min_seconds=min_seconds,
            dense_limit_mb=dense_limit_mb,
            naive_budget=naive_budget,
            rng=rng,
        )
    ]
