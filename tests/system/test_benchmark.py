"""The benchmark (benchmarks/run.py): its --quick mode end to end, and its engine floor.

No timing assertions: the numbers depend on the machine.  What is asserted is
that every measurement is made and recorded, that the engine floor has the
pipeline's DAG, and that the lower bound writes the pipeline's files.
"""

import copy
import json
import subprocess
import sys

import yaml

from conftest import REPO
from gdlab import grid

HEADLINE = {
    "lower_bound_s",
    "lower_bound_rule_s",
    "floor_cold_s",
    "floor_noop_s",
    "floor_plus_alpha_s",
    "pipeline_cold_s",
    "pipeline_noop_s",
    "pipeline_plus_alpha_s",
    "ratio_cold",
    "ratio_noop",
    "ratio_plus_alpha",
    "same_dag",
    "lower_bound_same_outputs",
}


def quick_study(plan: dict) -> dict:
    """The study --quick measures, by its plan: config/test.yaml's ``problems`` (all
    when the plan names none), each with at most ``max_seeds`` seeds."""
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    study = copy.deepcopy(cfg)
    names = plan.get("problems") or list(cfg["problems"])
    study["problems"] = {p: copy.deepcopy(cfg["problems"][p]) for p in names}
    for section in study["problems"].values():
        section["seeds"] = min(section["seeds"], plan.get("max_seeds", section["seeds"]))
    return study


def test_quick_benchmark_records_every_measurement(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks/run.py"), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    doc = json.loads((tmp_path / "benchmark.json").read_text())
    assert {
        "machine",
        "plan",
        "headline",
        "scaling",
        "job_size",
        "operator",
        "solver_job",
        "targets",
    } <= set(doc)
    plan = doc["plan"]
    study = quick_study(plan)
    h = doc["headline"]
    assert HEADLINE <= set(h)
    assert all(h[k] > 0 for k in HEADLINE if k.endswith("_s") and k != "lower_bound_rule_s")
    assert h["same_dag"], (h["floor_jobs"], h["pipeline_jobs"])
    same = h["lower_bound_same_outputs"]
    assert same["runs"] and same["tables"] and same["checks"] and same["report"], same
    assert h["pipeline_profile_used"] and h["floor_profile_used"]
    # the study measured is the plan's: every solver job of its grid
    assert h["solver_jobs"] == sum(len(grid.jobs(study, p)) for p in study["problems"])
    # one α added to the first problem with an α list: its seed blocks are the only
    # new solver jobs
    added = next(p for p, section in study["problems"].items() if "alphas" in section)
    blocks = grid.seed_blocks(study["problems"][added]["seeds"], grid.seeds_per_job(study, added))
    assert h["pipeline_plus_alpha_jobs"]["solve"] == len(blocks)
    assert h["floor_plus_alpha_jobs"] == h["pipeline_plus_alpha_jobs"]
    sc = study["problems"][plan["scaling_problem"]]
    points = len(grid.grid_values(plan["scaling_problem"], sc))
    assert [r["factor"] for r in doc["scaling"]] == plan["scaling_factors"]
    assert [r["runs"] for r in doc["scaling"]] == [
        points * sc["seeds"] * f for f in plan["scaling_factors"]
    ]
    assert all(r["pipeline_s_per_run"] > 0 and r["floor_s"] > 0 for r in doc["scaling"])
    sizes = [r["seeds_per_job"] for r in doc["job_size"]]
    assert sizes == plan["seeds_per_job"]
    problem = plan["job_size_problem"]
    named = [problem] if problem else list(study["problems"])
    assert [r["solver_jobs"] for r in doc["job_size"]] == [
        sum(
            len(grid.grid_values(p, study["problems"][p]))
            * len(grid.seed_blocks(study["problems"][p]["seeds"], size))
            for p in named
        )
        for size in sizes
    ]
    jobs = [r["solver_jobs"] for r in doc["job_size"]]
    assert jobs == sorted(jobs, reverse=True) and jobs[0] > jobs[-1]
    assert all(
        r[k] > 0 for r in doc["job_size"] for k in ("pipeline_s", "floor_s", "lower_bound_s")
    )
    ops = {(r["op"], r["n"], r["r"]) for r in doc["operator"]}
    assert {
        (op, n, r) for op in ("A", "AT") for n in plan["operator_n"] for r in plan["operator_r"]
    } == ops
    assert all(r["speedup_vs_naive"] > 0 and r["peak_bytes_per_n"] > 0 for r in doc["operator"])
    sj = doc["solver_job"]
    assert sj["startup_s"] > 0 and sj["peak_rss_mb"] > 0
    assert not sj["imports_pandas"] and not sj["imports_matplotlib"]
    assert {"cold_ratio", "noop_ratio", "noop_seconds", "operator_vs_naive"} <= set(doc["targets"])
    assert "solver_job_memory_model" in doc["targets"] and sj["model_mb"] > 0
    table = (tmp_path / "benchmark.md").read_text()
    assert "| 3. pipeline, cold |" in table and table in proc.stdout
    assert not (tmp_path / "work").exists()  # the throw-away workflows are removed
