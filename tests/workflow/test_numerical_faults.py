"""Numerical faults through the workflow: extreme step sizes and starts in every GD
problem's jobs, tables and figures leave no warning in any log (the direct calls:
tests/unit/test_numerical_faults.py)."""

from __future__ import annotations

import pandas as pd
import yaml

from conftest import REPO, copy_workflow, snakemake
from gdlab import grid, problems

# every problem run by GD (the registry's iterative ones), in registry order
ITERATIVE = [p for p in problems.names() if problems.spec(p).iterative]


def test_extreme_steps_through_the_workflow_leave_no_warning(tmp_path):
    """α = 1e6 for every problem (c = 1e6 for lsq_gd), starts up to ±1e300, and a
    divergence factor of 1e300 (iterates overflow before they are classified): the
    study completes, every α = 1e6 run is diverged, no log holds a warning."""
    wd = copy_workflow(tmp_path / "gdlab")
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    cfg["problems"] = p = {k: v for k, v in cfg["problems"].items() if k in ITERATIVE}
    for problem in ITERATIVE:  # one more grid value, 1e6, in every GD problem's grid
        p[problem]["seeds"] = 2
        key = problems.spec(problem).grid.key
        p[problem].update({key: [*p[problem][key][:1], 1.0e6], "divergence_factor": 1.0e300})
        # the threshold experiment bisects its own bracket, never the grid: not run here
        p[problem].pop("threshold", None)
    p["sharp_wide"].update(alphas=[0.3, 4.0, 1.0e6], start_interval=[-1.0e300, 1.0e300])
    del p["sharp_wide"]["sweep"]
    (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    snakemake(wd, "--cores", "2")
    logs = list((wd / "results/logs").rglob("*.log"))
    assert len(logs) > 10
    for log in logs:
        assert "Warning" not in log.read_text(), log
    for problem in ITERATIVE:
        table = pd.read_csv(wd / f"results/tables/{problem}.csv").set_index("setting")
        g = problems.spec(problem).grid
        if g.kind == "pair":  # every (name, first number) of the grid at 1e6
            names, firsts = (p[problem][k] for k in g.keys)
            points = [(n, a, 1.0e6) for n in names for a in firsts]
        else:
            points = [1.0e6]
        for value in points:
            row = table.loc[grid.setting(problem, value)]
            assert row["diverged"] == row["runs"] > 0, (problem, row)
    sw = pd.read_csv(wd / "results/tables/sharp_wide.csv").set_index("setting")
    assert sw.loc["alpha_0.3", "share_wide"] == 1.0  # from up to 1e300 away, still the wide one
