import numpy as np
import pytest

from gdlab.problems.conv_huber import numerics as ch
from support import thresholds, verdicts

REFERENCE = 0.4587586843129764


def test_reference_value_of_the_homework():
    settings = {
        "r": 3,
        "n": 20,
        "lam": 0.1,
        "max_steps": 100,
        "tolerance": 1e-30,
        "divergence_factor": 1e6,
        "reference_step": 100,
    }
    cols = ch.run(settings, 0.01, [0])
    value = cols["loss"][cols["step"] == 100][0]
    assert abs(value - REFERENCE) / REFERENCE <= 1e-12


def test_reference_value_from_a_plain_loop():
    """The same F(x_100) with the single-run (1-D) operator path."""
    k, b, _, _ = ch.draw(0, 3, 20)
    x = np.zeros(20)
    for _ in range(100):
        x = x - 0.01 * (ch.apply_transpose(k, ch.huber_prime(ch.apply(k, x) - b)) + 0.1 * x)
    value = ch.huber(ch.apply(k, x) - b).sum() + 0.05 * x @ x
    assert abs(value - REFERENCE) / REFERENCE <= 1e-12


def test_homework_slip_gives_the_wrong_value():
    """The homework's update adds λx outside the step: 904561.8, not 0.4588."""
    k, b, _, _ = ch.draw(0, 3, 20)
    x = np.zeros(20)
    for _ in range(100):
        x = x - 0.01 * ch.apply_transpose(k, ch.huber_prime(ch.apply(k, x) - b)) + 0.1 * x
    value = ch.huber(ch.apply(k, x) - b).sum() + 0.05 * x @ x
    assert value == pytest.approx(904561.8, rel=1e-6)


@pytest.mark.parametrize(("r", "n"), [(1, 1), (3, 20), (5, 5), (101, 300)])
def test_matrix_free_equals_dense_and_adjoint(r, n):
    rng = np.random.default_rng(r * n)
    k, x, y = rng.standard_normal(r), rng.standard_normal(n), rng.standard_normal(n - r + 1)
    A = ch.dense(k, n)
    np.testing.assert_allclose(ch.apply(k, x), A @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ch.apply_transpose(k, y), A.T @ y, rtol=1e-12, atol=1e-12)
    # batched path (one filter per row) equals the single-run path
    K = np.stack([k, 2 * k])
    np.testing.assert_allclose(ch.apply(K, np.stack([x, x]))[1], 2 * (A @ x), rtol=1e-12)
    np.testing.assert_allclose(
        ch.apply_transpose(K, np.stack([y, y]))[1], 2 * (A.T @ y), rtol=1e-12
    )
    err_dense, err_adjoint = ch.operator_errors(k, n, x, y)
    assert err_dense <= 1e-12 and err_adjoint <= 1e-12
    np.testing.assert_allclose(ch.naive_apply(k, x), A @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ch.naive_apply_transpose(k, y), A.T @ y, rtol=1e-12, atol=1e-12)


def test_converges_below_critical_step():
    settings = {
        "r": 3,
        "n": 20,
        "lam": 0.1,
        "max_steps": 20000,
        "tolerance": 1e-6,
        "divergence_factor": 1e6,
        "reference_step": 100,
    }
    cols = ch.run(settings, 0.1, [0, 1, 2])
    last = cols["step"] == cols["steps"]
    assert np.all(cols["alpha_critical"][last] > 0.1)
    assert set(np.array(cols["outcome"])[last]) == {"converged"}


def test_threshold_case_of_seed_0_is_the_homework_s():
    cases, _ = thresholds.cases("conv_huber")
    assert cases.names[0] == "seed=0"
    assert cases.theory[0] == pytest.approx(0.2046, rel=1e-3)


def test_threshold_minimum_and_perturbation_lie_in_range_of_a_transpose():
    cases, _ = thresholds.cases("conv_huber")
    k = cases.model.k
    for i in range(len(cases.names)):
        A = ch.dense(k[i], cases.x_star.shape[1])
        Q, _ = np.linalg.qr(A.T)
        for v in (cases.x_star[i], cases.direction[i]):
            assert np.linalg.norm(v - Q @ (Q.T @ v)) <= 1e-12 * np.linalg.norm(v)


def test_a_theory_over_all_of_rn_fails_the_check(monkeypatch):
    """The local theory taken over all of ℝⁿ instead of range(Aᵀ) (where GD from x = 0
    moves): its slowest mode is λ's, in the null space of A, which no run excites, so the
    default study's check must fail (a mutation the contract's generic ones cannot make)."""

    def spectrum_on_all_of_rn(k, b, lam, x):
        A = ch.dense(k, x.size)
        inside = (np.abs(A @ x - b) <= 1.0).astype(float)
        return np.linalg.eigvalsh(A.T @ (inside[:, None] * A) + lam * np.eye(x.size))

    table, report = verdicts.verdict("conv_huber")
    assert report["passed"] and table["rates_compared"].sum() > 0
    monkeypatch.setattr(ch, "local_spectrum", spectrum_on_all_of_rn)
    wrong = verdicts.computed("conv_huber")
    table, report = verdicts.verdict("conv_huber", frames=wrong)
    assert not report["passed"], (
        f"a theory over all of ℝⁿ passed (rates compared {table['rates_compared'].tolist()})"
    )
