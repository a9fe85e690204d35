"""The momentum problems (momentum_quadratic, momentum_lsq) and their core pieces
(gdlab.momentum, the pair grid): runs against the linear theory of their method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gdlab import grid, methods, momentum, problems, tables
from gdlab.problems.lsq_gd import numerics as lsq_gd
from gdlab.problems.momentum_lsq import numerics as momentum_lsq
from gdlab.problems.momentum_quadratic import numerics as momentum_quadratic

BETAS = (0.0, 0.3, 0.5, 0.9, 0.99)
SETTINGS = {"max_steps": 3000, "tolerance": 1e-10, "divergence_factor": 1e6, "root_seed": 11}


@pytest.mark.parametrize("name", sorted(momentum.CRITICAL))
@pytest.mark.parametrize("beta", BETAS)
def test_the_spec_s_threshold_is_the_companion_matrix_s(name, beta):
    """h*(β) of the specs (pure Python) is the method's, and there the companion matrix
    has the eigenvalue −1: spectral radius below 1 just under it, above just over."""
    m = methods.by_name(name, beta)
    h_star = momentum.critical(name, beta)
    assert h_star == pytest.approx(m.critical_alpha_lambda(), rel=1e-15)
    eig = np.linalg.eigvals(m.companion(h_star))
    assert np.abs(eig + 1.0).min() < 1e-9
    below, above = m.rate(h_star * (1 - 1e-6)), m.rate(h_star * (1 + 1e-6))
    assert below < 1.0 < above


def test_the_issue_s_formulas():
    for beta in BETAS:
        assert momentum.critical("heavy_ball", beta) == pytest.approx(2 * (1 + beta))
        assert momentum.critical("nesterov", beta) == pytest.approx((2 + 2 * beta) / (1 + 2 * beta))


def test_momentum_lsq_draws_lsq_gd_s_data():
    """The same X, Y and θ_0 for the same seed and root seed, bit for bit."""
    model, theta0, _spectrum = momentum_lsq.problem_data([0, 3], [20, 4], 5)
    for row, seed in enumerate([0, 3]):
        X, Y, t0 = lsq_gd.draw(seed, 5, 20, 4)
        assert model.X[row].tobytes() == X.tobytes()
        assert model.Y[row].tobytes() == Y.tobytes()
        assert theta0[row].tobytes() == t0.tobytes()


def companion_iterates(m, h: float, theta0: float, steps: int) -> np.ndarray:
    """θ_k on θ²/2 from the companion matrix's powers: (θ_k, θ_{k−1}) = M^k (θ_0, θ_0)."""
    M = m.companion(h)
    state, out = np.array([theta0, theta0]), [theta0]
    for _ in range(steps):
        state = M @ state
        out.append(state[0])
    return np.array(out)


@pytest.mark.parametrize(("name", "beta", "h"), [("heavy_ball", 0.5, 2.7), ("nesterov", 0.9, 0.7)])
def test_quadratic_iterates_follow_the_companion_matrix(name, beta, h):
    cols = momentum_quadratic.run(SETTINGS, (name, beta, h), [0, 1])
    for seed in (0, 1):
        mine = np.asarray(cols["seed"]) == seed
        x, step = np.asarray(cols["x"])[mine], np.asarray(cols["step"])[mine]
        exact = companion_iterates(methods.by_name(name, beta), h, x[0], int(step.max()))[step]
        big = np.abs(exact) > 1e-200
        np.testing.assert_allclose(x[big], exact[big], rtol=1e-9)


@pytest.mark.parametrize(
    ("name", "beta", "h", "outcome"),
    [
        ("heavy_ball", 0.9, 3.7, "converged"),
        ("heavy_ball", 0.9, 3.9, "diverged"),
        ("nesterov", 0.5, 1.45, "converged"),
        ("nesterov", 0.5, 1.55, "diverged"),
    ],
)
def test_lsq_runs_do_what_the_threshold_says_at_their_rate(name, beta, h, outcome):
    settings = {**SETTINGS, "shape": [30, 5], "max_steps": 20000}
    cols = momentum_lsq.run(settings, (name, beta, h), [0, 1, 2])
    last = np.asarray(cols["step"]) == np.asarray(cols["steps"])
    assert {o for o, k in zip(cols["outcome"], last, strict=True) if k} == {outcome}
    assert momentum.THEORY.predict((name, beta, h)) == outcome
    emp, theo = (np.asarray(cols[c])[last] for c in ("rate_empirical", "rate_theory"))
    assert ((theo < 1) if outcome == "converged" else (theo > 1)).all()
    np.testing.assert_allclose(emp, theo, rtol=0.05)  # the table holds the tighter rtol


def test_a_pair_grid_point_round_trips():
    g = problems.spec("momentum_lsq").grid
    for value in [("heavy_ball", 0.0, 3.0), ("nesterov", 0.99, 1e-05), ("nesterov", 0.5, 1.5)]:
        point = g.point(value)
        assert grid.parse_setting(point, "momentum_lsq") == (value[0], value)
    with pytest.raises(ValueError):
        grid.parse_setting("gd_0.5x1.0", "momentum_lsq")  # not a method of its grid


def test_the_grid_is_the_product_and_no_solver_reads_its_keys():
    cfg = {
        "methods": ["heavy_ball", "nesterov"],
        "betas": [0.0, 0.5],
        momentum.H: [1.0, 2.0, 3.0],
        "seeds": 1,
        "max_steps": 10,
    }
    values = grid.grid_values("momentum_quadratic", cfg)
    assert len(values) == 12 and values[0] == ("heavy_ball", 0.0, 1.0)
    config = {"root_seed": 1, "problems": {"momentum_quadratic": cfg}}
    assert grid.solver_settings(config, "momentum_quadratic") == {"max_steps": 10, "root_seed": 1}


def test_the_theory_of_a_grid_point():
    t = momentum.THEORY
    assert t.predict(("heavy_ball", 0.5, 2.9)) == "converged"
    assert t.predict(("heavy_ball", 0.5, 3.0)) == "cycle"
    assert t.predict(("nesterov", 0.5, 1.6)) == "diverged"
    assert t.describe(("nesterov", 0.5, 1.6)) == (
        "diverged (αλ_max > (2 + 2·0.5)/(1 + 2·0.5) = 1.5)"
    )


def test_a_grid_with_no_stable_point_is_one_line_per_method_and_beta():
    section = {"methods": ["heavy_ball", "nesterov"], "betas": [0.5], momentum.H: [1.6, 4.0]}
    (line,) = momentum.validate(section, "momentum_lsq")
    assert line.startswith("problems.momentum_lsq.alpha_lambda_max: no value below nesterov's")
    assert "allowed: at least one value 0 < αλ_max < 1.5" in line


def test_the_map_measures_the_companion_matrices_rate(monkeypatch):
    """The (αλ_max, β) map's measured growth is the largest spectral radius over XᵀX's
    eigenvalues (where it is not too close to 1 for its window)."""
    from gdlab.problems.momentum_lsq import stability_map

    monkeypatch.setattr(stability_map, "H", np.array([0.5, 1.9, 3.5]))
    monkeypatch.setattr(stability_map, "BETAS", np.array([0.0, 0.3]))
    growth = stability_map.measured_map("heavy_ball", [30, 5], 11)
    _model, _t0, spectrum = momentum_lsq.problem_data([0], [30, 5], 11)
    for i, beta in enumerate(stability_map.BETAS):
        for j, h in enumerate(stability_map.H):
            m = methods.by_name("heavy_ball", beta)
            (rate,), _next = methods.rates(m, h * spectrum / spectrum[0, 0])
            assert growth[i, j] == pytest.approx(rate, rel=2e-2), (beta, h)


BASINS = {
    "start_interval": [-5.0, 20.0],
    "root_seed": 3,
    "max_steps": 3000,
    "tolerance": 1e-6,
    "divergence_factor": 1e6,
}


@pytest.mark.parametrize("name", ["heavy_ball", "nesterov"])
def test_momentum_at_beta_zero_finds_what_gd_finds_on_sharp_wide(name):
    """The momentum basins' β = 0 is the study's GD: the same category per start."""
    from gdlab.problems.sharp_wide import momentum_basins
    from gdlab.problems.sharp_wide import numerics as sharp_wide

    settings = BASINS
    alphas = (0.01, 0.3, 4.0)
    rows, beyond = momentum_basins.shares(settings, 12, name, 0.0, alphas)
    assert not beyond
    table = pd.DataFrame(rows).set_index("alpha")
    for a in alphas:
        cols = sharp_wide.run(settings, a, list(range(12)))
        last = np.asarray(cols["step"]) == np.asarray(cols["steps"])
        ends = [
            m if o == "converged" else o
            for m, o, k in zip(cols["minimum"], cols["outcome"], last, strict=True)
            if k
        ]
        for c in ("sharp", "wide", "diverged"):
            assert table.loc[a, c] == pytest.approx(ends.count(c) / 12)


def test_the_optimum_puts_every_mode_on_the_circle_sqrt_beta():

    _model, _t0, spectrum = momentum_lsq.problem_data([0, 1], [30, 5], 11)
    alpha, beta, rate = momentum_lsq.optimum(spectrum)
    for i in range(2):
        m = methods.by_name("heavy_ball", beta[i])
        moduli = np.abs(np.linalg.eigvals(m.companion(alpha[i] * spectrum[i])))
        np.testing.assert_allclose(moduli, rate[i], rtol=1e-6)
        kappa = spectrum[i, 0] / spectrum[i, -1]
        assert rate[i] < (kappa - 1) / (kappa + 1)  # faster than GD's best


def test_the_optimum_check_holds_the_measured_rate_to_its_tolerance():
    """Passes at 1e-3; at 1e-4 the Jordan blocks' 2^(1/2000) − 1 = 3.47e-4 shows and it
    fails naming the seed; with no seed it fails."""
    from gdlab.problems.momentum_lsq import optimum

    ok = optimum.check("momentum_lsq", None, 1e-3, 2, [30, 5], 11)
    assert ok["passed"], ok["failures"]
    np.testing.assert_allclose(ok["rel_err"], 2 ** (1 / 2000) - 1, rtol=1e-2)
    tight = optimum.check("momentum_lsq", None, 1e-4, 2, [30, 5], 11)
    assert not tight["passed"] and tight["failures"][0].startswith("seed 0: heavy ball at its")
    assert not optimum.check("momentum_lsq", None, 1e-3, 0, [30, 5], 11)["passed"]


@pytest.mark.parametrize(("name", "beta"), [("heavy_ball", 0.9), ("nesterov", 0.9)])
def test_a_lyapunov_exponent_near_the_threshold_is_the_log_rate(name, beta):
    """5e-5 below the threshold the companion matrix is far from normal; after its
    burn-in the estimate is log ρ, negative (it was +0.001 for heavy ball)."""
    from gdlab import orbits

    m = methods.by_name(name, beta)
    h = m.critical_alpha_lambda() * (1 - 5e-5)
    theta = np.array([[1e-6], [-3e-6]])
    exponent, _spread = orbits.lyapunov(
        momentum_quadratic.Model(), theta, theta, np.full(2, h), method=m
    )
    np.testing.assert_allclose(exponent, np.log(m.rate(h)), rtol=1e-2)
    assert (exponent < 0).all()


def test_the_threshold_job_writes_each_group_s_method_and_beta(tmp_path):
    """A problem's case groups become rows with their method and β, in order (the job's
    main, in process)."""
    import argparse

    from gdlab import threshold_table
    from gdlab.jobs import threshold as job

    out = tmp_path / "momentum_quadratic.csv"
    params = {
        "bracket": [1.0, 4.5],
        "rtol": 1e-6,
        "window": 400,
        "cases": {"methods": ["heavy_ball", "nesterov"], "betas": [0.0, 0.5]},
    }
    job.main(argparse.Namespace(problem="momentum_quadratic", params=params, out=str(out)))
    rows = threshold_table.read_rows(out)
    assert [(r["method"], float(r["beta"])) for r in rows] == [
        ("heavy_ball", 0.0),
        ("heavy_ball", 0.5),
        ("nesterov", 0.0),
        ("nesterov", 0.5),
    ]
    assert [float(r["theory"]) for r in rows] == [2.0, 3.0, 2.0, 1.5]
    assert threshold_table.check(rows, {"momentum_quadratic": 4})["passed"]


# (problem's numerics, method, β, h, rtol): the slowest mode a complex pair (a beat in
# the distance to θ*); on least squares heavy ball puts every eigenvalue's modes on one
# circle for αλ in ((1 − √β)², (1 + √β)²).  rtol: θ* = 0 on θ²/2, so the iterates are
# exact to rounding; least squares ends 1e-11 from θ* ≈ 0.3 (rounding 1e-6 of the
# error there, 1e-8 of its rate over ~100 steps)
PAIRS = [
    (momentum_quadratic, "heavy_ball", 0.5, 0.3, 1e-12),
    (momentum_quadratic, "nesterov", 0.9, 0.3, 1e-12),
    (momentum_lsq, "heavy_ball", 0.9, 1.5, 1e-6),
]


@pytest.mark.parametrize(("numerics", "name", "beta", "h", "rtol"), PAIRS)
def test_a_complex_pair_s_rate_is_measured_in_its_modes_norm(numerics, name, beta, h, rtol):
    """The rate window of a run whose slowest mode is a complex pair is measured in its
    modes' norm: both halves contract at exactly the pair's modulus, so the run's
    rate is compared with its theory (steady, resolved) and agrees to rounding."""
    settings = {**SETTINGS, "shape": [30, 5]}
    cols = numerics.run(settings, (name, beta, h), [0, 1, 2])
    last = np.asarray(cols["step"]) == np.asarray(cols["steps"])
    runs = pd.DataFrame({c: np.asarray(v)[last] for c, v in cols.items() if len(v) == len(last)})
    m = methods.by_name(name, beta)
    eig = np.linalg.eigvals(m.companion(h if numerics is momentum_quadratic else 0.5 * h))
    assert np.abs(eig.imag).min() > 0  # a complex pair
    assert (runs["outcome"] == "converged").all()
    assert (
        runs["rate_theory_next"].isna().all()
        or (runs["rate_theory_next"] < runs["rate_theory"]).all()
    )
    assert (runs["steps"] >= tables.MIN_RATE_STEPS).all()
    window = tables.measurable(runs, rtol)
    assert window["steady"].all() and window["resolved"].all()
    np.testing.assert_allclose(runs["rate_empirical"], runs["rate_theory"], rtol=rtol)


def test_the_distance_of_a_complex_pair_measures_no_rate(monkeypatch):
    """The same runs measured in the distance to θ* (W the identity): the halves of the
    window disagree and the rate misses by far more than any tolerance, so the modes'
    norm is what makes the comparison possible (a wrong norm fails)."""
    identity = lambda self, h: (  # noqa: E731
        np.broadcast_to(np.eye(2), (*np.shape(h), 2, 2)),
        np.zeros(np.shape(h), dtype=bool),
    )
    monkeypatch.setattr(methods.Momentum, "modes", identity)
    cols = momentum_quadratic.run(SETTINGS, ("heavy_ball", 0.5, 0.3), [0, 1, 2])
    last = np.asarray(cols["step"]) == np.asarray(cols["steps"])
    rel = np.abs(
        np.asarray(cols["rate_empirical"])[last] / np.asarray(cols["rate_theory"])[last] - 1
    )
    assert (rel > 1e-3).any()


def test_the_basins_check_holds_every_run_to_its_method_s_bound(monkeypatch):
    """The check ``momentum_basins`` passes on the default study's landscape, its table
    holds every (method, β, α) with shares summing to one; with heavy ball's bound
    taken for GD's 2/f''(x*) (a wrong theory) the runs that reach the sharp minimum
    above GD's threshold fail it, by name."""
    from gdlab.problems.sharp_wide import momentum_basins

    params = {**BASINS, "seeds": 30}
    report = momentum_basins.check("sharp_wide", None, **params)
    assert report["passed"], report["failures"]
    table = pd.DataFrame(report["tables"]["momentum_basins"])
    grid = {(m, b) for m in momentum_basins.METHODS for b in momentum_basins.BETAS}
    assert set(zip(table["method"], table["beta"], strict=True)) == grid
    assert len(table) == len(grid) * len(momentum_basins.ALPHAS)
    shares = table[list(momentum_basins.CATEGORIES)].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0, rtol=1e-12)
    assert (table["runs"] == 30).all()
    monkeypatch.setattr(momentum, "critical", lambda method, beta: 2.0)
    wrong = momentum_basins.check("sharp_wide", None, **params)
    assert not wrong["passed"]
    assert any(
        f.startswith("heavy_ball, β = 0.5:") and "sharp minimum" in f for f in wrong["failures"]
    )


def test_the_basins_check_fails_on_no_start():
    from gdlab.problems.sharp_wide import momentum_basins

    report = momentum_basins.check("sharp_wide", None, **{**BASINS, "seeds": 0})
    assert not report["passed"]
    assert report["failures"] == ["no start was run (problems.sharp_wide.seeds)"]
