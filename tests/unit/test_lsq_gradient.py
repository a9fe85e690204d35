import numpy as np
import pytest

from gdlab.problems.lsq_gradient import numerics as lg


@pytest.mark.parametrize("shape", [(1, 1), (20, 5), (5, 20), (300, 40)])
def test_gradient_formulas(shape):
    X, Y, theta = lg.draw(0, 1, *shape)
    errors = lg.check(X, Y, theta, 1e-6)
    assert errors["err_sum"] <= 1e-12
    assert errors["err_fd"] <= 1e-6
    assert errors["err_sample"] <= 1e-6


def test_a_wrong_formula_is_caught():
    """The check compares against differences, so a wrong gradient fails it."""
    X, Y, theta = lg.draw(0, 1, 20, 5)
    fd = lg.central_differences(X, Y, theta, 1e-6).sum(axis=0)
    wrong = X.T @ (X @ theta + Y)  # sign slip
    assert np.linalg.norm(fd - wrong) / np.linalg.norm(wrong) > 1e-2
