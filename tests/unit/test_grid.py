import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPO
from gdlab import grid, schema, solve, spec


def test_canonical_float_spellings():
    assert spec.canonical_float(0.1) == spec.canonical_float(1e-1) == "0.1"
    assert spec.canonical_float(2) == "2.0"
    assert grid.setting("lsq_gd", 0.5) == "c_0.5"
    assert grid.setting("lsq_gradient", [20, 5]) == "shape_20x5"
    assert grid.parse_setting("alpha_1e-05") == ("alpha", 1e-5)
    with pytest.raises(ValueError):
        spec.canonical_float(float("nan"))


def test_sweep_is_log_spaced_and_deduplicated():
    values = grid.grid_values(
        "sharp_wide", {"alphas": [0.01, 0.3, 4.0], "sweep": {"min": 1e-3, "max": 10.0, "count": 25}}
    )
    assert values[:3] == [0.01, 0.3, 4.0]
    assert len(values) == len(set(values)) == 3 + 25 - 1  # 0.01 is in both
    logs = np.log10(sorted(set(grid.log_sweep(1e-3, 10.0, 25))))
    assert np.allclose(np.diff(logs), 4 / 24, atol=1e-3)


def test_window_is_evenly_spaced_after_the_sweep_and_deduplicated():
    cfg = {
        "alphas": [0.01],
        "sweep": {"min": 1e-3, "max": 10.0, "count": 25},
        "window": {"min": 0.095, "max": 0.105, "count": 21},
    }
    values = grid.grid_values("sharp_wide", cfg)
    window = grid.linear_window(0.095, 0.105, 21)
    assert window[0] == 0.095 and window[-1] == 0.105 and len(set(window)) == 21
    assert np.allclose(np.diff(window), 0.0005, rtol=0, atol=1e-15)
    assert values[-20:] == [w for w in window if w != 0.1]  # 0.1 is in the sweep too
    assert len(values) == len(set(values)) == 1 + 25 - 1 + 21 - 1
    assert "window" in grid.GRID_ONLY_KEYS  # a new window point reruns no other job


def test_seed_blocks():
    assert grid.seed_blocks(5, 2) == [(0, 1), (2, 3), (4, 4)]
    assert grid.seed_blocks(3, 10) == [(0, 2)]


def _batched(alphas, seeds, per_job=None, points=None) -> dict:
    section = {"alphas": alphas, "seeds": seeds, "max_steps": 5}
    top = {"problems": {"quadratic": section}}
    if per_job:
        section["seeds_per_job"] = per_job
    if points:
        section["points_per_job"] = points
    return top


@pytest.mark.parametrize("points", [1, 2, 3, 4, 7, 100])
@pytest.mark.parametrize(("n_alphas", "seeds", "per_job"), [(1, 3, 3), (7, 5, 2), (10, 9, 4)])
def test_batches_deal_each_blocks_points_round_robin(points, n_alphas, seeds, per_job):
    """Every job in exactly one batch; a batch is one seed block, at most points_per_job
    points, its sizes within one of the block's others; every k-th point of the block
    (the costly small steps of a sweep spread over the batches); counted without listing."""
    config = _batched([0.1 * (i + 1) for i in range(n_alphas)], seeds, per_job, points)
    jobs = grid.jobs(config, "quadratic")
    batches = grid.batches(config, "quadratic")
    dealt = [j for b in batches for j in b]
    assert len(dealt) == len(set(dealt)) == len(jobs) and set(dealt) == set(jobs)
    for block in dict.fromkeys(j.seeds for j in jobs):
        mine = [b for b in batches if b[0].seeds == block]
        assert all({j.seeds for j in b} == {block} for b in mine)
        sizes = [len(b) for b in mine]
        assert max(sizes) <= points and max(sizes) - min(sizes) <= 1
        order = [j for j in jobs if j.seeds == block]
        assert [b[0] for b in mine] == order[: len(mine)]
        assert all(list(b) == order[i :: len(mine)] for i, b in enumerate(mine))
    runs = [seeds] * n_alphas
    assert grid.count_batches(runs, grid.seeds_per_job(config, "quadratic"), points) == len(batches)
    if points == 1:
        assert batches == [(j,) for j in jobs]


def test_points_per_job_is_the_problems_own_else_the_top_level_one():
    config = _batched([0.5], 3)
    assert grid.points_per_job(config, "quadratic") == 1
    config["points_per_job"] = 4
    assert grid.points_per_job(config, "quadratic") == 4
    config["problems"]["quadratic"]["points_per_job"] = 2
    assert grid.points_per_job(config, "quadratic") == 2
    assert "points_per_job" not in grid.solver_settings({**config, "root_seed": 1}, "quadratic")


def test_count_batches_counts_what_batches_would_list():
    """Grid points of different numbers of runs (a grid of named setups) share their
    whole blocks and keep their last, shorter ones apart."""
    rng = np.random.default_rng(0)
    for _ in range(500):
        runs = rng.choice([1, 3, 7, 10, 20, 23], size=rng.integers(1, 9)).tolist()
        per_job, points = int(rng.integers(1, 12)), int(rng.integers(1, 6))
        blocks: dict = {}
        for r in runs:
            for block in grid.seed_blocks(r, per_job):
                blocks[block] = blocks.get(block, 0) + 1
        expected = sum(-(-n // points) for n in blocks.values())
        assert grid.count_batches(runs, per_job, points) == expected, (runs, per_job, points)


def test_solver_settings_exclude_grid_keys():
    cfg = {
        "root_seed": 1,
        "seeds_per_job": 2,
        "problems": {"quadratic": {"alphas": [1.0], "seeds": 3, "max_steps": 5}},
    }
    assert grid.solver_settings(cfg, "quadratic") == {"max_steps": 5, "root_seed": 1}


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
    assert doc["settings"]["max_steps"] == 100 and doc["seed_entropy"][-1] == "seed"
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


@pytest.mark.parametrize(
    ("problem", "size", "budget_mb"),
    [
        ("lsq_gd", {"shape": [1000, 1000]}, None),  # X alone: 8 MB a seed
        ("lsq_gd", {"shape": [200, 100]}, 512),
        ("conv_huber", {"n": 2000}, 1024),
        ("sharp_wide", {"max_steps": 20000}, 256),
    ],
)
def test_job_size_stays_within_the_memory_model_when_unset(problem, size, budget_mb):
    """The chosen job size fits the modelled memory in the budget with the fewest jobs
    (equal blocks of at most what fits, or of what the work alone chooses), and the
    config check then finds nothing to say."""
    from gdlab import config as gdconfig
    from gdlab.limits import job_bytes, seeds_within

    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    cfg["problems"][problem].update(size, seeds=10_000)
    if budget_mb is not None:
        cfg["max_job_memory_mb"] = budget_mb
    budget, footprint, rows = grid.job_memory(cfg, problem)
    per_job = grid.seeds_per_job(cfg, problem)
    assert job_bytes(footprint, per_job, rows) <= budget
    fits = seeds_within(budget, footprint, rows)
    assert job_bytes(footprint, fits + 1, rows) > budget  # the most that fit
    work = min(grid.AUTO_MAX_SEEDS, grid.AUTO_RUN_STEPS // cfg["problems"][problem]["max_steps"])
    assert len(grid.seed_blocks(10_000, per_job)) == -(-10_000 // min(fits, work))
    assert gdconfig.memory_messages(cfg, problem) == []


def test_a_job_of_several_points_is_one_rule_and_rule_solve_makes_none_of_its_files():
    """The plan the Snakefile reads: each batched job a rule of its own whose outputs are
    its points' run files and summaries; rule solve's constraint matches every other
    job's file and none of a batch's; the costs table lists each job once."""
    from gdlab import plan

    config = yaml.safe_load((REPO / "config/test.yaml").read_text())
    config["problems"]["sharp_wide"]["points_per_job"] = 2
    batched = plan.solver_batches(config)
    assert batched and all(name.startswith("solve_sharp_wide_") for name, _ in batched)
    assert len({name for name, _ in batched}) == len(batched)
    # the benchmarks count solver jobs by rule name
    assert all(plan.solver_rule(name) for name, _ in batched) and plan.solver_rule("solve")
    assert not any(map(plan.solver_rule, ("table", "threshold_table", "runs_dataset", "solver")))
    in_batches = {j for _, b in batched for j in b}
    assert all(len(b) == 2 for _, b in batched)  # test.yaml: an even number of points
    assert in_batches == set(grid.jobs(config, "sharp_wide"))
    outputs = plan.job_outputs(config)
    every = [p for job in outputs for p in job]
    assert len(every) == len(set(every))
    for _, b in batched:
        assert tuple(p for j in b for p in (j.path, j.summary)) in outputs
    rule_solve = re.compile(
        rf"results/runs/(?:{plan.solver_job_re(config)})/[^/]+/seeds_[0-9]+-[0-9]+\.parquet$"
    )
    for p in plan.configured(config):
        for j in grid.jobs(config, p):
            assert bool(rule_solve.match(j.path)) == (j not in in_batches), j.path
    costs = {m["job"]: m for m in plan.measured(config)}
    for _, b in batched:
        entry = costs[b[0].path]
        assert entry["points"] == [[j.setting, j.summary] for j in b]
        assert entry["setting"] == f"{b[0].setting} .. {b[-1].setting}"
        assert all(j.path not in costs for j in b[1:])


def test_a_job_of_several_points_writes_each_points_own_bytes(tmp_path, capsys):
    """``python -m gdlab.solve`` given several --out files writes, for each, the bytes a
    job of that point alone writes; a path that names no point is refused in one line."""
    settings = json.dumps(
        {"max_steps": 40, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 3}
    )
    points = [("alpha_0.5", "0-1"), ("alpha_2.5", "0-1"), ("alpha_1.5", "0-1")]

    def paths(root, setting, seeds):
        return [
            str(root / grid.run_path("quadratic", setting, seeds)),
            str(root / grid.summary_path("quadratic", setting, seeds)),
        ]

    for setting, seeds in points:
        out, summary = paths(tmp_path / "alone", setting, seeds)
        argv = ["--problem", "quadratic", "--setting", setting, "--seeds", seeds]
        assert (
            solve.main([*argv, "--settings", settings, "--out", out, "--summary-out", summary]) == 0
        )
    together = [paths(tmp_path / "together", s, b) for s, b in points]
    argv = ["--problem", "quadratic", "--settings", settings]
    argv += ["--out", *(p[0] for p in together), "--summary-out", *(p[1] for p in together)]
    assert solve.main(argv) == 0
    for (setting, seeds), pair in zip(points, together, strict=True):
        for alone, joint in zip(paths(tmp_path / "alone", setting, seeds), pair, strict=True):
            assert Path(alone).read_bytes() == Path(joint).read_bytes(), joint
    with pytest.raises(SystemExit) as exc:
        solve.main(
            ["--problem", "quadratic", "--settings", settings, "--out", str(tmp_path / "x.parquet")]
        )
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        exc.value.code == 2
        and "is not results/runs/quadratic/<point>/seeds_<a>-<b>.parquet" in err[-1]
    )


@pytest.mark.parametrize("points", [1, 2, 5])
def test_max_jobs_counts_the_jobs_of_several_points(points):
    """The job count held against max_jobs is the jobs that run, each of up to
    points_per_job grid points: exactly what the plan lists, counted without listing."""
    from gdlab import config as gdconfig
    from gdlab import plan

    config = yaml.safe_load((REPO / "config/test.yaml").read_text())
    config["points_per_job"] = points
    listed = sum(len(grid.batches(config, p)) for p in plan.configured(config))
    assert gdconfig.count_jobs(config) == listed
    if points > 1:
        assert listed < sum(len(grid.jobs(config, p)) for p in plan.configured(config))
