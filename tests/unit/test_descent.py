"""descend() takes its steps in chunks; the chunking must not change a single bit."""

import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import descent, grid, methods, objectives, problems, schema, solve, trace

# every problem run by GD (SPEC.iterative)
ITERATIVE = tuple(p for p in problems.names() if problems.spec(p).iterative)

# hand-picked (problem, grid point, settings); an iterative problem without one is run at
# the first grid point of config/test.yaml with that config's settings (see cases())
PICKED = [
    ("quadratic", "alpha_2.0", {"max_steps": 300, "tolerance": 1e-8, "divergence_factor": 1e6}),
    ("quadratic", "alpha_2.5", {"max_steps": 300, "tolerance": 1e-8, "divergence_factor": 1e6}),
    (
        "lsq_gd",
        "c_1.01",
        {"shape": [20, 4], "max_steps": 400, "tolerance": 1e-10, "divergence_factor": 1e12},
    ),
    (
        "sharp_wide",
        "alpha_0.1",
        {
            "start_interval": [-5.0, 20.0],
            "max_steps": 700,
            "tolerance": 1e-6,
            "divergence_factor": 1e6,
        },
    ),
    (
        "conv_huber",
        "alpha_0.5",
        {
            "r": 3,
            "n": 20,
            "lam": 0.1,
            "max_steps": 500,
            "tolerance": 1e-6,
            "divergence_factor": 1e6,
            "reference_step": 100,
        },
    ),
]


def cases():
    out = [c for c in PICKED if c[0] in ITERATIVE]
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    for p in ITERATIVE:
        if p not in {c[0] for c in PICKED}:
            first = grid.grid_values(p, cfg["problems"][p])[0]
            out.append((p, grid.setting(p, first), grid.solver_settings(cfg, p)))
    return out


def test_every_picked_case_is_of_an_iterative_problem():
    assert {c[0] for c in PICKED} <= set(ITERATIVE)


@pytest.mark.parametrize(("problem", "setting", "settings"), cases())
def test_chunked_steps_equal_single_steps(monkeypatch, tmp_path, problem, setting, settings):
    """Default chunks vs one step per chunk: byte-identical Parquet files."""
    settings = {**settings, "root_seed": 7}
    chunked = solve.solve(problem, setting, 0, 7, settings)
    monkeypatch.setattr(descent, "_CHUNK_MIN", 1)
    monkeypatch.setattr(descent, "_CHUNK_MAX", 1)
    single = solve.solve(problem, setting, 0, 7, settings)
    assert chunked.num_rows > 8 * 10
    schema.write(chunked, tmp_path / "chunked.parquet")
    schema.write(single, tmp_path / "single.parquet")
    assert (tmp_path / "chunked.parquet").read_bytes() == (tmp_path / "single.parquet").read_bytes()


def test_chunks_cover_budget_and_stop_exactly_at_max_steps():
    settings = {"max_steps": 37, "tolerance": 1e-300, "divergence_factor": 1e6, "root_seed": 1}
    table = solve.solve("quadratic", "alpha_2.0", 0, 2, settings)  # θ_k = (−1)^k θ_0: never stops
    steps = table.column("steps").to_pylist()
    assert set(steps) == {37} and set(table.column("outcome").to_pylist()) == {"cycle"}
    assert set(table.column("period").to_pylist()) == {2}  # the orbit θ_0, −θ_0
    assert max(table.column("step").to_pylist()) == 37


@pytest.mark.parametrize(("problem", "setting", "settings"), cases())
def test_untraced_runs_keep_every_number_but_their_rows(problem, setting, settings):
    """Seeds from ``traced`` on keep their first and last rows only, yet every run-level
    column, rate window included, is bit for bit that of the block that keeps every row,
    and the traced seeds' rows are those rows."""
    numerics = problems.numerics(problem)
    value = grid.parse_setting(setting, problem)[1]
    settings = {**settings, "root_seed": 7}
    every = numerics.run(settings, value, list(range(8)))
    cut = numerics.run(settings, value, list(range(8)), traced=3)
    seed, cut_seed = np.asarray(every["seed"]), np.asarray(cut["seed"])
    assert sorted(every) == sorted(cut) and set(trace.WINDOW) <= set(cut)
    runs = np.unique(seed)
    assert np.array_equal(np.unique(cut_seed), runs)
    for s in runs:
        rows, kept = np.flatnonzero(seed == s), np.flatnonzero(cut_seed == s)
        if s >= 3:  # its first and last rows (one, for a run stopped at k = 0)
            rows = rows[[0, -1]] if rows.size > 1 else rows
        assert kept.size == rows.size
        for name, column in every.items():
            a, b = np.asarray(column)[rows], np.asarray(cut[name])[kept]
            same = list(a) == list(b) if a.dtype == object else a.tobytes() == b.tobytes()
            assert same, f"{problem} seed {s}: {name}"
    assert (seed < 3).sum() > 3 * 2, "the traced seeds keep more than their ends"


@pytest.mark.parametrize(("problem", "setting", "settings"), cases())
def test_the_rate_window_measured_at_the_source_is_the_one_its_rows_give(
    problem, setting, settings
):
    """The window the descent keeps for every run (from d at each recorded step) is,
    bit for bit, :func:`gdlab.trace.windows` of the run's recorded rows, its
    definition.  A method with memory measures d in its modes' norm, which no row
    holds: its steps k0 and k1 are compared here, its d in test_momentum.py."""
    numerics = problems.numerics(problem)
    value = grid.parse_setting(setting, problem)[1]
    cols = numerics.run({**settings, "root_seed": 7}, value, list(range(8)))
    d = np.where(np.isnan(cols["dist"]), cols["grad_norm"], cols["dist"])
    rows = trace.windows(cols["seed"], cols["step"], cols["steps"], d)
    seed = np.asarray(cols["seed"])
    start = np.flatnonzero(np.r_[True, seed[1:] != seed[:-1]])
    assert rows["seed"].tolist() == list(range(8))
    memory = isinstance(value, tuple) and methods.by_name(*value[:2]).memory
    for name in ("k0", "k1") if memory else trace.WINDOW:
        assert np.asarray(cols[name])[start].tobytes() == rows[name].tobytes(), name


def test_the_losses_of_a_chunk_take_at_most_the_block_s_runs_a_call():
    """The recorded rows' losses are computed in calls of at most the block's runs (the
    model taken for them holds its data at most once), and equal the loss of each row
    computed alone, bit for bit."""
    rng = np.random.default_rng(3)
    runs, n, p = 6, 12, 3
    X, Y = rng.standard_normal((runs, n, p)), rng.standard_normal((runs, n))
    star = np.stack([np.linalg.lstsq(x, y, rcond=None)[0] for x, y in zip(X, Y, strict=True)])
    taken: list[int] = []

    class Counted(objectives.LeastSquares):
        def take(self, rows):
            taken.append(np.size(rows))
            return Counted(
                self.X[rows], self.Y[rows], self.theta_star[rows], self.H[rows], self.XtY[rows]
            )

    model = Counted(X, Y, star)
    alpha = 1.0 / np.linalg.eigvalsh(model.H).max(axis=1)
    out = descent.descend(
        model,
        rng.standard_normal((runs, p)),
        alpha,
        max_steps=200,
        tolerance=1e-12,
        divergence_factor=1e6,
        record=frozenset(range(0, 201, 3)),
    )
    assert out.step.size > 10 * runs and taken and max(taken) <= runs
    alone = [objectives.LeastSquares(X[r : r + 1], Y[r : r + 1], star[r : r + 1]) for r in out.run]
    one_by_one = [m.loss(t[None])[0] for m, t in zip(alone, out.theta, strict=True)]
    assert np.array(one_by_one).tobytes() == out.loss.tobytes()
