"""Iterations a problem can own: plain GD, heavy ball and Nesterov.

A method maps the state of a block of runs to its next iterate.  Its state is
the iterate θ_k and, for a method with memory, the iterate before it, θ_{k−1}
(θ_{−1} = θ_0: the first step of every method is a GD step).  The loop
(:func:`gdlab.descent.descend`), the orbit test (:mod:`gdlab.orbits`) and
the threshold experiment (:func:`gdlab.threshold.growth`) take a method and never
write its update themselves.

:meth:`Method.advance` also writes ∇f(θ_k), the gradient *at the iterate*, whatever
point its own step evaluates (Nesterov's look-ahead point y_k): ``grad_norm`` is
‖∇f(θ_k)‖ and ``tolerance`` keeps its meaning for every method.  All arithmetic is
row-wise, so a run's numbers do not depend on the other runs of its block.

:meth:`Method.tangent` is the step's derivative (an orbit's multipliers and a run's
Lyapunov exponent, :mod:`gdlab.orbits`).  Each method also states its linear theory
where the Hessian is constant, per eigenvalue λ
(docs/theory.md): the 2 × 2 companion matrix of the iteration on that eigenvector,
its critical step size and its asymptotic rate (the matrix's spectral radius).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gdlab.theory import next_rate

Gradient = Callable[[np.ndarray], np.ndarray]


def _companion(first, second) -> np.ndarray:
    """(..., 2, 2): [[first, second], [1, 0]], the update of (e_k, e_{k−1})."""
    first, second = np.broadcast_arrays(np.asarray(first, float), np.asarray(second, float))
    m = np.zeros((*first.shape, 2, 2))
    m[..., 0, 0], m[..., 0, 1], m[..., 1, 0] = first, second, 1.0
    return m


@dataclass(frozen=True)
class Method:
    """The interface: plain GD (no memory); subclasses override what differs."""

    name: ClassVar[str] = "gd"
    label: ClassVar[str] = "GD"  # in messages
    memory: ClassVar[int] = 0  # previous iterates the step reads

    def advance(
        self,
        gradient: Gradient,
        theta: np.ndarray,
        previous: np.ndarray,
        alpha: np.ndarray,
        out: np.ndarray,
        grad_out: np.ndarray,
    ) -> None:
        """θ_{k+1} into ``out`` and ∇f(θ_k) into ``grad_out``, from θ_k = ``theta``
        (runs, d), θ_{k−1} = ``previous`` (ignored without memory) and the runs' step
        sizes ``alpha`` (runs, 1)."""
        grad_out[...] = gradient(theta)
        np.subtract(theta, np.multiply(alpha, grad_out), out=out)

    def step(self, gradient: Gradient, theta, previous, alpha) -> np.ndarray:
        """θ_{k+1} (a new array); ``alpha`` broadcasts against ``theta``."""
        out, g = np.empty_like(theta), np.empty_like(theta)
        self.advance(gradient, theta, previous, alpha, out, g)
        return out

    def tangent(self, hessian_vector, theta, previous, alpha, v, v_previous) -> np.ndarray:
        """The step's derivative applied to a tangent vector: the change of θ_{k+1} when
        θ_k moves by ``v`` and θ_{k−1} by ``v_previous`` (ignored without memory);
        ``hessian_vector(θ, v)`` is ∇²f(θ)v, row-wise."""
        return v - alpha * hessian_vector(theta, v)

    # ---- the linear theory on one eigenvalue λ of a constant Hessian
    def companion(self, alpha_lambda) -> np.ndarray:
        """(..., 2, 2): the iteration on the state (e_k, e_{k−1}) along an eigenvector
        with eigenvalue λ, for h = α·λ (GD ignores e_{k−1})."""
        h = np.asarray(alpha_lambda, dtype=float)
        return _companion(1.0 - h, 0.0)

    def critical_alpha_lambda(self) -> float:
        """The h = α·λ above which the iteration diverges along that eigenvector
        (stable for 0 < h below it)."""
        return 2.0

    def rate(self, alpha_lambda) -> np.ndarray:
        """The asymptotic contraction per step along that eigenvector: the spectral
        radius of :meth:`companion`."""
        return np.abs(np.linalg.eigvals(self.companion(alpha_lambda))).max(axis=-1)


GD = Method
PLAIN_GD = GD()  # the default method of the loop, the orbit test and the thresholds


@dataclass(frozen=True)
class Momentum(Method):
    """A method that reads θ_{k−1}, weighted by its momentum β."""

    beta: float = 0.0
    memory: ClassVar[int] = 1


@dataclass(frozen=True)
class HeavyBall(Momentum):
    """θ_{k+1} = θ_k − α∇f(θ_k) + β(θ_k − θ_{k−1}) (Polyak)."""

    name: ClassVar[str] = "heavy_ball"
    label: ClassVar[str] = "heavy ball"

    def advance(self, gradient, theta, previous, alpha, out, grad_out) -> None:
        grad_out[...] = gradient(theta)
        np.subtract(theta, np.multiply(alpha, grad_out), out=out)
        out += self.beta * (theta - previous)

    def tangent(self, hessian_vector, theta, previous, alpha, v, v_previous) -> np.ndarray:
        return v - alpha * hessian_vector(theta, v) + self.beta * (v - v_previous)

    def companion(self, alpha_lambda) -> np.ndarray:
        h = np.asarray(alpha_lambda, dtype=float)
        return _companion(1.0 + self.beta - h, -self.beta)

    def critical_alpha_lambda(self) -> float:
        return 2.0 * (1.0 + self.beta)


@dataclass(frozen=True)
class Nesterov(Momentum):
    """y_k = θ_k + β(θ_k − θ_{k−1}), θ_{k+1} = y_k − α∇f(y_k)."""

    name: ClassVar[str] = "nesterov"
    label: ClassVar[str] = "Nesterov"

    def advance(self, gradient, theta, previous, alpha, out, grad_out) -> None:
        grad_out[...] = gradient(theta)  # at the iterate, for the stopping rule
        y = theta + self.beta * (theta - previous)
        np.subtract(y, np.multiply(alpha, gradient(y)), out=out)

    def tangent(self, hessian_vector, theta, previous, alpha, v, v_previous) -> np.ndarray:
        y = theta + self.beta * (theta - previous)
        w = v + self.beta * (v - v_previous)
        return w - alpha * hessian_vector(y, w)

    def companion(self, alpha_lambda) -> np.ndarray:
        h = np.asarray(alpha_lambda, dtype=float)
        return _companion((1.0 + self.beta) * (1.0 - h), -self.beta * (1.0 - h))

    def critical_alpha_lambda(self) -> float:
        return (2.0 + 2.0 * self.beta) / (1.0 + 2.0 * self.beta)


# The methods by name (a config's ``methods``, a result file's ``method`` column).
METHODS: dict[str, type[Method]] = {"gd": GD, "heavy_ball": HeavyBall, "nesterov": Nesterov}


def by_name(name: str, beta: float = 0.0) -> Method:
    """The method ``name`` (one of :data:`METHODS`) with momentum ``beta``."""
    cls = METHODS[name]
    return cls(beta=float(beta)) if issubclass(cls, Momentum) else cls()


def rates(method: Method, alpha_lambda) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``alpha_lambda`` (runs, eigenvalues: α·λ_i of each run's Hessian): the
    run's asymptotic rate, the largest spectral radius of :meth:`Method.companion` over
    its eigenvalues, and ``rate_theory_next``, the largest modulus of a mode that fades
    relative to the slowest (NaN if none).  Where the slowest mode is one of a complex
    pair, that is the rate itself: its conjugate never fades, the distance to the
    optimum beats at their angle, and no window of it measures the rate
    (:func:`gdlab.tables.measurable` then compares no rate)."""
    h = np.atleast_2d(np.asarray(alpha_lambda, dtype=float))
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvals(method.companion(h)).reshape(len(h), -1)  # (runs, 2·eigenvalues)
    moduli = np.abs(eig)
    top = moduli.argmax(axis=1)
    rate = moduli[np.arange(len(h)), top]
    pair = np.abs(eig[np.arange(len(h)), top].imag) > 0
    following = np.array([next_rate(row) for row in moduli])
    return rate, np.where(pair, rate, following)
