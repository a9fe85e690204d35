"""Each run against its own theory: the local rate at the point it reached, periodic
orbits, and intervals on shares (each number computed here independently)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gdlab import descent, stats
from gdlab.problems.conv_huber import numerics as conv_huber
from gdlab.problems.quadratic import numerics as quadratic
from gdlab.problems.sharp_wide import numerics as sharp_wide
from gdlab.problems.sharp_wide import theory as sharp_wide_theory

GD = {"max_steps": 20000, "tolerance": 1e-6, "divergence_factor": 1e6}


def test_conv_huber_reference_run_rate_is_the_smallest_singular_value_on_range_of_A_T():
    """Every residual of the reference run ends inside |r| ≤ 1, so the Hessian on
    range(Aᵀ) is AᵀA + λI there: the rate is 1 − α(σ₊,min² + λ)."""
    settings = {**GD, "r": 3, "n": 20, "lam": 0.1, "reference_step": 100}
    cols = conv_huber.run(settings, 0.01, [0])
    last = np.flatnonzero(cols["step"] == cols["steps"])[0]
    k, b, _, _ = conv_huber.draw(0, 3, 20)
    A = conv_huber.dense(k, 20)
    sigma = np.linalg.svd(A, compute_uv=False)  # the n − r + 1 non-zero ones
    assert (np.abs(A @ cols_final(settings) - b) <= 1).all()
    assert cols["rate_theory"][last] == pytest.approx(
        1 - 0.01 * (sigma.min() ** 2 + 0.1), rel=1e-12
    )
    assert cols["rate_theory"][last] == pytest.approx(0.991344, abs=5e-7)
    assert cols["rate_empirical"][last] == pytest.approx(0.991317, abs=5e-6)
    assert cols["alpha_critical"][last] == pytest.approx(2 / (sigma.max() ** 2 + 0.1), rel=1e-12)
    assert cols["alpha_lipschitz"][last] == pytest.approx(cols["alpha_critical"][last], rel=1e-12)


def cols_final(settings) -> np.ndarray:
    k, b, _, _ = conv_huber.draw(0, 3, 20)
    trace = descent.descend(
        conv_huber.Model(k[None], b[None], 0.1),
        np.zeros((1, 20)),
        0.01,
        **descent.stopping(settings),
        record=descent.record_steps(100),
    )
    return trace.final_theta[0]


def test_conv_huber_local_threshold_drops_where_residuals_leave_the_quadratic_zone():
    """A residual outside |r| ≤ 1 takes its row out of the Hessian: μ_max can only
    fall, so 2/μ_max is at least the global 2/(‖A‖² + λ)."""
    k, b, _, _ = conv_huber.draw(3, 3, 20)
    far = 50.0 * np.linalg.pinv(conv_huber.dense(k, 20)) @ np.sign(b)  # every |r| > 1
    rate, critical, _next = conv_huber.local_theory(k, b, 0.1, far, 0.05)
    assert critical == pytest.approx(2 / 0.1)  # only λ is left
    assert rate == pytest.approx(1 - 0.05 * 0.1)
    assert critical > conv_huber.alpha_critical(k, 20, 0.1)


def test_sharp_wide_rates_are_per_minimum():
    cols = sharp_wide.run(
        {**GD, "start_interval": [-5.0, 20.0], "root_seed": 20240309}, 0.01, list(range(50))
    )
    ends = pd.DataFrame({k: np.asarray(v)[cols["step"] == cols["steps"]] for k, v in cols.items()})
    cp = sharp_wide.critical_points()
    for m in ("sharp", "wide"):
        at = ends[ends["minimum"] == m]
        assert len(at) > 0
        assert np.allclose(at["rate_theory"], abs(1 - 0.01 * cp[m][1]), rtol=0, atol=0)
        assert np.allclose(at["alpha_critical"], 2 / cp[m][1], rtol=0, atol=0)
    row = sharp_wide_theory.table_row(
        0.01, ends, None, {"settings": {"start_interval": [-5.0, 20.0]}, "checks": {}}
    )
    assert row["rate_theory_sharp"] == pytest.approx(0.799, abs=5e-4)  # |1 − 0.01·20.1|
    assert row["rate_empirical_sharp"] == pytest.approx(row["rate_theory_sharp"], rel=1e-3)
    assert row["rate_theory_wide"] == pytest.approx(0.99, abs=1e-4)
    k = int((ends["minimum"] == "sharp").sum())
    assert (row["share_sharp_lo"], row["share_sharp_hi"]) == stats.wilson(k, 50)


def test_sharp_wide_just_above_the_sharp_threshold_settles_on_period_8_orbits():
    """α = 0.1 > 2/f''(x*_sharp) ≈ 0.0995: starts in the sharp basin cannot converge
    there; several settle on a stable periodic orbit, which more steps do not change."""
    settings = {**GD, "start_interval": [-5.0, 20.0], "root_seed": 20240309}
    cols = sharp_wide.run(settings, 0.1, list(range(50)))
    last = cols["step"] == cols["steps"]
    outcome, period = np.asarray(cols["outcome"])[last], cols["period"][last]
    x = cols["x"][last]
    assert (outcome == "cycle").sum() == 8
    assert set(period[outcome == "cycle"]) == {8}
    assert (period[outcome != "cycle"] == 0).all()
    for x_k in x[outcome == "cycle"]:  # independently: 8 steps of GD come back
        orbit = [x_k]
        for _ in range(16):
            orbit.append(orbit[-1] - 0.1 * float(sharp_wide.fprime(orbit[-1])))
        assert abs(orbit[8] - x_k) <= 1e-9 * abs(x_k) and abs(orbit[16] - x_k) <= 1e-9 * abs(x_k)
        assert min(abs(orbit[j] - x_k) for j in range(1, 8)) > 1e-3  # no shorter period
        assert 2.0 < max(abs(v) for v in orbit) < 2.6
    # the table: cycles are allowed here (the sharp minimum is unstable), never below 0.0995
    assert sharp_wide.reachable(0.1) == ["wide"]


def test_a_slow_approach_to_a_fixed_point_is_not_an_orbit():
    """α just below 2 on θ²/2: the iterate flips sign and shrinks by 0.9999 a step; at
    the budget it is neither converged nor on an orbit."""
    settings = {"max_steps": 200, "tolerance": 1e-12, "divergence_factor": 1e6, "root_seed": 1}
    cols = quadratic.run(settings, 1.9999, [0, 1])
    last = cols["step"] == cols["steps"]
    assert set(np.asarray(cols["outcome"])[last]) == {"max_steps"}
    assert (cols["period"][last] == 0).all()
    at_two = quadratic.run(settings, 2.0, [0, 1])
    assert set(np.asarray(at_two["outcome"])[at_two["step"] == at_two["steps"]]) == {"cycle"}


def test_the_orbit_test_is_bounded_by_its_maximum_period():
    settings = {**GD, "start_interval": [-5.0, 20.0], "root_seed": 20240309, "cycle_max_period": 7}
    cols = sharp_wide.run(settings, 0.1, list(range(50)))
    last = cols["step"] == cols["steps"]
    assert "cycle" not in set(np.asarray(cols["outcome"])[last])  # period 8 > 7: max_steps


def test_wilson_interval():
    assert stats.wilson(13, 50) == pytest.approx((0.159, 0.396), abs=5e-4)
    assert stats.wilson(0, 50)[0] == 0.0 and stats.wilson(50, 50)[1] == 1.0
    lo, hi = stats.wilson(25, 100)
    assert lo < 0.25 < hi and hi - lo == pytest.approx(
        2 * 1.96 * (0.25 * 0.75 / 100) ** 0.5, rel=0.05
    )
