"""Property-based tests (hypothesis) of the solvers and of the grid's names.

* quadratic: GD iterates equal the closed form θ_0(1 − α)^k;
* conv_huber: for random r ≤ n, the matrix-free A and Aᵀ equal the dense matrix, the
  adjoint identity ⟨Ax, y⟩ = ⟨x, Aᵀy⟩ holds, and the batched path equals the single one;
* lsq_gradient: ∇L = Xᵀ(Xθ − Y) = Σ∇ℓ_i and agrees with central differences for
  random shapes;
* string columns: built from NumPy buffers, equal to pyarrow's own ``pa.array`` of
  the same strings and NULLs;
* grid values: every positive finite float has one spelling, read back exactly from
  the path; the config check accepts exactly the positive finite step sizes.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import descent, grid, problems, schema
from gdlab.problems.conv_huber import numerics as conv_huber
from gdlab.problems.lsq_gradient import numerics as lsq_gradient
from gdlab.problems.quadratic import numerics as quadratic

PROPERTY = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
SCHEMA = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")


@PROPERTY
@given(st.lists(st.one_of(st.none(), st.sampled_from(["converged", "", "αβ"]), st.text())))
def test_a_string_column_is_pyarrows_own(values):
    column = schema._string_column(values)
    column.validate(full=True)
    assert column.equals(pa.array(values, type=pa.string()))


def finite(lo=-10.0, hi=10.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# ---- quadratic: the closed form
@PROPERTY
@given(
    alpha=st.floats(1e-6, 3.0, allow_nan=False),
    theta0=st.one_of(finite(0.5, 10.0), finite(-10.0, -0.5)),
    steps=st.integers(1, 300),
)
def test_quadratic_iterates_follow_the_closed_form(alpha, theta0, steps):
    trace = descent.descend(
        quadratic.Model(),
        np.array([[theta0]]),
        alpha,
        max_steps=steps,
        tolerance=0.0,
        divergence_factor=1e300,
        record=frozenset(range(steps + 1)),
    )
    x = trace.theta[:, 0]
    exact = quadratic.closed_form(theta0, alpha, trace.step)
    ok = np.isfinite(x) & (np.abs(exact) >= np.finfo(float).tiny)  # subnormals lose digits
    # rounding grows by k·(1 + |α/(1 − α)|): θ − αθ cancels digits when α ≈ 1
    growth = np.maximum(1.0, trace.step * (1.0 + abs(alpha / (1.0 - alpha)) if alpha != 1 else 1.0))
    assert (np.abs(x - exact)[ok] <= 1e-15 * growth[ok] * np.abs(exact[ok])).all()
    expected = problems.theory("quadratic").predict(alpha)
    if trace.outcome[0] != "max_steps":  # a finite budget may stop before the theory's end
        assert trace.outcome[0] == expected or (expected == "converged" and alpha == 1.0)


# ---- conv_huber: matrix-free operator vs dense matrix
@st.composite
def convolution(draw):
    n = draw(st.integers(1, 60))
    r = draw(st.integers(1, n))
    elements = finite(-5.0, 5.0)
    k = draw(arrays(np.float64, r, elements=elements))
    x = draw(arrays(np.float64, n, elements=elements))
    y = draw(arrays(np.float64, n - r + 1, elements=elements))
    return k, x, y


@PROPERTY
@given(convolution())
def test_convolution_equals_dense_and_is_adjoint(data):
    k, x, y = data
    n = x.size
    A = conv_huber.dense(k, n)
    assert A.shape == (n - k.size + 1, n)
    Ax, ATy = conv_huber.apply(k, x), conv_huber.apply_transpose(k, y)
    # absolute tolerances from the sizes involved (a floor for subnormal data)
    tol = 1e-12 * np.abs(k).sum() * max(np.abs(x).max(), np.abs(y).max(), 1.0) + 1e-300
    np.testing.assert_allclose(Ax, A @ x, rtol=0, atol=tol)
    np.testing.assert_allclose(ATy, A.T @ y, rtol=0, atol=tol)
    lhs, rhs = Ax @ y, x @ ATy
    assert abs(lhs - rhs) <= tol * max(np.abs(y).sum(), np.abs(x).sum(), 1.0)
    # the batched path (one filter per run, as in the solver) equals the single-run path
    K, X, Y = np.stack([k, -k]), np.stack([x, 2 * x]), np.stack([y, y])
    np.testing.assert_allclose(conv_huber.apply(K, X)[1], -2 * Ax, rtol=0, atol=2 * tol)
    np.testing.assert_allclose(conv_huber.apply_transpose(K, Y)[1], -ATy, rtol=0, atol=tol)


@PROPERTY
@given(convolution(), st.floats(0.0, 1.0))
def test_conv_huber_gradient_is_the_derivative_of_the_objective(data, lam):
    k, x, y = data
    model = conv_huber.Model(k[None, :], y[None, :], lam)
    g = model.gradient(x[None, :])[0]
    h = 1e-6
    for i in range(min(x.size, 5)):
        e = np.zeros_like(x)
        e[i] = h
        fd = (model.loss((x + e)[None, :]) - model.loss((x - e)[None, :]))[0] / (2 * h)
        # huber is C¹ with a kink in f'': central differences are accurate to ~h
        assert abs(fd - g[i]) <= 1e-4 * (1 + abs(g[i])) + 10 * h * np.abs(k).sum() ** 2


# ---- lsq_gradient: the gradient formulas for random shapes
@PROPERTY
@given(n=st.integers(1, 40), p=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_least_squares_gradient_formulas(n, p, seed):
    rng = np.random.default_rng(seed)
    X, Y, theta = rng.standard_normal((n, p)), rng.standard_normal(n), rng.standard_normal(p)
    g = lsq_gradient.gradient(X, Y, theta)
    per_sample = lsq_gradient.sample_gradients(X, Y, theta)
    assert per_sample.shape == (n, p)
    scale = np.abs(X).sum(axis=0) * (np.abs(X @ theta) + np.abs(Y)).max()
    np.testing.assert_allclose(per_sample.sum(axis=0), g, rtol=0, atol=1e-12 * scale.max())
    errors = lsq_gradient.check(X, Y, theta, 1e-6)
    assume(np.linalg.norm(g) > 1e-6)  # relative errors of a vanishing gradient are noise
    assert errors["err_sum"] <= 1e-12
    assert errors["err_fd"] <= 1e-5 and errors["err_sample"] <= 1e-5


# ---- grid values and their names
positive = st.floats(min_value=0.0, exclude_min=True, allow_nan=False, allow_infinity=False)


@PROPERTY
@given(positive)
def test_every_step_size_has_one_name_that_reads_back_exactly(alpha):
    name = grid.setting("quadratic", alpha)
    assert grid.parse_setting(name) == ("alpha", alpha)
    path = grid.run_path("quadratic", name, "0-9")
    assert grid.parse_run_path(path) == ("quadratic", name, (0, 9))
    assert grid.setting("quadratic", float(repr(alpha))) == name


@PROPERTY
@given(st.floats())
def test_the_config_accepts_exactly_the_positive_finite_step_sizes(alpha):
    cfg = {
        "root_seed": 1,
        "seeds_per_job": 1,
        "max_jobs": 100,
        "problems": {
            "quadratic": {
                "alphas": [alpha],
                "seeds": 1,
                "max_steps": 10,
                "tolerance": 1e-8,
                "divergence_factor": 10.0,
            }
        },
        "checks": {
            "rate_rtol": {},
            "closed_form_rtol": 1e-12,
            "optimum_rtol": 1e-3,
            "lsq_gradient": {"err_sum": 1e-12, "err_fd": 1e-6, "err_sample": 1e-6},
            "conv_huber": {
                "seed": 0,
                "alpha": 0.01,
                "value": 0.4587586843129764,
                "rtol": 1e-12,
                "operator_rtol": 1e-12,
            },
        },
        "plots": {"dpi": 100},
    }
    found = gdconfig.messages(cfg, SCHEMA)
    if math.isfinite(alpha) and alpha > 0:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith("problems.quadratic.alphas[0]: ")
        assert repr(alpha) in found[0]
