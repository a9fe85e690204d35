"""A reader regenerates a run from a result file's metadata with NumPy alone: the data
process (generator, seed entropy, each draw in order), the settings and the stopping
rule the file states are enough to get the same numbers (tests/support/regenerate.py,
which does not import gdlab, writes every objective again)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import grid, problems, schema, solve

CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())


@pytest.mark.parametrize("name", problems.names())
def test_one_run_of_every_problem_regenerates_from_its_metadata(tmp_path, name):
    job = grid.jobs(CONFIG, name)[0]
    table = solve.solve(name, job.setting, job.first, job.last, grid.solver_settings(CONFIG, name))
    path = tmp_path / "run.parquet"
    schema.write(table, path)
    meta = schema.provenance(path)
    assert meta["data"]["draws"], "the metadata states how the data were drawn"
    if problems.spec(name).iterative:
        assert {"max_steps", "tolerance", "divergence_factor", "rule"} <= set(meta["stopping"])
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            str(REPO / "tests/support/regenerate.py"),
            str(path),
            str(job.first),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["gdlab_imported"] is False
    rows = table.to_pandas()
    run = rows[rows["seed"] == job.first].sort_values("step")
    if problems.spec(name).iterative:
        assert run["outcome"].iloc[-1] == doc["outcome"] == "converged"
        assert int(run["steps"].iloc[0]) == doc["steps"]
    regenerated = np.array(doc["loss"])[run["step"].to_numpy()]
    np.testing.assert_allclose(regenerated, run["loss"].to_numpy(), rtol=1e-11, atol=1e-300)
