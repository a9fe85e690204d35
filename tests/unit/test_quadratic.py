import numpy as np
import pytest

from gdlab import problems
from gdlab.problems.quadratic import numerics as quadratic
from support import thresholds

SETTINGS = {"max_steps": 3000, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 7}


def last(cols, seed):
    rows = np.flatnonzero(cols["seed"] == seed)
    return rows[np.argmax(cols["step"][rows])]


@pytest.mark.parametrize(
    ("alpha", "expected"),
    [
        (0.1, "converged"),
        (1.0, "converged"),
        (1.99, "converged"),
        (2.0, "cycle"),  # θ_k = (−1)^k θ_0: a period-2 orbit
        (2.01, "diverged"),
        (3.0, "diverged"),
    ],
)
def test_threshold_alpha_2(alpha, expected):
    cols = quadratic.run(SETTINGS, alpha, [0, 1, 2])
    outcomes = {cols["outcome"][last(cols, s)] for s in (0, 1, 2)}
    assert outcomes == {expected}
    assert problems.theory("quadratic").predict(alpha) == expected


@pytest.mark.parametrize("alpha", [0.3, 1.5, 1.9, 2.5])
def test_iterates_match_closed_form_and_rate(alpha):
    cols = quadratic.run(SETTINGS, alpha, [0, 1])
    for seed in (0, 1):
        rows = np.flatnonzero(cols["seed"] == seed)
        theta0 = cols["x"][rows][cols["step"][rows] == 0][0]
        assert theta0 != 0
        exact = quadratic.closed_form(theta0, alpha, cols["step"][rows])
        np.testing.assert_allclose(cols["x"][rows], exact, rtol=1e-12, atol=0)
        np.testing.assert_allclose(cols["rate_empirical"][rows], abs(1 - alpha), rtol=1e-9)


def test_alpha_2_keeps_modulus():
    cols = quadratic.run(SETTINGS, 2.0, [3])
    assert np.all(np.abs(cols["x"]) == abs(cols["x"][0]))


def test_huge_alpha_and_start_are_classified_without_warnings():
    with np.errstate(
        over="raise", invalid="raise", divide="raise"
    ):  # any unsilenced overflow would raise here
        cols = quadratic.run(SETTINGS, 1e6, [0])
    assert set(cols["outcome"]) == {"diverged"}


def test_threshold_case_is_the_homework_s():
    cases, _ = thresholds.cases("quadratic")
    assert cases.names[0] == "minimum=0"
    assert cases.theory[0] == pytest.approx(2.0, rel=1e-15)  # 2/f'' with f'' = 1
