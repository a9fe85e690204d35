"""The iterations a problem can own (gdlab.methods), through the generic loop, orbit
test and threshold experiment, against their linear theory on quadratics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdlab import descent, methods, orbits, threshold

MOMENTUM = (methods.HeavyBall, methods.Nesterov)
BETAS = (0.0, 0.5, 0.9, 0.99)


class Diagonal:
    """f(θ) = Σ λ_i θ_i² / 2 for every run (the same eigenvalues λ), minimum 0."""

    def __init__(self, lam):
        self.lam = np.asarray(lam, dtype=float)

    def gradient(self, theta):
        return self.lam * theta

    def loss(self, theta):
        return 0.5 * (self.lam * theta * theta).sum(axis=-1)

    def dist(self, theta):
        return np.sqrt((theta * theta).sum(axis=-1))

    def take(self, rows):
        return self

    def hessian_vector(self, theta, v):
        return self.lam * v


def reference(method: methods.Method, lam: float, theta0: float, alpha: float, steps: int):
    """The iterates of a 1-D quadratic by the method's formula, one Python float at a
    time (the issue's definitions, θ_{−1} = θ_0)."""
    beta = getattr(method, "beta", 0.0)
    prev, theta, out = theta0, theta0, [theta0]
    for _ in range(steps):
        if method.name == "nesterov":
            y = theta + beta * (theta - prev)
            new = y - alpha * (lam * y)
        else:
            new = (theta - alpha * (lam * theta)) + beta * (theta - prev)
        prev, theta = theta, new
        out.append(theta)
    return np.array(out)


def every_step(method, lam: float, theta0, alpha, steps: int) -> descent.Trace:
    """``steps`` steps of ``method`` on λθ²/2, every one recorded (no tolerance)."""
    return descent.descend(
        Diagonal([lam]),
        theta0,
        alpha,
        max_steps=steps,
        tolerance=0.0,
        divergence_factor=1e6,
        record=frozenset(range(steps + 1)),
        method=method,
    )


@pytest.mark.parametrize("cls", (methods.GD, *MOMENTUM))
def test_descend_runs_the_methods_formula_bit_for_bit(cls):
    method = cls() if cls is methods.GD else cls(beta=0.7)
    lam, alpha = 1.3, 0.4
    theta0 = np.array([[2.5], [-0.75], [1e-3]])
    trace = every_step(method, lam, theta0, alpha, 40)
    for run in range(3):
        rows = trace.run == run
        expected = reference(method, lam, float(theta0[run, 0]), alpha, 40)
        assert trace.theta[rows, 0].tolist() == expected.tolist()
        # grad_norm is ‖∇f(θ_k)‖ at the iterate, whatever point the step evaluates
        assert trace.grad_norm[rows].tolist() == np.abs(lam * expected).tolist()


@pytest.mark.parametrize("cls", MOMENTUM)
def test_chunking_does_not_change_a_bit_of_a_method_with_memory(cls, monkeypatch):
    kw = {
        "max_steps": 3000,
        "tolerance": 1e-12,
        "divergence_factor": 1e6,
        "record": descent.record_steps(3000),
        "method": cls(beta=0.9),
    }
    model = Diagonal([1.0, 0.01])
    theta0 = np.random.default_rng(1).standard_normal((64, 2))
    alpha = np.linspace(0.05, 4.0, 64)  # converging, cycling and diverging runs
    chunked = descent.descend(model, theta0, alpha, **kw)
    monkeypatch.setattr(descent, "_CHUNK_MIN", 1)
    monkeypatch.setattr(descent, "_CHUNK_MAX", 1)
    single = descent.descend(model, theta0, alpha, **kw)
    for field in ("run", "step", "loss", "grad_norm", "dist", "theta", "steps", "period"):
        assert np.array_equal(getattr(chunked, field), getattr(single, field), equal_nan=True)
    assert chunked.outcome == single.outcome
    assert {"converged", "diverged"} <= set(chunked.outcome)


@pytest.mark.parametrize(
    "method", [methods.GD(), *(cls(beta=b) for cls in MOMENTUM for b in BETAS)], ids=repr
)
def test_the_bisected_threshold_is_the_methods_critical_step(method):
    """The generic threshold experiment, run on the method, finds α·λ_max at the
    formula's value: GD 2, heavy ball 2(1 + β), Nesterov (2 + 2β)/(1 + 2β)."""
    lam = np.array([[3.0, 0.5], [10.0, 1.0]])
    cases = threshold.Cases(
        names=["a", "b"],
        model=Diagonal(lam),
        x_star=np.zeros((2, 2)),
        theory=method.critical_alpha_lambda() / lam.max(axis=1),
        method=method,
    )
    # the window spans many of the memory's time constants 1/(1 − √β) (the modulus
    # of a damped mode is √β): with 400 steps at β = 0.99 (2 of them) the transient
    # oscillation of the other mode was measured as growth (0.3608 found, 0.398 true)
    beta = getattr(method, "beta", 0.0)
    window = max(400, math.ceil(10 / (1 - math.sqrt(beta))))
    found = threshold.bisect(cases, (0.01, 5.0), rtol=1e-6, window=window)
    assert found["agrees"].all(), (found["lo"], found["theory"], found["hi"])
    assert (found["rel_width"] < 1e-6).all()


@pytest.mark.parametrize("cls", MOMENTUM)
def test_at_the_threshold_a_method_with_memory_settles_on_a_two_orbit(cls):
    """At α·λ = the critical value the companion matrix has the eigenvalue −1 (the
    other inside the unit circle): the run ends on a neutral 2-orbit, which the orbit
    test (closing θ_k and θ_{k−1}) names; just below it converges, just above it
    diverges."""
    method = cls(beta=0.5)
    h = method.critical_alpha_lambda()
    assert np.isclose(method.rate(h), 1.0, rtol=0, atol=1e-12)
    assert method.rate(0.999 * h) < 1.0 < method.rate(1.001 * h)
    trace = descent.descend(
        Diagonal([1.0]),
        np.array([[1.0], [1.0], [1.0]]),
        np.array([0.9 * h, h, 1.1 * h]),
        max_steps=2000,
        tolerance=1e-9,
        divergence_factor=1e6,
        record=frozenset({0}),
        method=method,
    )
    assert trace.outcome == ["converged", "cycle", "diverged"]
    assert trace.period.tolist() == [0, 2, 0]
    # its multiplier, on the state (θ, θ_{k−1}): the companion matrix squared has
    # eigenvalues 1 and (the other)² < 1, so the orbit is neutral
    assert orbits.kind(trace.multiplier[1], 2) == "neutral"


@pytest.mark.parametrize(
    ("cls", "alpha_lambda"),
    # β = 0.3: step sizes where the companion matrix has two real eigenvalues
    [(methods.HeavyBall, (0.1, 0.2, 2.45)), (methods.Nesterov, (0.1, 0.2, 1.5))],
)
def test_the_measured_rate_is_the_companion_spectral_radius(cls, alpha_lambda):
    """Where the companion matrix has two real eigenvalues of different moduli, the
    measured contraction over the second half of a run is its spectral radius."""
    method = cls(beta=0.3)
    lam, alpha = 1.0, np.array(alpha_lambda)
    trace = every_step(method, lam, np.ones((3, 1)), alpha, 200)
    theory = method.rate(alpha * lam)
    eig = np.linalg.eigvals(method.companion(alpha * lam))
    assert np.all(np.isreal(eig))
    gap = np.abs(eig).min(axis=1) / theory  # the slower mode fades as gap^k
    # over steps 100..200 the measured rate differs from the radius by ~gap^100 relative
    assert np.allclose(trace.rate_empirical(), theory, rtol=4 * gap.max() ** 100 + 1e-12)


@pytest.mark.parametrize("cls", MOMENTUM)
@pytest.mark.parametrize("beta", (0.1, 0.5, 0.9, 0.99))
def test_the_modes_make_the_companion_a_scaled_rotation_or_a_diagonal(cls, beta):
    """W M W⁻¹ (Method.modes) is r·R(φ) where M has a complex pair of modulus r, and
    diagonal where its eigenvalues are real; only a repeated eigenvalue is defective."""
    method = cls(beta=beta)
    h = np.linspace(0.01, 1.2 * method.critical_alpha_lambda(), 401)
    m = method.companion(h)
    coords, defective = method.modes(h)
    eig = np.linalg.eigvals(m)
    gap = np.abs(eig[:, 0] - eig[:, 1]) / np.abs(eig).max(axis=1).clip(min=1e-300)
    assert not (defective & (gap > 1e-3)).any(), h[defective & (gap > 1e-3)]
    c = coords @ m @ np.linalg.inv(coords)
    pair = np.abs(eig[:, 0].imag) > 0
    r = np.abs(eig).max(axis=1)
    ok = ~defective
    scale = r[:, None, None]
    rot = pair & ok
    assert rot.sum() > 50 and (~pair & ok).sum() > 50  # both kinds are tried
    np.testing.assert_allclose(c[rot, 0, 0], c[rot, 1, 1], atol=1e-12)
    np.testing.assert_allclose(c[rot, 0, 1], -c[rot, 1, 0], atol=1e-12)
    np.testing.assert_allclose(np.hypot(c[rot, 0, 0], c[rot, 0, 1]), r[rot], rtol=1e-12)
    diag = ~pair & ok
    np.testing.assert_allclose(
        (c[diag, 0, 1], c[diag, 1, 0]), 0.0, atol=1e-9 * scale[diag, 0, 0].max()
    )
