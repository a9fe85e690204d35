"""fractal: the boundary counts, the δ = 0 boundary against its closed form, blocks of
α indices, and the dimension fit (docs/fractal.md)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from gdlab import config as gdconfig
from gdlab import grid, schema, solve
from gdlab.problems.fractal import boundary, checks, numerics, setups, theory
from support import regenerate

MAX_STEPS, BOUND = 1000, 1.0e8


def _setup(form="multiplicative", delta=0.2, wavelength=0.1, x0=1.0, k=10):
    return setups.Setup(form, delta, wavelength, x0, k)


def _outcomes(s: setups.Setup) -> np.ndarray:
    alpha = s.alpha(np.arange(s.runs, dtype=np.float64))
    return numerics.escape(alpha, s, MAX_STEPS, BOUND)[0]


def _section(**entries) -> dict:
    return {"setups": entries, "max_steps": MAX_STEPS, "loss_bound": BOUND}


def _entry(s: setups.Setup) -> dict:
    return {"form": s.form, "delta": s.delta, "wavelength": s.wavelength, "x0": s.x0, "k": s.k}


def test_counts_are_the_changes_between_neighbours_of_each_sub_grid():
    # k = 2: outcomes at α_0..α_4; j = 1 sees α_0, α_2, α_4; j = 0 sees α_0, α_4
    diverged = np.array([False, True, False, False, True])
    assert boundary.counts(diverged, 2).tolist() == [1, 1, 3]
    with pytest.raises(ValueError, match="not 2"):
        boundary.counts(diverged[:4], 2)


@pytest.mark.parametrize("seed", range(5))
def test_counts_never_decrease_with_j_on_any_outcomes(seed):
    diverged = np.random.default_rng(seed).random(2**9 + 1) < 0.5
    numb = boundary.counts(diverged, 9)
    assert (np.diff(numb) >= 0).all()
    # the finest count is every change along the axis
    assert numb[-1] == np.count_nonzero(np.diff(diverged.astype(int)))


@pytest.mark.parametrize("form", setups.FORMS)
@pytest.mark.parametrize("x0", [1.0, -3.0, 5.0])
def test_flat_setup_has_one_boundary_at_alpha_star(form, x0):
    """δ = 0: x_n = (1 − 2α)^n x₀ passes the bound within the budget iff α > α*."""
    s = _setup(form=form, delta=0.0, x0=x0, k=12)
    diverged = _outcomes(s)
    star = (1 + (math.sqrt(BOUND) / abs(x0)) ** (1 / MAX_STEPS)) / 2
    found = boundary.boundaries(diverged, s)
    assert len(found) == 1
    lo, hi = found[0]
    assert lo <= star <= hi and hi - lo == 1.5 / 2**12
    assert boundary.alpha_star(x0, BOUND, MAX_STEPS) == star
    assert boundary.counts(diverged, s.k).tolist() == [1] * (s.k + 1)


def test_flat_setup_agrees_and_a_wrong_alpha_star_does_not():
    s = _setup(delta=0.0, k=10)
    diverged = _outcomes(s)
    star = boundary.alpha_star(s.x0, BOUND, MAX_STEPS)
    assert theory.flat_agrees(diverged, s, star)
    assert not theory.flat_agrees(diverged, s, star + 1.5 / 2**10)  # one grid step off


def test_alpha_axis_is_exact():
    s = _setup(k=22)
    i = np.array([0, 1, 2**21, 2**22])
    assert s.alpha(i.astype(float)).tolist() == [0.0, 1.5 / 2**22, 0.75, 1.5]


def test_gradient_is_the_loss_s_derivative():
    x = np.linspace(-3, 3, 41) + 0.013
    h = 1e-6
    for form in setups.FORMS:
        central = (numerics.loss(form, x + h, 0.2, 0.1) - numerics.loss(form, x - h, 0.2, 0.1)) / (
            2 * h
        )
        exact = numerics.gradient(form, x, 0.2, 0.1)
        np.testing.assert_allclose(exact, central, rtol=1e-6, atol=1e-5)


def test_a_diverged_run_stops_at_the_first_step_past_the_bound():
    s = _setup(form="additive", delta=0.0, x0=1.0)
    alpha = np.array([1.5, 0.25])  # |1 − 2α| = 2: 2^n passes 10^4 at n = 14; 0.5: bounded
    diverged, steps, loss, x = numerics.escape(alpha, s, MAX_STEPS, BOUND)
    assert diverged.tolist() == [True, False]
    n = math.ceil(math.log2(math.sqrt(BOUND)))  # the first n with 4^n > 1e8
    assert steps.tolist() == [n, MAX_STEPS]
    assert loss[0] == x[0] ** 2 > BOUND and x[0] == (-2.0) ** n
    assert loss[1] == x[1] ** 2 and abs(x[1]) < 1e-300


def test_block_cut_does_not_change_any_run():
    """Every run of a setup, solved as one block and as blocks cut at other places,
    bit for bit (an escaped run leaving its block changes nothing of the others)."""
    cfg = {"problems": {"fractal": {**_section(a=_entry(_setup(k=9))), "seeds_per_job": 600}}}
    settings = grid.solver_settings(cfg, "fractal")
    whole = solve.solve("fractal", "setup_a", 0, 512, settings)
    for cuts in ([0, 100, 513], [0, 1, 2, 250, 511, 513]):
        parts = [
            solve.solve("fractal", "setup_a", a, b - 1, settings)
            for a, b in itertools.pairwise(cuts)
        ]
        for col in ("seed", "alpha", "outcome", "steps", "loss", "x"):
            joined = np.concatenate([p[col].to_numpy(zero_copy_only=False) for p in parts])
            assert np.array_equal(joined, whole[col].to_numpy(zero_copy_only=False)), col


def test_chunks_do_not_change_any_run(monkeypatch):
    s = _setup(form="additive", k=9)
    alpha = s.alpha(np.arange(s.runs, dtype=np.float64))
    whole = numerics.escape(alpha, s, MAX_STEPS, BOUND)
    monkeypatch.setattr(numerics, "CHUNK", 7)
    for a, b in zip(whole, numerics.escape(alpha, s, MAX_STEPS, BOUND), strict=True):
        assert np.array_equal(a, b)


def test_multiplicative_counts_are_the_paper_s_at_coarse_resolution():
    """The published counts (liuyz0/FractalBoundary, exp-0-numB.mat, k = 32) for j ≤ 10:
    the grids are the same points, and at this resolution no run is near enough the
    boundary for a last-bit difference of sin or cos to flip it."""
    paper = [1, 1, 1, 1, 3, 5, 7, 13, 21, 27, 57]
    assert boundary.counts(_outcomes(_setup(k=10)), 10).tolist() == paper


def test_dimension_is_the_slope_of_log2_numb_where_it_is_above_one():
    j = np.arange(0, 15)
    exact = boundary.dimension(np.where(j < 4, 1, 2 ** np.maximum(j - 2, 0)))  # j − 2 from j = 4
    assert (exact["j_min"], exact["j_max"]) == (4, 14)
    assert exact["dimension"] == pytest.approx(1.0, abs=1e-12)
    assert exact["dimension_se"] == pytest.approx(0.0, abs=1e-12)
    rounded = boundary.dimension(np.where(j < 4, 1, np.round(2.0 ** (0.75 * j))).astype(int))
    assert rounded["j_min"] == 4 and abs(rounded["dimension"] - 0.75) < 0.01
    assert 0 < rounded["dimension_se"] < 0.01


def test_no_fit_without_two_resolutions_above_one():
    fit = boundary.dimension(np.array([1, 1, 1, 2]))
    assert math.isnan(fit["dimension"]) and fit["j_min"] is None


def test_grid_setups_are_named_and_spaced_as_numpy_linspace():
    section = {
        "setups": {},
        "grids": {
            "g": {
                "form": "additive",
                "delta": {"min": 0.01, "max": 0.2, "count": 10},
                "wavelength": {"min": 0.01, "max": 1.0, "count": 10},
                "x0": 5.0,
                "k": 4,
            }
        },
    }
    found = setups.named(section)
    assert len(found) == 100 and list(found)[:2] == ["g-d0-w0", "g-d0-w1"]
    deltas = [found[f"g-d{i}-w0"].delta for i in range(10)]
    lambdas = [found[f"g-d0-w{j}"].wavelength for j in range(10)]
    assert deltas == np.linspace(0.01, 0.2, 10).tolist()
    assert lambdas == np.linspace(0.01, 1.0, 10).tolist()
    assert setups.points(section)["g-d3-w7"] == 2**4 + 1


def test_check_fails_on_a_missing_run_and_on_a_wrong_flat_boundary():
    s = _setup(delta=0.0, k=6)
    section = _section(flat=_entry(s))
    alpha = s.alpha(np.arange(s.runs, dtype=float))
    diverged = numerics.escape(alpha, s, MAX_STEPS, BOUND)[0]
    df = pd.DataFrame(
        {
            "setting": "setup_flat",
            "seed": np.arange(s.runs),
            "outcome": np.where(diverged, "diverged", "max_steps"),
        }
    )
    good = checks.boundary_counts("fractal", df, section)
    assert good["passed"], good["failures"]
    assert [r["numB"] for r in good["tables"]["fractal_boundary"]] == [1] * 7
    missing = checks.boundary_counts("fractal", df.iloc[1:], section)
    assert not missing["passed"] and "1 α indices missing" in missing["failures"][0]
    flipped = df.assign(outcome=np.where(np.arange(s.runs) == 3, "diverged", df["outcome"]))
    wrong = checks.boundary_counts("fractal", flipped, section)
    assert not wrong["passed"] and "one boundary" in wrong["failures"][0]
    empty = checks.boundary_counts("fractal", df.iloc[:0], section)
    assert not empty["passed"]


def test_named_setups_are_grid_points_each_with_its_own_runs():
    section = _section(a=_entry(_setup(k=3)), b=_entry(_setup(k=5)))
    cfg = {"problems": {"fractal": {**section, "seeds_per_job": 10}}, "max_jobs": 100}
    jobs = [(j.setting, j.seeds) for j in grid.jobs(cfg, "fractal")]
    assert jobs == [
        ("setup_a", "0-8"),
        ("setup_b", "0-9"),
        ("setup_b", "10-19"),
        ("setup_b", "20-29"),
        ("setup_b", "30-32"),
    ]
    assert gdconfig.problem_jobs(cfg, "fractal") == len(jobs)
    assert grid.parse_setting("setup_b", "fractal") == ("setup", "b")
    path = "results/summaries/fractal/setup_b/seeds_10-19.parquet"
    assert grid.parse_run_path(path, "fractal", "summaries") == ("fractal", "setup_b", (10, 19))
    settings = grid.solver_settings(cfg, "fractal")  # the jobs read their setup there
    assert settings["setups"] == section["setups"] and "seeds_per_job" not in settings
    assert "root_seed" not in settings  # nothing is drawn


def test_a_run_is_one_row_its_summary_starts_and_ends_there():
    cfg = {"problems": {"fractal": {**_section(a=_entry(_setup(k=4))), "seeds_per_job": 20}}}
    table, summary = solve.solve_block(
        "fractal", "setup_a", 0, 16, grid.solver_settings(cfg, "fractal")
    )
    assert table.num_rows == summary.num_rows == 17
    for col in ("loss", "x"):
        assert summary[f"{col}_start"].equals(summary[f"{col}_final"])
        assert summary[f"{col}_final"].equals(table[col])
    assert summary["steps"].equals(table["step"])


def test_a_grid_setup_s_run_regenerates_from_its_file_alone(tmp_path):
    """tests/support/regenerate.py finds a grid's setup by its name (δ and λ spaced as
    numpy.linspace spaces them) and runs it again without gdlab: the file's outcome,
    steps and loss of every run of the block."""
    grid_entry = {
        "form": "additive",
        "delta": {"min": 0.01, "max": 0.2, "count": 3},
        "wavelength": {"min": 0.01, "max": 1.0, "count": 3},
        "x0": 5.0,
        "k": 4,
    }
    section = {**_section(), "grids": {"g": grid_entry}, "seeds_per_job": 20}
    settings = grid.solver_settings({"problems": {"fractal": section}}, "fractal")
    table = solve.solve("fractal", "setup_g-d1-w2", 0, 16, settings)
    path = tmp_path / "run.parquet"
    schema.write(table, path)
    rows = table.to_pandas()
    assert set(rows["outcome"]) == {"diverged", "max_steps"}  # both kinds regenerated
    for seed, row in rows.set_index("seed").iterrows():
        doc = regenerate.regenerate(str(path), seed)
        assert (doc["outcome"], doc["steps"]) == (row["outcome"], row["step"])
        assert doc["loss"][-1] == row["loss"]
