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
# An eigenbasis of a companion matrix whose condition number exceeds this is taken for a
# Jordan block (:meth:`Method.modes`): its coordinates would amplify rounding by as much.
MODES_COND = 1e8


def eig(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.linalg.eig`` of a stack of matrices (..., n, n), where a matrix with a
    non-finite entry (a step size near the largest float) has infinite eigenvalues and
    NaN eigenvectors instead of an error: it diverges."""
    values = np.full(m.shape[:-1], np.inf, dtype=complex)
    vectors = np.full(m.shape, np.nan, dtype=complex)
    finite = np.isfinite(m).all(axis=(-2, -1))
    if finite.any():
        values[finite], vectors[finite] = np.linalg.eig(m[finite])
    return values, vectors


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
        with np.errstate(over="ignore", invalid="ignore"):  # a step near the largest float
            return np.abs(eig(self.companion(alpha_lambda))[0]).max(axis=-1)

    def modes(self, alpha_lambda) -> tuple[np.ndarray, np.ndarray]:
        """(..., 2, 2) W and (...,) ``defective``: the coordinates w = W·(e_k, e_{k−1}) of
        the state along that eigenvector in which :meth:`companion` M is diagonal (two
        real eigenvalues) or a rotation scaled by its eigenvalues' modulus r (a complex
        pair: W M W⁻¹ = r·R(φ)).  There ‖w_k‖ = r^k ‖w_0‖ exactly, and with real
        eigenvalues the slower mode takes over at the rate of the faster's fading, so
        a run's rate window measured in this norm (:func:`gdlab.descent.descend`)
        measures the spectral radius, where the distance |e_k| of a complex pair beats
        at the angle φ and measures nothing.  ``defective``: a repeated eigenvalue
        without two eigenvectors (a Jordan block, whose norm grows like k·r^k), or an
        eigenbasis too ill-conditioned to trust (condition number above
        :data:`MODES_COND`); W is the identity there."""
        return self.spectrum(alpha_lambda)[1:]

    def spectrum(self, alpha_lambda) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The eigenvalues (..., 2) of :meth:`companion` and :meth:`modes`' W and
        ``defective``, from one eigendecomposition."""
        with np.errstate(all="ignore"):  # a step near the largest float: infinite modes
            values, vectors = eig(self.companion(alpha_lambda))
            first = vectors[..., :, 0]  # of values[..., 0]; its conjugate's is the conjugate
            pair = np.abs(values[..., 0].imag) > 0
            basis = np.where(
                pair[..., None, None],
                np.stack([first.real, first.imag], axis=-1),
                vectors.real,
            )
            cond = np.full(basis.shape[:-2], np.inf)
            finite = np.isfinite(basis).all(axis=(-2, -1))
            cond[finite] = np.linalg.cond(basis[finite]) if finite.any() else cond[finite]
        defective = ~(cond <= MODES_COND)
        safe = np.where(defective[..., None, None], np.eye(2), basis)
        return values, np.linalg.inv(safe), defective


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
    relative to the slowest (NaN if none), as a window measured in the modes' norm
    (:meth:`Method.modes`, what :func:`gdlab.descent.descend` measures on a constant
    Hessian) sees them: a complex pair's conjugate does not fade but keeps that norm
    steady, so the next is the largest smaller modulus.  Where the slowest mode is a
    Jordan block (``Method.modes``' defective), its norm grows like k·r^k and no
    window measures r: ``rate_theory_next`` is the rate itself, and
    :func:`gdlab.tables.measurable` compares no rate."""
    h = np.atleast_2d(np.asarray(alpha_lambda, dtype=float))
    values, _coords, defective = method.spectrum(h)  # values: (runs, eigenvalues, 2)
    moduli = np.abs(values).reshape(len(h), -1)
    top = moduli.argmax(axis=1)
    rate = moduli[np.arange(len(h)), top]
    jordan = defective[np.arange(len(h)), top // 2]  # the top's eigenvalue of the Hessian
    following = np.array([next_rate(row) for row in moduli])
    return rate, np.where(jordan, rate, following)


def mode_norm(method: Method, model, alpha) -> Callable | None:
    """For a method with memory on a model with a constant Hessian (its
    ``eigenbasis()``: Λ, V and θ* of every run, broadcastable over runs), the norm a
    run's rate window is measured in: ``norm(theta, previous, runs)`` of iterates θ_k
    (m, d) after θ_{k−1} of those runs (indices into ``alpha``), the norm of the state
    (Vᵀ(θ_k − θ*), Vᵀ(θ_{k−1} − θ*)) with each eigenvector's pair in the
    coordinates of :meth:`Method.modes` at αλ.  None for GD or a model without one (d
    is then the distance to θ*)."""
    if not method.memory or not hasattr(model, "eigenbasis"):
        return None
    values, vectors, star = model.eigenbasis()
    alpha = np.asarray(alpha, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        coords, _defective = method.modes(alpha[:, None] * values)
    dim = np.shape(star)[-1]
    vectors = np.broadcast_to(vectors, (alpha.size, dim, dim))
    star = np.broadcast_to(star, (alpha.size, dim))
    coords = np.broadcast_to(coords, (alpha.size, dim, 2, 2))

    def norm(theta, previous, runs) -> np.ndarray:
        v, s = vectors[runs], star[runs]
        u = np.stack(
            [np.einsum("mji,mj->mi", v, theta - s), np.einsum("mji,mj->mi", v, previous - s)],
            axis=-1,
        )
        w = np.einsum("mpij,mpj->mpi", coords[runs], u).reshape(len(runs), -1)
        with np.errstate(all="ignore"):  # scaled: no overflow before the bound stops a run
            big = np.abs(w).max(axis=1)
            scaled = w / np.where(big > 0, big, 1.0)[:, None]
            return big * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))

    return norm
