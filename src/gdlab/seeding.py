"""Deterministic random numbers: one generator per (problem, seed).

The generator depends only on stable identifiers (the root seed, the problem's
name and the seed index), never on α, on the block a seed is computed in, or on
the order of the grid, so every α sees the same data and starting point (paired
comparisons) and a seed's numbers do not change when seeds are re-chunked.
"""

from __future__ import annotations

import operator
import zlib

import numpy as np

SEED = "seed"  # in an entropy template, the place of the run's seed


def entropy(problem: str, seed: int, root_seed: int) -> list[int]:
    """The ``SeedSequence`` entropy of one run (recorded in each file's provenance)."""
    return [int(root_seed), zlib.crc32(problem.encode()), int(seed)]


def entropy_template(problem: str, root_seed: int) -> list:
    """Every run's :func:`entropy` in one list: the string ``"seed"`` stands for the
    run's seed (a file's ``seed_entropy``: one entry for all its seeds, not one each)."""
    return [*entropy(problem, 0, root_seed)[:-1], SEED]


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


# ---- the same numbers for a block of seeds at once ----------------------------------
# NumPy's SeedSequence (numpy/random/bit_generator.pyx) and PCG64 (pcg64.h), written
# out over arrays of seeds: the first doubles of default_rng(SeedSequence(entropy)) for
# every seed of a block, bit for bit (tests/unit/test_seeding.py pins it to NumPy's own
# path), at a fraction of a microsecond a seed instead of ~10 µs for a Generator each.
_U32 = np.uint64(0xFFFFFFFF)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_PCG_MULT = (0x2360ED051FC65DA4, 0x4385DF649FCCF645)  # (high, low) 64-bit words


def _words(value: int) -> list[int]:
    """A non-negative int as SeedSequence reads it: 32-bit words, least significant first."""
    out = []
    while True:
        out.append(value & 0xFFFFFFFF)
        value >>= 32
        if not value:
            return out


def _hashmix(value: np.ndarray, const: list[int]) -> np.ndarray:
    """SeedSequence's hashmix on uint32 values (held in uint64); ``const`` is updated."""
    value = (value ^ np.uint64(const[0])) & _U32
    const[0] = (const[0] * _MULT_A) & 0xFFFFFFFF
    value = (value * np.uint64(const[0])) & _U32
    return value ^ (value >> np.uint64(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = (np.uint64(_MIX_MULT_L) * x - np.uint64(_MIX_MULT_R) * y) & _U32
    return r ^ (r >> np.uint64(16))


def _pool(entropy: list[np.ndarray]) -> list[np.ndarray]:
    """SeedSequence's mix_entropy: the 4-word pool of every seed (entropy: its words,
    each an array over the seeds)."""
    const = [_INIT_A]
    zero = np.zeros_like(entropy[0])
    mixer = [_hashmix(entropy[i] if i < len(entropy) else zero, const) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                mixer[dst] = _mix(mixer[dst], _hashmix(mixer[src], const))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            mixer[dst] = _mix(mixer[dst], _hashmix(entropy[src], const))
    return mixer


def _state_words(pool: list[np.ndarray], n_words: int) -> list[np.ndarray]:
    """SeedSequence.generate_state(n_words, np.uint64), one array per 64-bit word."""
    const = _INIT_B
    out32 = []
    for i in range(2 * n_words):
        v = pool[i % _POOL] ^ np.uint64(const)
        const = (const * _MULT_B) & 0xFFFFFFFF
        v = (v * np.uint64(const)) & _U32
        out32.append(v ^ (v >> np.uint64(16)))
    return [out32[2 * i] | (out32[2 * i + 1] << np.uint64(32)) for i in range(n_words)]


def _mulhi(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The high 64 bits of the 128-bit products a·b (uint64 arrays)."""
    a0, a1, b0, b1 = a & _U32, a >> np.uint64(32), b & _U32, b >> np.uint64(32)
    p00, p01, p10 = a0 * b0, a0 * b1, a1 * b0
    mid = (p00 >> np.uint64(32)) + (p01 & _U32) + (p10 & _U32)
    return a1 * b1 + (p01 >> np.uint64(32)) + (p10 >> np.uint64(32)) + (mid >> np.uint64(32))


class _PCG64:
    """PCG64 (XSL-RR 128/64) over arrays: state and increment as (high, low) words."""

    def __init__(self, words: list[np.ndarray]):
        # pcg64_set_seed: state (words 0, 1), sequence (words 2, 3); srandom_r
        seq_hi, seq_lo = words[2], words[3]
        self.inc_hi = (seq_hi << np.uint64(1)) | (seq_lo >> np.uint64(63))
        self.inc_lo = (seq_lo << np.uint64(1)) | np.uint64(1)
        self.hi, self.lo = np.zeros_like(seq_hi), np.zeros_like(seq_lo)
        self._step()
        lo = self.lo + words[1]
        self.hi = self.hi + words[0] + (lo < self.lo).astype(np.uint64)
        self.lo = lo
        self._step()

    def _step(self) -> None:
        m_hi, m_lo = np.uint64(_PCG_MULT[0]), np.uint64(_PCG_MULT[1])
        hi = _mulhi(self.lo, m_lo) + self.lo * m_hi + self.hi * m_lo
        lo = self.lo * m_lo
        new_lo = lo + self.inc_lo
        self.hi = hi + self.inc_hi + (new_lo < lo).astype(np.uint64)
        self.lo = new_lo

    def next_uint64(self) -> np.ndarray:
        self._step()
        x = self.hi ^ self.lo
        rot = self.hi >> np.uint64(58)
        return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))

    def next_double(self) -> np.ndarray:
        return (self.next_uint64() >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def _seed_words(seeds) -> dict[int, tuple[np.ndarray, list[np.ndarray]]]:
    """The seeds grouped by the number of 32-bit words SeedSequence reads from them:
    {words: (rows, [each word over those rows])}."""
    arr = np.asarray(seeds)
    if arr.dtype.kind in "iu" and arr.size and arr.min() < 0:
        raise ValueError(f"seed {int(arr.min())} is negative")
    if arr.dtype.kind in "iu":  # below 2^64: one or two words
        u = arr.astype(np.uint64).ravel()
        small = u <= _U32
        one, two = np.flatnonzero(small), np.flatnonzero(~small)
        groups = {1: (one, [u[one]]), 2: (two, [u[two] & _U32, u[two] >> np.uint64(32)])}
        return {n: g for n, g in groups.items() if g[0].size}
    # Python ints of any size, as given (NumPy would turn a mix of large ints into floats)
    values = [operator.index(s) for s in (seeds.tolist() if hasattr(seeds, "tolist") else seeds)]
    if any(v < 0 for v in values):
        raise ValueError(f"seed {min(values)} is negative")
    rows_of: dict[int, list[int]] = {}
    for i, v in enumerate(values):
        rows_of.setdefault(len(_words(v)), []).append(i)
    return {
        n: (
            np.array(rows),
            [
                np.array([(values[i] >> (32 * j)) & 0xFFFFFFFF for i in rows], np.uint64)
                for j in range(n)
            ],
        )
        for n, rows in rows_of.items()
    }


def doubles(problem: str, seeds, root_seed: int, count: int = 1) -> np.ndarray:
    """(len(seeds), count): the first ``count`` values of ``generator(problem, seed,
    root_seed).random()`` for every seed, bit for bit, computed for all seeds at once."""
    out = np.empty((len(seeds), count))
    head = _words(int(root_seed)) + _words(zlib.crc32(problem.encode()))
    with np.errstate(over="ignore"):
        for rows, words in _seed_words(seeds).values():
            entropy = [np.full(rows.size, w, dtype=np.uint64) for w in head] + words
            rng = _PCG64(_state_words(_pool(entropy), 4))
            for c in range(count):
                out[rows, c] = rng.next_double()
    return out


def draw_block(data: dict, problem: str, seeds, root_seed: int) -> dict:
    """:func:`draw` for every seed of a block: {name: array over the seeds (stacked)}.
    A process of scalar ``uniform`` draws from the ``SeedSequence`` generator is
    computed for all seeds at once (:func:`doubles`); any other, seed by seed."""
    draws = data["draws"]
    vectorised = data["generator"] == "SeedSequence" and all(
        d["method"] == "uniform" and set(d["kwargs"]) == {"low", "high"} for d in draws
    )
    if not vectorised:
        per_seed = [draw(data, problem, s, root_seed) for s in seeds]
        return {d["name"]: np.array([p[d["name"]] for p in per_seed]) for d in draws}
    u = doubles(problem, seeds, root_seed, count=len(draws))
    out = {}
    for c, d in enumerate(draws):
        low, high = float(d["kwargs"]["low"]), float(d["kwargs"]["high"])
        out[d["name"]] = low + (high - low) * u[:, c]
    return out
