"""Objectives more than one problem runs: the homework's θ²/2 and least squares.

Each is a block of runs' model as :func:`gdlab.descent.descend` takes it: the
gradient, loss, distance to the optimum, Hessian-vector product (row-wise, one row a
run) and ``take(rows)``, the model of some of the runs.  GD and a method with
momentum run the same objective, each in its own problem folder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdlab import descent


@dataclass
class HalfSquare:
    """f(θ) = θ²/2 in one dimension: f' = θ, f'' = 1, θ* = 0."""

    def gradient(self, theta):
        return theta  # f'(θ) = θ

    def loss(self, theta):
        return 0.5 * theta[:, 0] ** 2

    def dist(self, theta):
        return np.abs(theta[..., 0])  # θ* = 0

    def take(self, rows):
        return self

    def hessian_vector(self, theta, v):
        return v  # f'' = 1

    def eigenbasis(self):
        """The constant Hessian's eigenvalues (runs, d), eigenvectors (runs, d, d, one
        a column) and the optimum θ* (runs, d), broadcast over runs: 1, 1 and 0."""
        return np.ones((1, 1)), np.ones((1, 1, 1)), np.zeros((1, 1))


@dataclass
class LeastSquares:
    """f(θ) = ½‖Xθ − Y‖² of each run's own X, Y; θ* its least-squares solution."""

    X: np.ndarray  # (runs, N, p)
    Y: np.ndarray  # (runs, N)
    theta_star: np.ndarray  # (runs, p)
    H: np.ndarray | None = None  # (runs, p, p) XᵀX, computed once
    XtY: np.ndarray | None = None  # (runs, p)

    def __post_init__(self):
        if self.H is None:
            self.H = np.einsum("rni,rnj->rij", self.X, self.X)
            self.XtY = np.einsum("rni,rn->ri", self.X, self.Y)

    def gradient(self, theta):
        return np.einsum("rij,rj->ri", self.H, theta) - self.XtY  # Xᵀ(Xθ − Y)

    def loss(self, theta):
        residual = np.einsum("rni,ri->rn", self.X, theta) - self.Y
        return 0.5 * np.einsum("rn,rn->r", residual, residual)

    def dist(self, theta):
        z = theta - self.theta_star  # (runs, p) or (steps, runs, p)
        return descent.row_norms(z.reshape(-1, z.shape[-1])).reshape(z.shape[:-1])

    def take(self, rows):
        return LeastSquares(
            self.X[rows], self.Y[rows], self.theta_star[rows], self.H[rows], self.XtY[rows]
        )

    def hessian_vector(self, theta, v):
        return np.einsum("rij,rj->ri", self.H, v)  # XᵀX v

    def eigenbasis(self):
        """XᵀX = VΛVᵀ of each run: Λ (runs, p), V (runs, p, p) and θ* (runs, p)."""
        values, vectors = np.linalg.eigh(self.H)
        return values, vectors, self.theta_star


def half_square_draws() -> tuple:
    """How one seed's θ_0 of :class:`HalfSquare` is drawn (for :func:`gdlab.seeding.process`):
    0.5 ≤ |θ_0| < 10, never 0."""
    return (
        ("size", "uniform", {"low": 0.5, "high": 10.0}),
        ("sign", "choice", {"a": [-1.0, 1.0]}),
    )


def least_squares_draws(shape) -> tuple:
    """How one seed's X, Y and θ_0 of :class:`LeastSquares` are drawn (for
    :func:`gdlab.seeding.process`), X of ``shape`` [N, p]."""
    n_samples, n_features = shape
    return (
        ("X", "standard_normal", {"size": [n_samples, n_features]}),
        ("Y", "standard_normal", {"size": n_samples}),
        ("theta0", "standard_normal", {"size": n_features}),
    )
