"""OLS by gradient descent: the work of gdlab's ``lsq_gd`` problem."""

import numpy as np
from benchopt import BaseObjective

from benchmark_utils import gradient, loss


class Objective(BaseObjective):
    name = "OLS-GD"
    min_benchopt_version = "1.10"
    # gdlab's stopping rule (config/config.yaml, problems.lsq_gd)
    parameters = {
        "tolerance": [1.0e-10],
        "max_steps": [20000],
        "divergence_factor": [1.0e12],
    }
    # GD runs once, to its own stopping rule (no re-runs with growing budgets)
    sampling_strategy = "run_once"

    def set_data(self, X, Y, theta0):
        self.X, self.Y, self.theta0 = X, Y, theta0

    def get_objective(self):
        return dict(
            X=self.X,
            Y=self.Y,
            theta0=self.theta0,
            tolerance=self.tolerance,
            max_steps=self.max_steps,
            divergence_factor=self.divergence_factor,
        )

    def evaluate_result(self, theta, steps, converged):
        return dict(
            value=loss(self.X, self.Y, theta),
            grad_norm=float(np.linalg.norm(gradient(self.X, self.Y, theta))),
            steps=steps,
            converged=converged,
        )

    def get_one_result(self):
        return dict(theta=np.zeros(self.X.shape[1]), steps=0, converged=0)
