"""The studies the benchmark measures: config variants, the one-process lower bound,
and the summary of repeated runs."""

from __future__ import annotations

import copy
import json
import statistics
import sys
from pathlib import Path

# first: benchmarks/harness.py puts this checkout's src/ and tests/ on sys.path
from harness import HERE, ONE_THREAD, Workflow, timed

from gdlab.plan import COSTS  # isort: skip


def lower_bound(config: dict, root: Path, name: str, cores: int, targets=()) -> dict:
    """The one-process lower bound (benchmarks/lower_bound.py) on a fresh workflow copy:
    its job list from a dry run (untimed; of ``targets``, default the whole study), then
    the run, timed from outside (interpreter start-up included)."""
    w = Workflow(root, name, config, is_floor=False, cores=cores)
    script = str(HERE / "lower_bound.py")
    plan = [sys.executable, script, "plan", "--workdir", str(w.dir), *targets]
    timed(plan, w.dir, w.dir / "plan.log")
    cmd = [sys.executable, script, "run", "--workdir", str(w.dir)]
    seconds, cpu, out = timed(cmd, w.dir, w.dir / "lower_bound.log", ONE_THREAD)
    doc = json.loads(out.strip().splitlines()[-1])
    return {"seconds": seconds, "cpu_s": cpu, "dir": w.dir, **doc}


def same_outputs(a: Path, b: Path) -> dict:
    """Per directory of results/: do both trees hold the same files, byte for byte?
    (Not the page of what each job cost: its times are the run's own.)"""
    out = {}
    timed_pages = {Path(p) for p in COSTS.values()}
    for sub in ("runs", "tables", "checks", "report", "figures"):
        files_a = {p.relative_to(a) for p in (a / "results" / sub).rglob("*") if p.is_file()}
        files_b = {p.relative_to(b) for p in (b / "results" / sub).rglob("*") if p.is_file()}
        files_a, files_b = files_a - timed_pages, files_b - timed_pages
        out[sub] = files_a == files_b and all(
            (a / f).read_bytes() == (b / f).read_bytes() for f in files_a
        )
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def summarise(out: dict, key: str, runs: list[dict]) -> None:
    """``key_s``: the best (smallest) wall time of the repeats — what the work costs
    without the noise of other load on the machine, which only ever adds (the
    ratios use it); ``key_median_s``, ``key_all_s``; ``key_cpu_s`` the best CPU time."""
    wall = [r["seconds"] for r in runs]
    out[f"{key}_s"] = min(wall)
    out[f"{key}_median_s"] = median(wall)
    out[f"{key}_all_s"] = wall
    out[f"{key}_cpu_s"] = min(r["cpu_s"] for r in runs)


# ---- config variants ----------------------------------------------------------------
def with_seeds_per_job(config: dict, per_job: int) -> dict:
    """Every problem cut into blocks of ``per_job`` seeds (per-problem overrides too)."""
    c = copy.deepcopy(config)
    c["seeds_per_job"] = per_job
    for p in c["problems"].values():
        p.pop("seeds_per_job", None)
    c["max_jobs"] = max(int(c.get("max_jobs", 0)), 100_000)
    return c


def with_one_more_alpha(config: dict) -> dict:
    """One α added to the first problem with an ``alphas`` list (a value not in it)."""
    c = copy.deepcopy(config)
    for p in c["problems"].values():
        if "alphas" in p:
            new = 0.75
            while new in p["alphas"]:
                new += 0.001
            p["alphas"] = [*p["alphas"], new]
            return c
    raise ValueError("no problem with an alphas list to add to")


def only_problem(config: dict, problem: str, factor: int) -> dict:
    c = copy.deepcopy(config)
    c["problems"] = {problem: c["problems"][problem]}
    c["problems"][problem]["seeds"] *= factor
    c["max_jobs"] = max(int(c.get("max_jobs", 0)), 100_000)
    return c


def study(config: dict, plan: dict) -> dict:
    """The study the benchmark measures: ``config`` as it is, or (a plan with
    ``problems``, as --quick's) only those of its problems, each with at most
    ``max_seeds`` seeds."""
    if not plan.get("problems"):
        return config
    c = copy.deepcopy(config)
    missing = [p for p in plan["problems"] if p not in c["problems"]]
    if missing:
        raise ValueError(f"the plan's problems {missing} are not in the config")
    c["problems"] = {p: c["problems"][p] for p in plan["problems"]}
    for p in c["problems"].values():
        p["seeds"] = min(p["seeds"], plan["max_seeds"])
    return c


def runs_of(config: dict) -> int:
    """Runs (seed × grid point) of a config: what a "seed" of the scaling costs."""
    from gdlab import grid

    return sum(job.last - job.first + 1 for p in config["problems"] for job in grid.jobs(config, p))
