"""What each job cost (gdlab.costs): Snakemake's benchmark records, written here by
Snakemake's own writer, read back into one row per job with a solver job's run-steps."""

from __future__ import annotations

import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from snakemake.benchmark import BenchmarkRecord, print_benchmark_tsv

from conftest import REPO
from gdlab import costs, grid, plan, problems
from gdlab.errors import ResultFileError

CONFIG = yaml.safe_load((REPO / "config/config.yaml").read_text())
P = next(p for p in problems.names() if problems.spec(p).iterative)
SETTING, OTHER = (grid.setting(P, v) for v in grid.grid_values(P, CONFIG["problems"][P])[:2])
SOLVER = grid.run_path(P, SETTING, "0-2")
OTHERS = (f"results/tables/{P}.csv", "results/figures/F.png")
SUMMARY = grid.summary_path(P, SETTING, "0-2")  # the solver job's own summary


def job(output: str) -> dict:
    """What the rule hands over of a job (:func:`gdlab.plan.measured`)."""
    entry = {"job": output, "benchmark": plan.benchmark(output)}
    if output == SOLVER:
        entry |= {"problem": P, "setting": SETTING, "seeds": "0-2", "points": [[SETTING, SUMMARY]]}
    return entry


def record(path: str, sampled: bool, wall: float, cpu: float, rss: float) -> None:
    r = BenchmarkRecord(running_time=wall, max_rss=rss, cpu_usage=cpu, cpu_time=cpu)
    r.data_collected, r.process_gone = sampled, not sampled  # gone: before the first sample
    r.first_time, r.prev_time = 0.0, wall
    with open(path, "w") as f:
        print_benchmark_tsv([r], f, extended_fmt=False)


def study(tmp_path, monkeypatch, steps=(10, 20, 30, 99)) -> None:
    monkeypatch.chdir(tmp_path)
    for output, sampled, wall, cpu in [(SOLVER, True, 2.0, 1.5), (OTHERS[0], False, 0.3, 0.0)]:
        bench = tmp_path / plan.benchmark(output)
        bench.parent.mkdir(parents=True, exist_ok=True)
        record(str(bench), sampled, wall, cpu, 123.4)
    summary = tmp_path / SUMMARY
    summary.parent.mkdir(parents=True)
    # seeds 0-2 at SETTING are the job's; seed 3 and the other setting are not (never
    # counted, should a summary hold them)
    table = {"setting": [SETTING] * 4 + [OTHER], "seed": [0, 1, 2, 3, 0]}
    table["steps"] = [*steps, 1000]
    pq.write_table(pa.table(table), summary)


def test_one_row_per_job_with_a_solver_jobs_run_steps(tmp_path, monkeypatch):
    study(tmp_path, monkeypatch)
    rows = costs.rows([job(o) for o in (SOLVER, *OTHERS)])
    assert [r["job"] for r in rows] == [SOLVER, *OTHERS]
    solver, table, figure = rows
    assert (solver["problem"], solver["setting"], solver["seeds"]) == (P, SETTING, "0-2")
    assert (solver["runs"], solver["run_steps"]) == (3, 10 + 20 + 30)
    assert solver["wall_s"] == 2.0 and solver["cpu_s"] == 1.5 and solver["max_rss_mb"] == 123.4
    assert solver["run_steps_per_s"] == 60 / 2.0
    # a job that ended before Snakemake's first sample: its wall time, no CPU or memory
    assert table["wall_s"] == 0.3 and math.isnan(table["cpu_s"]) and math.isnan(table["max_rss_mb"])
    assert math.isnan(table["runs"]) and table["problem"] == ""
    # a job with no record (made before benchmarks were recorded): a row of nothing
    assert all(math.isnan(figure[c]) for c in ("wall_s", "cpu_s", "max_rss_mb"))


def test_the_table_and_its_page(tmp_path, monkeypatch):
    study(tmp_path, monkeypatch)
    rows = costs.rows([job(o) for o in (SOLVER, *OTHERS)])
    costs.write_csv(rows, "costs.csv")
    lines = (tmp_path / "costs.csv").read_text().splitlines()
    assert lines[0] == ",".join(costs.COLUMNS)
    assert lines[1] == f"{SOLVER},{P},{SETTING},0-2,2,1.5,123.4,3,60,30"
    assert lines[2] == f"results/tables/{P}.csv,,,,0.3,,,,,"
    text = costs.headline(rows)
    assert text == (
        "3 jobs, 2.3 s of wall time in all (1 jobs sampled: 1.5 s of CPU);"
        " the 1 solver jobs: 60 run-steps at 30 per second"
    )
    page = costs.page(rows)
    assert page.index(SOLVER) < page.index(f"results/tables/{P}.csv")  # the slowest first
    assert text in page and all(c in page for c in costs.COLUMNS)


def test_a_problem_with_no_iteration_has_runs_and_no_speed(tmp_path, monkeypatch):
    study(tmp_path, monkeypatch, steps=(0, 0, 0, 0))
    (solver,) = costs.rows([job(SOLVER)])
    assert (solver["runs"], solver["run_steps"]) == (3, 0) and math.isnan(solver["run_steps_per_s"])


def test_every_job_of_the_study_is_measured_but_the_costs_job():
    config = CONFIG
    firsts = [j[0] for j in plan.job_outputs(config)]
    measured = plan.measured(config)
    assert [m["job"] for m in measured] == [f for f in firsts if f not in plan.COSTS.values()]
    assert len(measured) == len(plan.job_outputs(config)) - 1
    assert all(m["benchmark"] == plan.benchmark(m["job"]) for m in measured)
    solver = {j.path: j for p in plan.configured(config) for j in grid.jobs(config, p)}
    for m in measured:  # a solver job says where its runs' steps are; no other job does
        j = solver.get(m["job"])
        expected = (j.problem, j.setting, j.seeds, [[j.setting, j.summary]]) if j else None
        got = (
            tuple(m[k] for k in ("problem", "setting", "seeds", "points"))
            if "points" in m
            else None
        )
        assert got == expected, m
    assert set(plan.costs_inputs(config)) == set(plan.all_outputs(config)) - set(
        plan.COSTS.values()
    )
    assert (
        plan.benchmark("results/runs/a/b/seeds_0-1.parquet")
        == "results/benchmarks/runs/a/b/seeds_0-1.parquet.tsv"
    )


def test_a_damaged_record_leaves_its_row_empty(tmp_path, monkeypatch):
    study(tmp_path, monkeypatch)
    bench = tmp_path / plan.benchmark(SOLVER)
    for damage in (b"\xff\xfe\x00garbage", b"s\tcpu_time\nnot a number\tNA\n", b""):
        bench.write_bytes(damage)
        (solver,) = costs.rows([job(SOLVER)])
        assert all(math.isnan(solver[c]) for c in ("wall_s", "cpu_s", "max_rss_mb")), damage
        assert solver["run_steps"] == 60  # its runs are still counted
    bench.unlink()
    bench.mkdir()  # a folder in its place
    (solver,) = costs.rows([job(SOLVER)])
    assert math.isnan(solver["wall_s"])


def test_a_damaged_summary_is_one_line_naming_it(tmp_path, monkeypatch):
    study(tmp_path, monkeypatch)
    summary = tmp_path / SUMMARY
    for damage in (b"PAR1 not parquet", b""):
        summary.write_bytes(damage)
        with pytest.raises(
            ResultFileError, match=f"^{SUMMARY}: not a readable run summary .*; delete it"
        ):
            costs.rows([job(SOLVER)])
    summary.unlink()
    with pytest.raises(ResultFileError, match=f"^{SUMMARY}: not a readable run summary"):
        costs.rows([job(SOLVER)])
