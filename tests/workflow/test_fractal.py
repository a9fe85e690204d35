"""fractal through the real Snakemake (the shared test study, config/test.yaml): its
boundary table holds numB(j) as the runs' summaries give it, its δ = 0 setup has its
one boundary at α*, and every α index of every setup is in the summaries once."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml


def _runs(study, setting: str) -> pd.DataFrame:
    files = sorted((study / "results/summaries/fractal" / setting).glob("seeds_*.parquet"))
    assert files, setting
    return pd.concat(
        pq.read_table(f, columns=["seed", "alpha", "outcome"]).to_pandas() for f in files
    )


def test_boundary_table_is_the_count_of_the_summaries(test_study):
    section = yaml.safe_load((test_study / "config/test.yaml").read_text())["problems"]["fractal"]
    table = pd.read_csv(test_study / "results/tables/fractal_boundary.csv")
    assert list(table.columns) == ["setting", "form", "delta", "wavelength", "x0", "k", "j", "numB"]
    assert sorted(table["setting"].unique()) == sorted(f"setup_{n}" for n in section["setups"])
    for name, setup in section["setups"].items():
        runs = _runs(test_study, f"setup_{name}").sort_values("seed")
        k = setup["k"]
        assert runs["seed"].tolist() == list(range(2**k + 1))  # every α index once
        assert np.array_equal(runs["alpha"].to_numpy(), np.arange(2**k + 1) * 1.5 / 2**k)
        diverged = (runs["outcome"] == "diverged").to_numpy()
        counted = [
            int(np.count_nonzero(diverged[:: 2 ** (k - j)][1:] != diverged[:: 2 ** (k - j)][:-1]))
            for j in range(k + 1)
        ]
        rows = table[table["setting"] == f"setup_{name}"].sort_values("j")
        assert rows["numB"].tolist() == counted
        assert (rows[["form", "delta", "wavelength", "x0", "k"]].iloc[0].tolist()) == [
            setup[c] for c in ("form", "delta", "wavelength", "x0", "k")
        ]


def test_flat_setup_has_its_one_boundary_at_alpha_star(test_study):
    cfg = yaml.safe_load((test_study / "config/test.yaml").read_text())["problems"]["fractal"]
    (name,) = [n for n, s in cfg["setups"].items() if s["delta"] == 0]
    star = (
        1
        + (math.sqrt(cfg["loss_bound"]) / abs(cfg["setups"][name]["x0"])) ** (1 / cfg["max_steps"])
    ) / 2
    report = json.loads((test_study / "results/checks/fractal_boundary.json").read_text())
    assert report["passed"]
    ((lo, hi),) = report["flat"][f"setup_{name}"]["boundaries"]
    assert lo <= star <= hi
    dims = pd.read_csv(test_study / "results/tables/fractal.csv").set_index("setting")
    assert dims.loc[f"setup_{name}", "numB"] == 1 and bool(dims.loc[f"setup_{name}", "agrees"])
    assert dims.loc[f"setup_{name}", "alpha_star"] == star
