"""One seed of gdlab's ``lsq_gd``: X (N × p), Y and θ_0 standard normal."""

from benchopt import BaseDataset

from benchmark_utils import ROOT_SEED, draw


class Dataset(BaseDataset):
    name = "simulated"
    # seed: one instance per seed (benchmarks/vs_benchopt.py sets 0 … N−1)
    parameters = {
        "n_samples, n_features": [(50, 10)],
        "seed": [0],
        "root_seed": [ROOT_SEED],
    }

    def get_data(self):
        X, Y, theta0 = draw(self.seed, self.n_samples, self.n_features, self.root_seed)
        return dict(X=X, Y=Y, theta0=theta0)
