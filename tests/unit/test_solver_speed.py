"""The fast paths of the block solver change no number: compaction, in-place f', the
vectorised rate, blocks cut differently; and ``record_per_decade`` only drops rows."""

import math

import numpy as np
import pytest

from gdlab import descent, solve, stopping
from gdlab.problems.sharp_wide import numerics as sw

SHARP_WIDE = {
    "start_interval": [-5.0, 20.0],
    "max_steps": 3000,
    "tolerance": 1e-6,
    "divergence_factor": 1e6,
    "root_seed": 3,
}
LSQ = {"shape": [20, 4], "max_steps": 2000, "tolerance": 1e-10, "divergence_factor": 1e12}
CASES = [
    ("sharp_wide", "alpha_0.01", SHARP_WIDE),
    ("sharp_wide", "alpha_2.5", SHARP_WIDE),
    ("lsq_gd", "c_0.99", {**LSQ, "root_seed": 3}),
    ("lsq_gd", "c_1.1", {**LSQ, "root_seed": 3}),
]
PER_RUN = ("outcome", "steps", "period")


def rows_of(table, seeds):
    """The table's rows of ``seeds``, as {column: list}."""
    seed = np.asarray(table.column("seed"))
    keep = np.flatnonzero(np.isin(seed, seeds))
    return {c: table.column(c).take(keep).to_pylist() for c in table.column_names}


def per_run(table) -> dict:
    """seed -> (outcome, steps, period)."""
    cols = [table.column(c).to_pylist() for c in ("seed", *PER_RUN)]
    return {row[0]: row[1:] for row in zip(*cols, strict=True)}


def same(a: dict, b: dict, columns=None):
    for c in columns or a:
        x, y = np.asarray(a[c]), np.asarray(b[c])
        if x.dtype.kind == "f":
            assert np.array_equal(x.view(np.int64), y.view(np.int64)), c
        else:
            assert x.tolist() == y.tolist(), c


@pytest.mark.parametrize(("problem", "setting", "settings"), CASES)
def test_a_block_cut_differently_gives_identical_runs(problem, setting, settings):
    whole = solve.solve(problem, setting, 0, 23, settings)
    for first, last in ((0, 6), (7, 7), (8, 23)):
        part = solve.solve(problem, setting, first, last, settings)
        seeds = list(range(first, last + 1))
        drop = ("setting",)  # identical too; compared for all but provenance
        cols = [c for c in part.column_names if c not in drop]
        same(rows_of(whole, seeds), rows_of(part, seeds), cols)


@pytest.mark.parametrize(("problem", "setting", "settings"), CASES)
@pytest.mark.parametrize("compact", [0.0, 1.0])
def test_compacting_always_or_never_changes_no_bit(
    monkeypatch, problem, setting, settings, compact
):
    default = solve.solve(problem, setting, 0, 15, settings)
    monkeypatch.setattr(descent, "_COMPACT", compact)
    monkeypatch.setattr(descent, "_CHUNK_FLOATS", 64)  # many short chunks too
    other = solve.solve(problem, setting, 0, 15, settings)
    same(rows_of(default, list(range(16))), rows_of(other, list(range(16))))


@pytest.mark.parametrize(("problem", "setting", "settings"), CASES)
def test_record_per_decade_keeps_a_subset_of_the_rows_with_identical_values(
    monkeypatch, problem, setting, settings
):
    with monkeypatch.context() as m:  # every step recorded
        m.setattr(descent, "record_steps", lambda max_steps, **_: frozenset(range(max_steps + 1)))
        full = solve.solve(problem, setting, 0, 9, settings)
    default = solve.solve(problem, setting, 0, 9, settings)
    few = solve.solve(problem, setting, 0, 9, {**settings, "record_per_decade": 2})
    assert 0 < few.num_rows < default.num_rows < full.num_rows
    key = list(zip(full.column("seed").to_pylist(), full.column("step").to_pylist(), strict=True))
    index = {k: i for i, k in enumerate(key)}
    picked = [
        index[k]
        for k in zip(few.column("seed").to_pylist(), few.column("step").to_pylist(), strict=True)
    ]
    a = {c: full.column(c).take(picked).to_pylist() for c in full.column_names}
    b = {c: few.column(c).to_pylist() for c in few.column_names}
    # rate_empirical is measured between recorded rows: it may move, nothing else does
    same(a, b, [c for c in full.column_names if c != "rate_empirical"])
    assert per_run(default) == per_run(few)
    # every run keeps steps 0-10 (or up to its stop), its last step and the budget's
    steps = np.asarray(few.column("step"))
    seed = np.asarray(few.column("seed"))
    last = np.asarray(few.column("steps"))
    for s in range(10):
        mine = steps[seed == s]
        assert set(range(min(10, last[seed == s][0]) + 1)) <= set(mine)
        assert mine.max() == last[seed == s][0]
    meta = few.schema.metadata[b"gdlab"].decode()
    assert "2 log-spaced per decade" in meta


def test_record_per_decade_default_is_the_files_of_before():
    assert stopping.rule({}) == stopping.STOPPING_RULE
    assert stopping.rule({"record_per_decade": 12}) == stopping.STOPPING_RULE
    assert descent.record_steps(20000) == descent.record_steps(20000, per_decade=12)
    fewer = descent.record_steps(20000, per_decade=2)
    assert len(fewer) < len(descent.record_steps(20000))
    assert set(range(11)) | {20000} <= fewer


def test_the_config_schema_takes_record_per_decade():
    from gdlab import problems

    for name in problems.names():
        spec = problems.spec(name)
        if spec.iterative:
            prop = spec.schema["properties"]["record_per_decade"]
            assert prop == {"$ref": "#/$defs/record_per_decade"}
            assert "record_per_decade" not in spec.schema["required"]


def old_fprime(x):
    """sharp_wide's f' as it was written before it was made in place."""
    x = np.asarray(x, dtype=float)
    s, one_minus_s, e, one_plus_e = sw._logistic(x)
    ds = -sw._SHARPNESS * e / one_plus_e**2
    xc = sw._clip(x, sw._CLIP)
    with np.errstate(over="ignore", invalid="ignore"):
        return ds * (10.0 * xc**2 - sw._wide(xc)) + s * 20.0 * x + one_minus_s * (x - 10.0)


def test_in_place_fprime_is_bit_identical_to_the_formula():
    rng = np.random.default_rng(0)
    other_nan = (np.array([np.nan]).view(np.int64) ^ 1).view(float)[0]
    special = [np.nan, -np.nan, other_nan, np.inf, -np.inf, 0.0, -0.0, 3.0, 300.0, 1e6, 2e6]
    special += [1e308, -1e308, 5e-324, 2.9999999999999996, 3.0000000000000004]
    for x in (
        rng.uniform(-5, 20, (4097, 1)),
        rng.normal(0, 1e200, (300, 1)),
        10 ** rng.uniform(-320, 308, (1000, 1)) * rng.choice([-1, 1], (1000, 1)),
        np.array(special)[:, None],
        rng.uniform(-5, 20, (5, 3)),
    ):
        with np.errstate(all="ignore"):
            a, b = old_fprime(x), sw.fprime(x)
        assert np.array_equal(a.view(np.int64), b.view(np.int64))
    assert sw.fprime(1.5) == old_fprime(1.5) and np.ndim(sw.fprime(1.5)) == 0


def rates_loop(trace):
    """rate_empirical as a loop over runs (its definition)."""
    runs = len(trace.outcome)
    rates = np.full(runs, np.nan)
    d = np.where(np.isnan(trace.dist), trace.grad_norm, trace.dist)
    with np.errstate(all="ignore"):
        for r in range(runs):
            rows = np.flatnonzero(trace.run == r)
            steps, dr = trace.step[rows], d[rows]
            K = steps.max()
            last = dr[steps == K][0]
            early = steps[steps <= K // 2]
            if K == 0 or early.size == 0:
                continue
            k0 = early.max()
            first = dr[steps == k0][0]
            if first > 0 and math.isfinite(last) and math.isfinite(first):
                rates[r] = (last / first) ** (1.0 / (K - k0))
    return rates


def test_vectorised_rate_equals_the_loop_over_runs():
    rng = np.random.default_rng(1)
    x0 = rng.uniform(-5, 20, (300, 1))
    x0[:3] = [[np.inf], [sw.critical_points()["sharp"][0]], [0.0]]
    for alpha in (1e-3, 0.05, 0.3, 2.5, 4.0):
        trace = descent.descend(
            sw.Model(),
            x0,
            alpha,
            **stopping.stopping(SHARP_WIDE),
            record=descent.record_steps(SHARP_WIDE["max_steps"]),
        )
        a, b = trace.rate_empirical(), rates_loop(trace)
        assert np.array_equal(a.view(np.int64), b.view(np.int64)) or np.array_equal(
            a, b, equal_nan=True
        )
