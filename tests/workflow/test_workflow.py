"""The real workflow on the test config, end to end."""

import json
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from conftest import output_of, snakemake
from gdlab import grid, problems, tables
from gdlab import plan as gdplan


def registry_outputs() -> set[str]:
    """Every check and figure the registered problems declare (SPEC.checks, SPEC.figures)."""
    out = set()
    for p in problems.names():
        spec = problems.spec(p)
        out |= {f"results/checks/{c.name}.json" for c in spec.checks}
        out |= {f"results/figures/{f.name}.{ext}" for f in spec.figures for ext in ("png", "svg")}
        if spec.iterative:
            out.add("results/checks/convergence.json")
    return out


def test_every_output_exists(test_study):
    paths = registry_outputs()
    assert {  # the outputs of the homework, whatever the layout of the code
        "results/checks/conv_huber.json",
        "results/checks/lsq_gradient.json",
        "results/checks/convergence.json",
        "results/figures/basin_ratio.png",
        "results/figures/basin_ratio.svg",
    } <= paths
    for path in sorted(paths):
        assert (test_study / path).stat().st_size > 0, path
    for problem in problems.names():
        assert (test_study / f"results/tables/{problem}.csv").exists()
        assert (test_study / f"results/report/tables/{problem}.html").stat().st_size > 0
        assert (
            (test_study / f"results/tables/{problem}.md")
            .read_text()
            .startswith("# Convergence table")
        )


def test_conv_huber_reference_value(test_study):
    doc = json.loads((test_study / "results/checks/conv_huber.json").read_text())
    assert doc["passed"]
    assert abs(doc["computed_value"] - 0.4587586843129764) / 0.4587586843129764 <= 1e-12
    assert doc["max_dense_error"] <= 1e-12 and doc["max_adjoint_error"] <= 1e-12


def test_tables_agree_with_theory(test_study):
    q = pd.read_csv(test_study / "results/tables/quadratic.csv").set_index("setting")
    assert q.loc["alpha_0.5", "converged"] == q.loc["alpha_0.5", "runs"]
    assert q.loc["alpha_2.5", "diverged"] == q.loc["alpha_2.5", "runs"]
    assert q["agrees"].all()
    lg = pd.read_csv(test_study / "results/tables/lsq_gd.csv").set_index("setting")
    assert lg.loc["c_0.99", "converged"] == lg.loc["c_0.99", "runs"]
    assert lg.loc["c_1.5", "diverged"] == lg.loc["c_1.5", "runs"]
    sw = pd.read_csv(test_study / "results/tables/sharp_wide.csv").set_index("setting")
    assert 0 < sw.loc["alpha_0.01", "share_sharp"] < 1
    assert sw.loc["alpha_0.3", "share_wide"] == 1.0
    assert sw.loc["alpha_4.0", "diverged"] == sw.loc["alpha_4.0", "runs"]
    assert json.loads((test_study / "results/checks/convergence.json").read_text())["passed"]


def test_no_runtime_warning_in_any_log(test_study):
    logs = list((test_study / "results/logs").rglob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text()
        assert "Warning" not in text, f"{log}: {text[:500]}"


def test_parquet_files_are_tidy_and_bounded(test_study):
    files = sorted((test_study / "results/runs").rglob("*.parquet"))
    assert len(files) == sum(
        len(grid.jobs({"seeds_per_job": 2, **_cfg(test_study)}, p)) for p in problems.names()
    )
    for f in files:
        t = pq.read_table(f)
        per_run = t.num_rows / len(set(t.column("seed").to_pylist()))
        assert per_run <= 80, f


def _cfg(wd):
    import yaml

    return yaml.safe_load((wd / "config/test.yaml").read_text())


def test_seeds_per_job_does_not_change_results(workdir, test_study):
    """seeds_per_job 1 vs the test config's blocks: the same table, the same per-seed rows
    (every problem's numerics, re-cut in process: tests/contract/)."""
    snakemake(
        workdir,
        "--configfile",
        "config/test.yaml",
        "--config",
        "seeds_per_job=1",
        "--cores",
        "2",
        "results/tables/quadratic.csv",
    )
    for problem in ("quadratic",):
        a = pd.read_csv(workdir / f"results/tables/{problem}.csv")
        b = pd.read_csv(test_study / f"results/tables/{problem}.csv")
        pd.testing.assert_frame_equal(a, b)
        key = ["setting", "seed", "step"]
        one, blocks = (
            tables.load(
                sorted(map(str, (wd / f"results/runs/{problem}").rglob("*.parquet"))), problem
            )
            .sort_values(key)
            .reset_index(drop=True)
            for wd in (workdir, test_study)
        )
        assert len(one) == len(blocks) > 0
        pd.testing.assert_frame_equal(one, blocks)


PROGRESS = re.compile(
    r"\[(\d+):(\d\d) \| (~(\d+):(\d\d) left|done)\] +(\d+)/(\d+) jobs  (\S+)( .*)?"
)


def test_progress_is_a_header_and_one_line_per_finished_job(test_study):
    """The default profile's output (the test study ran with it, hooks off): the jobs
    to run in one line, then one line per finished job with its elapsed time and the
    time left; none of Snakemake's own progress or scheduling lines."""
    out = output_of(test_study).read_text(encoding="utf-8").splitlines()
    head = [
        m
        for line in out
        if (m := re.fullmatch(r"gdlab: (\d+) jobs to run \((.+)\), (\S+) run-steps", line))
    ]
    assert len(head) == 1, out
    jobs = int(head[0][1])
    assert jobs == sum(int(part.split()[0]) for part in head[0][2].split(", "))
    lines = [m for line in out if (m := PROGRESS.fullmatch(line))]
    assert [int(m[6]) for m in lines] == list(range(1, jobs + 1))
    assert {int(m[7]) for m in lines} == {jobs}
    assert [m[3] == "done" for m in lines] == [False] * (jobs - 1) + [True]
    elapsed = [60 * int(m[1]) + int(m[2]) for m in lines]
    assert elapsed == sorted(elapsed)
    assert {m[8] for m in lines} >= {"solve", "table", "all", "check_convergence"}
    solver = [line for line in out if PROGRESS.fullmatch(line) and " solve " in line]
    assert solver and all(
        re.search(r"problem=\S+ setting=\S+ seeds=\d+-\d+$", line) for line in solver
    )
    for noise in ("Finished jobid", "steps (", "Select jobs to execute", "Execute ", "Job stats"):
        assert not any(noise in line for line in out), noise
    # Snakemake's banner (profile, DAG, shell, cores) and nothing else besides
    assert len(out) <= jobs + 1 + 10, out


def test_every_job_cost_is_recorded_and_gathered(test_study):
    """Each job's benchmark record (Snakemake's benchmark: directive), one row per job
    in results/costs.csv, a solver job's run-steps those its runs took."""
    cfg = yaml.safe_load((test_study / "config/test.yaml").read_text())
    measured = [m["job"] for m in gdplan.measured(cfg)]
    table = pd.read_csv(test_study / gdplan.COSTS["csv"], keep_default_na=True)
    assert list(table["job"]) == measured
    for output in measured:
        assert (test_study / gdplan.benchmark(output)).stat().st_size > 0, output
    assert (table["wall_s"] > 0).all()
    assert table["cpu_s"].notna().any() and (table["cpu_s"].dropna() > 0).all()
    solver = table[table["problem"].notna()]
    assert len(solver) == sum(len(grid.jobs(cfg, p)) for p in gdplan.study(cfg))
    for problem, rows in solver.groupby("problem"):
        paths = [test_study / p for p in gdplan.summaries_of(cfg, problem)]
        runs = pa.concat_tables(pq.read_table(p) for p in paths).to_pandas()
        assert rows["runs"].sum() == len(runs)
        assert rows["run_steps"].sum() == runs["steps"].sum()
    page = (test_study / gdplan.COSTS["html"]).read_text()
    assert f"{len(measured)} jobs, " in page
