import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import grid, problems, schema, solve


def test_canonical_float_spellings():
    assert grid.canonical_float(0.1) == grid.canonical_float(1e-1) == "0.1"
    assert grid.canonical_float(2) == "2.0"
    assert grid.setting("lsq_gd", 0.5) == "c_0.5"
    assert grid.setting("lsq_gradient", [20, 5]) == "shape_20x5"
    assert grid.parse_setting("alpha_1e-05") == ("alpha", 1e-5)
    with pytest.raises(ValueError):
        grid.canonical_float(float("nan"))


def test_sweep_is_log_spaced_and_deduplicated():
    values = grid.grid_values(
        "sharp_wide", {"alphas": [0.01, 0.3, 4.0], "sweep": {"min": 1e-3, "max": 10.0, "count": 25}}
    )
    assert values[:3] == [0.01, 0.3, 4.0]
    assert len(values) == len(set(values)) == 3 + 25 - 1  # 0.01 is in both
    logs = np.log10(sorted(set(grid.log_sweep(1e-3, 10.0, 25))))
    assert np.allclose(np.diff(logs), 4 / 24, atol=1e-3)


def test_seed_blocks():
    assert grid.seed_blocks(5, 2) == [(0, 1), (2, 3), (4, 4)]
    assert grid.seed_blocks(3, 10) == [(0, 2)]


def test_solver_settings_exclude_grid_keys():
    cfg = {
        "root_seed": 1,
        "seeds_per_job": 2,
        "problems": {"quadratic": {"alphas": [1.0], "seeds": 3, "max_steps": 5}},
    }
    assert grid.solver_settings(cfg, "quadratic") == {"max_steps": 5, "root_seed": 1}


def rows_by_seed(table):
    df = table.to_pandas()
    cats = df.select_dtypes("category").columns
    df[cats] = df[cats].astype(object)  # dictionaries list values in order of first use
    return {s: g.reset_index(drop=True) for s, g in df.groupby("seed")}


# hand-picked (grid point, solver settings) per problem; a problem without one is run
# at the first grid point of config/test.yaml with that config's settings
CASES = {
    "quadratic": (
        "alpha_1.5",
        {"max_steps": 500, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 2},
    ),
    "lsq_gd": (
        "c_0.9",
        {
            "shape": [30, 5],
            "max_steps": 2000,
            "tolerance": 1e-10,
            "divergence_factor": 1e12,
            "root_seed": 2,
        },
    ),
    "sharp_wide": (
        "alpha_0.05",
        {
            "start_interval": [-5.0, 20.0],
            "max_steps": 5000,
            "tolerance": 1e-6,
            "divergence_factor": 1e6,
            "root_seed": 2,
        },
    ),
    "conv_huber": (
        "alpha_0.1",
        {
            "r": 3,
            "n": 20,
            "lam": 0.1,
            "max_steps": 2000,
            "tolerance": 1e-6,
            "divergence_factor": 1e6,
            "reference_step": 100,
        },
    ),
    "lsq_gradient": ("shape_20x5", {"finite_difference_step": 1e-6, "root_seed": 2}),
}


def from_test_config(problem):
    """The first grid point of config/test.yaml and that config's solver settings."""
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    first = grid.grid_values(problem, cfg["problems"][problem])[0]
    return grid.setting(problem, first), grid.solver_settings(cfg, problem)


def case(problem):
    """(grid point, solver settings) of ``problem``: its hand-picked case, else the test
    config's."""
    return CASES[problem] if problem in CASES else from_test_config(problem)


def test_every_case_is_of_a_registered_problem_and_on_its_axis():
    assert set(CASES) <= set(problems.names())
    for problem in problems.names():
        for setting, settings in (case(problem), from_test_config(problem)):
            assert grid.parse_setting(setting)[0] == problems.spec(problem).grid.axis
            assert problems.spec(problem).grid.key not in settings


@pytest.mark.parametrize("problem", problems.names())
def test_a_seeds_rows_do_not_depend_on_its_block(problem):
    """seeds_per_job 1 and 10 give identical per-seed rows (bit for bit)."""
    setting, settings = case(problem)
    block = rows_by_seed(solve.solve(problem, setting, 0, 9, settings))
    for seed in (0, 4, 9):
        alone = rows_by_seed(solve.solve(problem, setting, seed, seed, settings))[seed]
        assert alone.equals(block[seed])


def test_schema_round_trip_and_provenance(tmp_path):
    types = schema.dataset_types()
    table = solve.solve(
        "quadratic",
        "alpha_0.5",
        0,
        2,
        {"max_steps": 100, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 2},
        types,
    )
    path = tmp_path / "x.parquet"
    schema.write(table, path)
    back = schema.read(path, "quadratic")
    assert back.schema.remove_metadata().equals(schema.arrow_schema(types))
    # every problem's columns, the others' NULL; the problem's own read alone
    assert back.column("err_dense").null_count == back.num_rows
    own = schema.read(path, "quadratic", own=True)
    assert own.schema.names == list(schema.columns("quadratic"))
    doc = schema.provenance(path)
    assert doc["problem"] == "quadratic" and doc["seeds"] == [0, 2]
    assert doc["settings"]["max_steps"] == 100 and len(doc["seed_entropy"]) == 3
    assert "numpy" in doc["versions"]
    # byte-identical for identical inputs
    schema.write(
        solve.solve(
            "quadratic",
            "alpha_0.5",
            0,
            2,
            {"max_steps": 100, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 2},
            types,
        ),
        tmp_path / "y.parquet",
    )
    assert path.read_bytes() == (tmp_path / "y.parquet").read_bytes()


def test_solver_imports_no_pandas_or_matplotlib(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, gdlab.solve as s;"
        f"s.main(['--problem','quadratic','--setting','alpha_0.5','--seeds','0-1','--settings','{{\"max_steps\":50,\"tolerance\":1e-8,\"divergence_factor\":1e6,\"root_seed\":1}}','--out',r'{tmp_path / 'q.parquet'}']);"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas','matplotlib')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def _cfg(seeds, max_steps=20000, **top):
    return {**top, "problems": {"sharp_wide": {"seeds": seeds, "max_steps": max_steps}}}


@pytest.mark.parametrize(
    ("seeds", "max_steps", "blocks"),
    [
        (50, 20000, [50]),  # the default study: one job per grid point
        (10_000, 20000, [10_000]),
        (10_001, 20000, [5001, 5000]),  # above the cap: equal blocks, not 10 000 + 1
        (30_000, 20000, [10_000] * 3),
        (5_000, 10**6, [200] * 25),  # a large step budget: 2e8 run-steps a job
        (7, 10**9, [1] * 7),
    ],
)
def test_job_size_follows_the_work_when_unset(seeds, max_steps, blocks):
    cfg = _cfg(seeds, max_steps)
    per_job = grid.seeds_per_job(cfg, "sharp_wide")
    assert [b - a + 1 for a, b in grid.seed_blocks(seeds, per_job)] == blocks
    # an explicit size wins, top-level or the problem's own
    assert grid.seeds_per_job(_cfg(seeds, max_steps, seeds_per_job=3), "sharp_wide") == 3
    cfg["problems"]["sharp_wide"]["seeds_per_job"] = 4
    assert grid.seeds_per_job(cfg, "sharp_wide") == 4
