"""The benchmark's measurements (items 1–6 and the solver job) on throw-away copies
of the workflow; benchmarks/run.py runs them."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

# first: benchmarks/harness.py puts this checkout's src/ and tests/ on sys.path
from harness import ONE_THREAD, Workflow, env, timed

# isort: split
from studies import (
    lower_bound,
    median,
    only_problem,
    runs_of,
    same_outputs,
    summarise,
    with_one_more_alpha,
    with_seeds_per_job,
)

# ---- the solver job -----------------------------------------------------------------
# What a solver job's own interpreter reports after it ran: its peak memory and modules
_PEAK_AND_MODULES = (
    "import runpy, sys; sys.argv = ['gdlab.solve'] + sys.argv[1:];"
    "\ntry:\n    runpy.run_module('gdlab.solve', run_name='__main__')"
    "\nexcept SystemExit:\n    pass"
    # VmHWM, not ru_maxrss (Linux keeps the forking parent's high-water mark in it)
    "\nhwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]"
    "\nprint('PEAK', hwm[0].split()[1] if hwm else 0, file=sys.stderr)"
    "\nprint('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)"
)


class _SolverJob:
    """``python -m gdlab.solve`` of one block of ``config``, in ``work``."""

    def __init__(self, config: dict, work: Path):
        self.config, self.work = config, work
        self.env = {**env(), **ONE_THREAD}

    def args(self, problem: str, job, **override) -> list[str]:
        from gdlab import grid

        settings = json.dumps({**grid.solver_settings(self.config, problem), **override})
        return [
            "--problem", problem, "--setting", job.setting, "--seeds", job.seeds,
            "--settings", settings, "--out", str(self.work / "out.parquet"),
        ]  # fmt: skip

    def seconds(self, args: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gdlab.solve", *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - start

    def python(self, code: str) -> float:
        cmd = [sys.executable, "-c", code]
        return median(
            [timed(cmd, self.work, self.work / "python.log", ONE_THREAD)[0] for _ in range(5)]
        )

    def peak_and_modules(self, args: list[str]) -> tuple[int, list[str]]:
        proc = subprocess.run(
            [sys.executable, "-c", _PEAK_AND_MODULES, *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        peak_kb = int(re.search(r"PEAK (\d+)", proc.stderr)[1])
        return peak_kb, re.search(r"MODULES (.*)", proc.stderr)[1].split()


def solver_job(config: dict, root: Path, repeat: int) -> dict:
    """One ``python -m gdlab.solve`` job: start-up (a trivial block), a real block's
    wall time and peak memory, and whether pandas / matplotlib were imported."""
    from gdlab import grid
    from gdlab.limits import job_bytes

    work = root / "solver_job"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sj = _SolverJob(config, work)
    # a representative job (the first block of the first grid point), and a trivial
    # one (one seed, one step: what a job costs before it computes anything)
    problem = "sharp_wide" if "sharp_wide" in config["problems"] else next(iter(config["problems"]))
    job = grid.jobs(config, problem)[0]
    trivial_args = sj.args(problem, grid.Job(problem, job.setting, 0, 0), max_steps=1)
    bare, imports = sj.python("pass"), sj.python("import gdlab.solve")
    startups = [sj.seconds(trivial_args) for _ in range(max(3, repeat))]
    real = [sj.seconds(sj.args(problem, job)) for _ in range(max(1, repeat))]
    peak_kb, modules = sj.peak_and_modules(sj.args(problem, job))
    tops = {m.split(".")[0] for m in modules}
    _budget, footprint, rows = grid.job_memory(config, problem)
    model = job_bytes(footprint, job.last - job.first + 1, rows)
    return {
        "python_startup_s": bare,
        "import_s": imports,
        "startup_s": median(startups),
        "startup_job": f"{problem} {job.setting} seeds 0-0, max_steps 1",
        "job": f"{problem} {job.setting} seeds {job.seeds}",
        "job_s": median(real),
        "peak_rss_mb": peak_kb / 1024,
        # the memory model the job sizes follow (gdlab.limits.job_bytes): an upper bound
        "model_mb": model / 2**20,
        "imports_pandas": "pandas" in tops,
        "imports_matplotlib": "matplotlib" in tops,
        "modules_loaded": len(modules),
    }


# ---- the benchmark ------------------------------------------------------------------
def headline(config: dict, root: Path, repeat: int, cores: int, args: tuple[str, ...] = ()) -> dict:
    """Items 1–4: lower bound, engine floor and pipeline; cold, no-op and +1 α
    (``args``: more arguments for every Snakemake run)."""
    res = {"lower_bound": [], "floor": [], "pipeline": []}
    wf = {
        "floor": Workflow(root, "floor", config, is_floor=True, cores=cores, args=args),
        "pipeline": Workflow(root, "pipeline", config, is_floor=False, cores=cores, args=args),
    }
    plus = with_one_more_alpha(config)
    for i in range(repeat):
        res["lower_bound"].append(lower_bound(config, root, f"lower_bound{i}", cores))
        for name, w in wf.items():
            w.set_config(config)
            w.clean()
            cold = w.snakemake()
            if name == "pipeline" and i == 0:
                res["same_outputs"] = same_outputs(res["lower_bound"][0]["dir"], w.dir)
            noop = w.snakemake()
            w.set_config(plus)
            alpha = w.snakemake()
            if not noop["nothing_to_do"]:
                raise RuntimeError(f"{name}: the second run was not a no-op ({w.dir})")
            res[name].append({"cold": cold, "noop": noop, "plus_alpha": alpha})
    lb = res["lower_bound"]
    out = {
        "lower_bound_rule_s": {
            k: min(r["rule_seconds"].get(k, 0.0) for r in lb) for k in lb[0]["rule_seconds"]
        },
        "lower_bound_jobs": lb[0]["jobs"],
        "solver_jobs": lb[0]["solver_jobs"],
        "runs": lb[0]["runs"],
        "repeats": repeat,
    }
    summarise(out, "lower_bound", lb)
    for name in ("floor", "pipeline"):
        for kind in ("cold", "noop", "plus_alpha"):
            summarise(out, f"{name}_{kind}", [r[kind] for r in res[name]])
        out[f"{name}_jobs"] = res[name][0]["cold"]["jobs"]
        out[f"{name}_plus_alpha_jobs"] = res[name][0]["plus_alpha"]["jobs"]
        out[f"{name}_profile_used"] = all(r["cold"]["profile_used"] for r in res[name])
    out["same_dag"] = out["floor_jobs"] == out["pipeline_jobs"]
    out["lower_bound_same_outputs"] = res["same_outputs"]
    out["ratio_cold"] = out["pipeline_cold_s"] / (out["floor_cold_s"] + out["lower_bound_s"])
    out["ratio_noop"] = out["pipeline_noop_s"] / out["floor_noop_s"]
    out["ratio_plus_alpha"] = out["pipeline_plus_alpha_s"] / out["floor_plus_alpha_s"]
    for w in wf.values():
        shutil.rmtree(w.dir, ignore_errors=True)
    return out


def scaling_targets(problem: str) -> list[str]:
    """The problem's solver jobs, table and figure, without results/checks/convergence.json:
    the check of the rates fails on some sharp_wide runs of a few steps once there are
    hundreds of seeds (a finding, in CHANGELOG.md), which would end the run."""
    out = [f"results/tables/{problem}.{ext}" for ext in ("csv", "md")]
    if problem == "sharp_wide":
        out += [f"results/figures/basin_ratio.{ext}" for ext in ("png", "svg")]
    return out


def scaling(
    config: dict, root: Path, problem: str, factors, cores: int, args: tuple[str, ...] = ()
) -> list[dict]:
    """Item 5: one problem, 1×, 4×, 16× its seeds, cold, pipeline and floor."""
    rows = []
    for f in factors:
        c = only_problem(config, problem, f)
        row = {"problem": problem, "factor": f, "seeds": c["problems"][problem]["seeds"]}
        row["runs"] = runs_of(c)
        for name, is_floor in (("pipeline", False), ("floor", True)):
            w = Workflow(root, f"scaling_{name}_{f}", c, is_floor=is_floor, cores=cores, args=args)
            r = w.snakemake(*scaling_targets(problem))
            row[f"{name}_s"] = r["seconds"]
            row[f"{name}_cpu_s"] = r["cpu_s"]
            row["jobs"] = sum(r["jobs"].values())
            shutil.rmtree(w.dir, ignore_errors=True)
        for key in ("pipeline_s", "pipeline_cpu_s", "floor_s"):
            row[key + "_per_run"] = row[key] / row["runs"]
        rows.append(row)
    # the marginal cost of a run between consecutive scales: flat when the cost is linear
    for prev, row in itertools.pairwise(rows):
        added = row["runs"] - prev["runs"]
        for key in ("pipeline_s", "pipeline_cpu_s", "floor_s"):
            row[key[: -len("_s")] + "_marginal_s_per_run"] = (row[key] - prev[key]) / added
    return rows


def job_size(
    config: dict, root: Path, sizes, cores: int, args: tuple[str, ...] = (), targets=()
) -> list[dict]:
    """Item 6: the default grid with every problem cut into blocks of each size; up to
    ``targets`` (pipeline, floor and lower bound), default the whole study."""
    rows = []
    for size in sizes:
        c = with_seeds_per_job(config, size)
        row = {"seeds_per_job": size}
        for name, is_floor in (("pipeline", False), ("floor", True)):
            w = Workflow(
                root, f"jobsize_{name}_{size}", c, is_floor=is_floor, cores=cores, args=args
            )
            r = w.snakemake(*targets)
            row[f"{name}_s"] = r["seconds"]
            row[f"{name}_cpu_s"] = r["cpu_s"]
            row["jobs"] = sum(r["jobs"].values())
            row["solver_jobs"] = r["jobs"].get("solve", 0)
            shutil.rmtree(w.dir, ignore_errors=True)
        lb = lower_bound(c, root, f"jobsize_lower_bound_{size}", cores, targets)
        shutil.rmtree(lb["dir"], ignore_errors=True)
        row["lower_bound_s"] = lb["seconds"]
        row["lower_bound_cpu_s"] = lb["cpu_s"]
        row["ratio"] = row["pipeline_s"] / (row["floor_s"] + row["lower_bound_s"])
        rows.append(row)
    return rows
