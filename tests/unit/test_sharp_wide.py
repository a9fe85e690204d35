import numpy as np
import pytest

from gdlab.problems.sharp_wide import numerics as sw

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
