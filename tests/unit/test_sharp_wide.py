import numpy as np
import pytest

from gdlab.problems.sharp_wide import numerics as sw
from support import thresholds

SETTINGS = {
    "start_interval": [-5.0, 20.0],
    "max_steps": 20000,
    "tolerance": 1e-6,
    "divergence_factor": 1e6,
    "root_seed": 11,
}


def test_critical_points_match_spec():
    cp = sw.critical_points()
    assert cp["sharp"][0] == pytest.approx(-0.00178, abs=1e-5)
    assert cp["sharp"][1] == pytest.approx(20.10, abs=0.01)
    assert cp["maximum"][0] == pytest.approx(3.1755, abs=1e-4)
    assert cp["wide"][0] == pytest.approx(10.000002, abs=1e-6)
    assert cp["wide"][1] == pytest.approx(1.0000, abs=1e-4)
    assert sw.thresholds()["sharp"] == pytest.approx(0.0995, abs=1e-4)
    for x, _ in cp.values():
        assert abs(sw.fprime(x)) < 1e-9


def test_stable_logistic_and_derivative_never_overflow():
    x = np.array([-1e308, -1e300, -1e6, -1e3, 0.0, 3.0, 1e3, 1e6, 1e300, 1e308])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, one_minus_s, _ = sw.logistic(x)
    assert np.all((s >= 0) & (s <= 1)) and np.allclose(s + one_minus_s, 1)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        g = sw.fprime(np.array([-1e6, 1e6, -1e300, 1e300]))
    # far left f ≈ 10x² (f' = 20x), far right f ≈ ½(x−10)² + 50 (f' = x − 10)
    np.testing.assert_allclose(g, [-2e7, 1e6 - 10, -2e301, 1e300], rtol=1e-12)


def test_derivative_matches_finite_differences():
    x = np.linspace(-6, 25, 301)
    h = 1e-6
    np.testing.assert_allclose(
        sw.fprime(x), (sw.f(x + h) - sw.f(x - h)) / (2 * h), rtol=1e-5, atol=1e-5
    )


def shares(alpha, seeds=range(50)):
    cols = sw.run(SETTINGS, alpha, list(seeds))
    last = cols["step"] == cols["steps"]
    outcome = np.array(cols["outcome"])[last]
    minimum = np.array(cols["minimum"])[last]
    return outcome, minimum


def test_homework_three_step_sizes():
    outcome, minimum = shares(0.01)
    assert set(minimum) == {"sharp", "wide"}
    assert 0.15 <= np.mean(minimum == "sharp") <= 0.5  # about a third (basin share 0.327)
    outcome, minimum = shares(0.3)
    assert set(outcome) == {"converged"} and set(minimum) == {"wide"}
    outcome, _ = shares(4.0)
    assert set(outcome) == {"diverged"}


def test_huge_starts_are_classified_without_warnings():
    settings = dict(SETTINGS, start_interval=[1e299, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cols = sw.run(settings, 1e6, [0, 1])
    assert set(cols["outcome"]) == {"diverged"}


# ---- the basin map (basin_map.py), from runs of GD itself ---------------------------------
MAP_ALPHAS = (0.01, 0.3, 5.0)


@pytest.fixture(scope="module")
def gd_rows():
    """The per-row frame the solver writes, for 600 starts at each of three α: GD run by
    the problem's own numerics, nothing hard-coded."""
    import pandas as pd

    frames = []
    for alpha in MAP_ALPHAS:
        cols = pd.DataFrame(sw.run(SETTINGS, alpha, list(range(600))))
        frames.append(cols.assign(setting=f"alpha={alpha!r}"))
    return pd.concat(frames, ignore_index=True)


def test_the_basin_map_reads_per_row_and_per_run_frames_alike(gd_rows):
    from gdlab.problems.sharp_wide import basin_map

    runs = basin_map._per_run(gd_rows)
    assert len(runs) == 1800 and runs.groupby("alpha").size().tolist() == [600] * 3
    assert basin_map._per_run(runs) is runs  # a per-run frame (it has x_start) is kept
    first = gd_rows[gd_rows["step"] == 0].set_index(["alpha", "seed"])["x"]
    np.testing.assert_array_equal(
        runs.set_index(["alpha", "seed"])["x_start"],
        first.loc[list(zip(runs["alpha"], runs["seed"], strict=True))],
    )
    # what a run that did not converge reached is no minimum
    assert runs.loc[runs["outcome"] != "converged", "minimum"].isna().all()
    assert set(runs.loc[runs["outcome"] == "converged", "minimum"]) <= {"sharp", "wide"}


def _theory_holds(classes: np.ndarray, n_bins: int) -> None:
    """Far from the basin boundary, the cells of the three α of :data:`MAP_ALPHAS`."""
    from gdlab.problems.sharp_wide import basin_map

    edges = np.linspace(-5.0, 20.0, n_bins + 1)
    lo, hi = edges[:-1], edges[1:]
    name = np.array(basin_map.CATEGORIES)
    x_max = sw.critical_points()["maximum"][0]
    # α = 0.01 < 2/f''(sharp): gradient flow, the local maximum is the boundary
    small = name[classes[:, 0]]
    assert set(small[(lo >= -4.0) & (hi <= x_max - 1.0)]) == {"sharp"}
    assert set(small[(lo >= x_max + 1.0) & (hi <= 19.0)]) == {"wide"}
    # α = 0.3: only the wide minimum is stable
    assert "sharp" not in set(name[classes[:, 1]])
    # α = 5 > 2/f''(wide): every start diverges
    assert set(name[classes[:, 2]]) == {"diverged"}


def test_the_basin_map_cells_follow_the_theory_far_from_the_boundary(gd_rows, tmp_path):
    from gdlab.problems.sharp_wide import basin_map

    runs = basin_map._per_run(gd_rows)
    n_bins = basin_map.bins(runs)
    assert n_bins == 60  # 600 starts per α, ten per cell
    alphas, classes, shares, drawn = basin_map.cells(runs, (-5.0, 20.0), n_bins)
    assert alphas.tolist() == list(MAP_ALPHAS)
    assert (classes >= 0).all() and ((shares > 0.2) & (shares <= 1)).all()
    assert drawn.sum() == len(runs)  # the legend counts runs: every run, once
    _theory_holds(classes, n_bins)

    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    cells = basin_map.figure("sharp_wide", gd_rows, [str(png), str(svg)], 150, [-5.0, 20.0])
    name = np.array(basin_map.CATEGORIES)
    assert len(cells) == 3 * n_bins
    assert (cells["category"].to_numpy().reshape(n_bins, 3) == name[classes]).all()
    width, height = (int.from_bytes(png.read_bytes()[o : o + 4], "big") for o in (16, 20))
    assert width < 2000 and height < 2000
    assert "<dc:date>" not in svg.read_text()  # no timestamp: the same runs, the same bytes
    again = tmp_path / "again.png"
    basin_map.figure("sharp_wide", runs, [str(again)], 150, [-5.0, 20.0])  # per-run frame
    assert again.read_bytes() == png.read_bytes()


def test_a_basin_map_of_few_starts_shows_each_run_in_its_own_cell_only(gd_rows):
    """The default study's 50 starts per α: a cell shows what the runs that started in
    it did and stays empty where none did; the sharp basin at α = 0.01 ends in the cell
    of its last sharp start, below the local maximum (its exact boundary), never past
    it (painting each cell with its nearest start's class put it at 2.47)."""
    from gdlab.problems.sharp_wide import basin_map

    few = basin_map._per_run(gd_rows)
    few = few[few["seed"] < 50]
    n_bins = basin_map.bins(few)
    assert n_bins == basin_map.SPARSE_BINS
    _, classes, _, drawn = basin_map.cells(few, (-5.0, 20.0), n_bins)
    assert ((classes >= 0).sum(axis=0) <= 50).all() and drawn.sum() == len(few)
    edges = np.linspace(-5.0, 20.0, n_bins + 1)
    x_max = sw.critical_points()["maximum"][0]
    sharp = np.flatnonzero(classes[:, 0] == basin_map.CATEGORIES.index("sharp"))
    wide = np.flatnonzero(classes[:, 0] == basin_map.CATEGORIES.index("wide"))
    assert edges[sharp.max()] < x_max < edges[wide.min() + 1]
    at = few[few["alpha"] == 0.01]
    assert (classes[:, 0] >= 0).sum() == len(np.unique(np.floor((at["x_start"] + 5) / 25 * n_bins)))


def test_threshold_case_is_two_over_the_sharp_curvature():
    cases, _ = thresholds.cases("sharp_wide")
    assert cases.names[0] == "minimum=sharp"
    assert cases.theory[0] == pytest.approx(0.0995, rel=1e-3)  # 2/f''(sharp)


# ---- what a map of the line allows, and the period-doubling window -----------------------
def test_no_orbit_and_no_aperiodic_run_where_the_map_is_monotone():
    """α ≤ 1/max f'': T(x) = x − αf'(x) is non-decreasing (T' ≥ 0 everywhere, checked
    on a grid), and every one of 200 starts converges."""
    alpha = sw.alpha_monotone()
    x = np.linspace(-10.0, 20.0, 30_001)
    assert (1.0 - alpha * sw.fsecond(x) >= -1e-9).all()
    assert (1.0 - 1.01 * alpha * sw.fsecond(x)).min() < 0  # and only up to it
    cols = sw.run(SETTINGS, alpha, list(range(200)))
    ends = np.asarray(cols["outcome"])[cols["step"] == cols["steps"]]
    assert set(ends) == {"converged"}


@pytest.mark.parametrize("alpha", [0.098, 0.103])
def test_the_window_around_the_sharp_threshold(alpha):
    """Just below 2/f''(sharp) both minima are stable and some starts settle on an
    attracting orbit beside them; just above it none reaches the sharp minimum, and
    some move aperiodically: a positive exponent, bounded, no orbit."""
    import pandas as pd

    from gdlab import orbits

    cols = pd.DataFrame(sw.run(SETTINGS, alpha, list(range(200))))
    ends = cols[cols["step"] == cols["steps"]]
    cycles = ends[ends["outcome"] == "cycle"]
    assert all(
        orbits.kind(m, p) == "attracting"
        for m, p in zip(cycles["orbit_multiplier"], cycles["period"], strict=True)
    )
    reached = set(ends.loc[ends["outcome"] == "converged", "minimum"])
    assert reached == set(sw.reachable(alpha))
    if alpha < sw.thresholds()["sharp"]:
        assert len(cycles) > 0 and (ends["outcome"] != "aperiodic").all()
    else:
        moving = ends[ends["outcome"] == "aperiodic"]
        assert len(moving) > 0 and (moving["lyapunov"] > 0).all()
        assert (moving["x"].abs() < 5).all()  # bounded, near the sharp minimum


def test_the_bifurcation_diagram_draws_every_bounded_run_once(gd_rows, tmp_path):
    from gdlab.problems.sharp_wide import basin_map, bifurcation

    runs = basin_map._per_run(gd_rows)
    png, svg = tmp_path / "b.png", tmp_path / "b.svg"
    dots = bifurcation.figure("sharp_wide", gd_rows, [str(png), str(svg)], 100, [-5.0, 20.0])
    assert len(dots) == int((runs["outcome"] != "diverged").sum())
    at_minimum = dots[dots["category"].isin(["sharp", "wide"])]
    cp = sw.critical_points()
    expected = at_minimum["category"].map({m: cp[m][0] for m in ("sharp", "wide")})
    assert np.allclose(at_minimum["x"], expected, atol=1e-4)  # each on its own minimum
    assert "<dc:date>" not in svg.read_text()
    again = tmp_path / "again.png"
    bifurcation.figure("sharp_wide", runs, [str(again)], 100, [-5.0, 20.0])  # per-run frame
    assert again.read_bytes() == png.read_bytes()


@pytest.mark.parametrize("interval", [[-1.7e308, -1.0e308], [1.0e307, 1.7e308]])
def test_every_figure_draws_starts_near_the_largest_floats_without_a_warning(interval, tmp_path):
    """Valid start intervals (hi − lo finite) near the float limits: positions are drawn
    in units of a power of ten, so matplotlib's transforms stay finite (they overflowed:
    RuntimeWarnings, then a ValueError from a tick locator)."""
    import warnings

    import pandas as pd

    from gdlab.problems.sharp_wide import basin_map, basin_ratio, bifurcation, landscape

    settings = {**SETTINGS, "start_interval": interval, "max_steps": 50}
    frames = []
    for alpha in (0.01, 0.3, 4.0):
        cols = pd.DataFrame(sw.run(settings, alpha, list(range(5))))
        frames.append(cols.assign(setting=f"alpha_{alpha!r}"))
    df = pd.concat(frames, ignore_index=True)
    homework = [0.01, 0.3, 4.0]
    drawings = {
        "landscape": (landscape.figure, (homework, interval)),
        "basin_map": (basin_map.figure, (interval,)),
        "bifurcation": (bifurcation.figure, (interval,)),
        "basin_ratio": (basin_ratio.figure, (homework, interval)),
    }
    for name, (draw, args) in drawings.items():
        png = tmp_path / f"{name}.png"
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            draw("sharp_wide", df, [str(png)], 50, *args)
        assert png.stat().st_size > 0, name
    from gdlab.problems.sharp_wide.ends import position_scale

    assert position_scale(*interval) == (1e308, " (× 10^308)")  # drawn in units of 1e308
