"""Gradient descent with α = c · 2/ρ(XᵀX), to gdlab's stopping rule."""

from benchopt import BaseSolver

from benchmark_utils import gd, step_size


class Solver(BaseSolver):
    name = "GD"
    parameters = {"c": [0.5, 0.99, 1.5]}
    sampling_strategy = "run_once"

    def set_objective(self, X, Y, theta0, tolerance, max_steps, divergence_factor):
        self.X, self.Y, self.theta0 = X, Y, theta0
        self.stop = dict(
            tolerance=tolerance, max_steps=max_steps, divergence_factor=divergence_factor
        )
        self.alpha = step_size(X, self.c)

    def run(self, _):
        self.theta, self.steps, self.outcome = gd(
            self.X, self.Y, self.theta0, self.alpha, **self.stop
        )

    def get_result(self):
        return dict(theta=self.theta, steps=self.steps, converged=int(self.outcome == "converged"))
