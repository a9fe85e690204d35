"""What a run that used up its budget settled on (gdlab.orbits): an orbit's multiplier
against the product of the map's derivatives along it, and the Lyapunov exponent
against a map whose exponent is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gdlab import descent, orbits, tables
from gdlab.problems.quadratic import numerics as quadratic
from gdlab.problems.sharp_wide import numerics as sharp_wide

RULE = {"tolerance": 1e-12, "record": frozenset({0})}


class Logistic:
    """f'(x) = 4x² − 3x: GD with α = 1 is the logistic map x ↦ 4x(1 − x), whose
    Lyapunov exponent is ln 2 (for almost every start in (0, 1))."""

    def gradient(self, x):
        return 4.0 * x * x - 3.0 * x

    def loss(self, x):
        return (4.0 / 3.0 * x**3 - 1.5 * x**2)[:, 0]

    def dist(self, x):
        return np.full(x.shape[:-1], np.nan)

    def take(self, rows):
        return self

    def hessian_vector(self, x, v):
        return (8.0 * x - 3.0) * v


def test_a_sharp_wide_orbit_s_multiplier_is_the_product_along_it():
    """The stable 2-orbit beside the stable sharp minimum at α = 0.09817: its
    multiplier is |∏(1 − α f''(x_i))| over its two points (0.61), attracting."""
    alpha = 0.09817
    trace = descent.descend(
        sharp_wide.Model(),
        np.array([[2.312]]),
        alpha,
        max_steps=3000,
        divergence_factor=1e6,
        **RULE,
    )
    assert trace.outcome == ["cycle"] and trace.period.tolist() == [2]
    x = trace.final_theta[0, 0]
    points = [x, x - alpha * sharp_wide.fprime(x)]
    product = abs(np.prod([1.0 - alpha * sharp_wide.fsecond(np.array([p]))[0] for p in points]))
    assert trace.multiplier[0] == pytest.approx(product, rel=1e-12)
    assert 0.6 < trace.multiplier[0] < 0.62
    assert orbits.kind(trace.multiplier[0], 2) == "attracting"


def test_gd_at_its_threshold_is_on_a_neutral_orbit():
    """θ²/2 at α = 2: every point is on a 2-orbit with multiplier (1 − 2)² = 1."""
    trace = descent.descend(
        quadratic.Model(),
        np.array([[3.0], [-0.7]]),
        2.0,
        max_steps=50,
        divergence_factor=1e6,
        **RULE,
    )
    assert trace.outcome == ["cycle", "cycle"]
    assert trace.multiplier.tolist() == [1.0, 1.0]
    assert orbits.kind(1.0, 2) == "neutral"


def test_a_multiplier_is_the_spectral_radius_of_the_whole_map():
    """A linear map in three dimensions at the step where its largest eigenvalue puts
    1 − αλ at −1: the 2-orbit's monodromy (I − αH)² has spectral radius 1 — the
    other directions contract — so the orbit is neutral, not attracting."""
    lam = np.array([0.5, 1.0, 4.0])

    class Diagonal:
        def gradient(self, theta):
            return lam * theta

        def loss(self, theta):
            return 0.5 * (lam * theta * theta).sum(axis=-1)

        def dist(self, theta):
            return np.sqrt((theta * theta).sum(axis=-1))

        def take(self, rows):
            return self

        def hessian_vector(self, theta, v):
            return lam * v

    radius = orbits.multipliers(
        Diagonal(), np.array([[0.0, 0.0, 1.0]]), None, np.array([0.5]), np.array([2])
    )
    assert radius[0] == pytest.approx(1.0, abs=4 * np.finfo(float).eps)
    assert orbits.kind(radius[0], 2) == "neutral"
    assert orbits.kind(1.0 + 1e-6, 2) == "repelling" and orbits.kind(0.999, 2) == "attracting"


def test_the_logistic_map_is_aperiodic_with_exponent_ln_2():
    trace = descent.descend(
        Logistic(), np.array([[0.3]]), 1.0, max_steps=2000, divergence_factor=1e6, **RULE
    )
    assert trace.outcome == ["aperiodic"]
    # a finite-time estimate over 1000 steps: its spread is ~ 1/√1000 of ln 2's order
    assert trace.lyapunov[0] == pytest.approx(math.log(2.0), abs=0.1)


@pytest.mark.parametrize(("alpha", "sign"), [(2.0005, 1), (1.9995, -1)])
def test_a_run_still_moving_near_the_threshold_is_not_aperiodic(alpha, sign):
    """Slowly diverging (within its divergence bound) or slowly converging at the
    budget: its tangent grows or shrinks exactly as the motion does, so it is neither
    an orbit nor aperiodic; its exponent is log|1 − α|."""
    trace = descent.descend(
        quadratic.Model(), np.array([[1.0]]), alpha, max_steps=200, divergence_factor=1e300, **RULE
    )
    assert trace.outcome == ["max_steps"]
    assert np.sign(trace.lyapunov[0]) == sign
    assert trace.lyapunov[0] == pytest.approx(math.log(abs(1 - alpha)), rel=1e-9)


def test_an_orbit_that_does_not_attract_makes_its_row_disagree():
    """The table counts cycle runs by their orbit's kind; a repelling one, or one
    without a multiplier (no evidence), is unstable and the row cannot agree."""
    runs = pd.DataFrame(
        {
            "outcome": ["cycle", "cycle", "cycle", "cycle", "converged"],
            "orbit_multiplier": [0.5, 1.0, 1.3, np.nan, np.nan],
            "period": pd.array([2, 2, 2, 4, None], dtype="Int64"),
        }
    )
    assert tables.orbit_counts(runs) == {"neutral_orbits": 1, "unstable_orbits": 2}
    assert tables.orbit_counts(runs.iloc[[0, 1, 4]]) == {"neutral_orbits": 1, "unstable_orbits": 0}
