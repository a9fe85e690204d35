"""Which rows a solver job keeps: every recorded row of the seeds a figure may draw
(SPEC.trajectories), none of the others (their summary holds their numbers), and the
window each run's rate is read over (gdlab.trace.windows)."""

import json

import numpy as np
import pyarrow as pa
import pytest
import yaml

from conftest import REPO
from gdlab import grid, problems, schema, solve
from gdlab.trace import keep_rows, windows


def test_windows_are_read_at_the_last_recorded_steps_below_the_halves():
    # one run of K = 37 recorded at 0-10 and log-spaced steps: K/2 = 18 gives k0 = 17,
    # (k0 + K)/2 = 27 gives k1 = 22
    steps = [*range(11), 13, 17, 22, 28, 36, 37]
    # a second run that stopped at K = 3: k0 = 1, k1 = (1 + 3)//2 = 2
    seed = np.array([0] * len(steps) + [1] * 4)
    step = np.array([*steps, 0, 1, 2, 3])
    K = np.array([37] * len(steps) + [3] * 4)
    d = 0.5**step + seed
    w = windows(seed, step, K, d)
    assert w["seed"].tolist() == [0, 1]
    assert w["k0"].tolist() == [17, 1] and w["k1"].tolist() == [22, 2]
    assert w["d_k0"].tolist() == [0.5**17, 1.5] and w["d_k1"].tolist() == [0.5**22, 1.25]


def test_a_run_of_no_step_has_a_window_of_its_one_row():
    w = windows([4], [0], [0], [2.0])
    assert (w["k0"].tolist(), w["k1"].tolist(), w["d_k0"].tolist()) == ([0], [0], [2.0])


@pytest.mark.parametrize(
    ("seed", "step"),
    [([0, 0, 1, 0], [0, 1, 0, 2]), ([0, 0, 0], [0, 2, 1])],
    ids=["a run in two slices", "steps not ascending"],
)
def test_rows_out_of_order_are_refused(seed, step):
    with pytest.raises(ValueError, match="one slice in ascending steps"):
        windows(seed, step, [2] * len(seed), [1.0] * len(seed))


def test_keep_rows_cuts_lists_and_arrays_alike():
    # two runs of K = 20 recorded at every step: seed 1 keeps none
    step = np.tile(np.arange(21), 2)
    cols = {
        "seed": np.repeat([0, 1], 21),
        "step": step,
        "steps": np.full(42, 20),
        "outcome": [f"k{k}" for k in step],
    }
    cut = keep_rows(cols, 1)
    assert cut["step"].tolist() == [*range(21)] and cut["seed"].tolist() == [0] * 21
    assert cut["outcome"] == [f"k{k}" for k in cut["step"]]
    assert keep_rows(cols, None) is cols
    assert keep_rows(cols, 2) is cols


def _settings(problem):
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    return cfg, grid.solver_settings(cfg, problem)


def test_a_solver_job_keeps_the_rows_of_its_traced_seeds_only():
    """sharp_wide at α = 0.01 (runs of thousands of steps): seeds 0-1 keep their rows,
    seeds 2-9 none, the file says so, and the block's summary is the same, bit for bit,
    as with every row kept (every number of a run is in its summary)."""
    _cfg, settings = _settings("sharp_wide")
    setting = grid.setting("sharp_wide", 0.01)
    full, whole = solve.solve_block("sharp_wide", setting, 0, 9, settings, trajectories=None)
    cut, summary = solve.solve_block("sharp_wide", setting, 0, 9, settings, trajectories=2)
    seed = full.column("seed").to_numpy()
    expected = full.filter(pa.array(seed < 2))
    assert cut.num_rows == expected.num_rows < full.num_rows
    assert cut.to_pydict() == expected.to_pydict()
    assert summary.equals(whole) and summary.num_rows == 10
    meta = json.loads(cut.schema.metadata[schema.METADATA_KEY])
    assert "seeds 0-1" in meta["trajectories"] and meta["traced"] == 2
    meta = json.loads(full.schema.metadata[schema.METADATA_KEY])
    assert meta["trajectories"] == "every recorded row of every run" and meta["traced"] is None


def test_a_block_within_its_traced_seeds_keeps_every_row():
    """The spec's default: the test study's seeds are all below sharp_wide's 100."""
    assert problems.spec("sharp_wide").trajectories >= 10
    _cfg, settings = _settings("sharp_wide")
    setting = grid.setting("sharp_wide", 0.3)
    assert (
        solve.solve("sharp_wide", setting, 0, 4, settings).to_pydict()
        == solve.solve("sharp_wide", setting, 0, 4, settings, trajectories=None).to_pydict()
    )
