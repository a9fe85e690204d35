import numpy as np
import pytest

from gdlab.problems.lsq_gd import numerics as lsq_gd
from support import thresholds

SETTINGS = {
    "shape": [40, 6],
    "max_steps": 20000,
    "tolerance": 1e-10,
    "divergence_factor": 1e12,
    "root_seed": 3,
}


def final(cols):
    keep = cols["step"] == cols["steps"]
    return {
        k: (
            np.asarray(v)[keep]
            if not isinstance(v, list)
            else [x for x, m in zip(v, keep, strict=True) if m]
        )
        for k, v in cols.items()
    }


@pytest.mark.parametrize(
    ("c", "expected"),
    [(0.5, "converged"), (0.99, "converged"), (1.01, "diverged"), (1.5, "diverged")],
)
def test_threshold_two_over_rho(c, expected):
    f = final(lsq_gd.run(SETTINGS, c, [0, 1, 2, 3]))
    assert set(f["outcome"]) == {expected}
    np.testing.assert_allclose(f["rate_empirical"], f["rate_theory"], rtol=0.05)


def test_alpha_is_c_times_two_over_rho_and_recorded():
    X, _Y, _t = lsq_gd.draw(5, 3, 40, 6)
    rho = np.linalg.eigvalsh(X.T @ X).max()
    f = final(lsq_gd.run(SETTINGS, 0.9, [5]))
    assert f["alpha"][0] == pytest.approx(0.9 * 2 / rho, rel=1e-12)
    assert f["alpha_critical"][0] == pytest.approx(2 / rho, rel=1e-12)


def test_error_recursion_closed_form():
    """ζ_k = (I − αXᵀX)^k ζ_0 (with the power k the homework's eq. 23 drops)."""
    X, Y, theta0 = lsq_gd.draw(0, 3, 40, 6)
    theta_star = np.linalg.lstsq(X, Y, rcond=None)[0]
    alpha = 0.5 * 2 / lsq_gd.spectrum(X)[0]
    model = lsq_gd.Model(X[None], Y[None], theta_star[None])
    theta = theta0[None].copy()
    for _ in range(25):
        theta = theta - alpha * model.gradient(theta)
    M = np.linalg.matrix_power(np.eye(6) - alpha * X.T @ X, 25)
    np.testing.assert_allclose(
        theta[0] - theta_star, M @ (theta0 - theta_star), rtol=1e-9, atol=1e-12
    )


def test_data_do_not_depend_on_alpha_or_block():
    a = lsq_gd.run(SETTINGS, 0.5, [0, 1, 2])
    b = lsq_gd.run(SETTINGS, 0.5, [1])
    rows_a = a["seed"] == 1
    for key in ("step", "loss", "dist", "grad_norm", "alpha"):
        assert np.array_equal(np.asarray(a[key])[rows_a], np.asarray(b[key]))


def test_threshold_case_is_two_over_rho_of_its_data():
    cases, _ = thresholds.cases("lsq_gd")
    assert cases.names[0] == "seed=0"
    assert cases.theory[0] == cases.unit[0]  # the threshold in c is 1: α = 2/ρ(XᵀX)


def test_a_finite_c_near_the_largest_float_diverges_without_a_warning():
    """c = 1e308 is a valid grid value: α·σ² overflows, every run diverges, and no
    RuntimeWarning reaches the job's log."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cols = lsq_gd.run({**SETTINGS, "max_steps": 100}, 1e308, [0, 1])
    assert set(cols["outcome"]) == {"diverged"}
