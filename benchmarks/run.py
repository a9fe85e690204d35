"""The pipeline against its limits: one command, one machine, one go.

    python benchmarks/run.py            # the full benchmark (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # a smoke test (about 40 s on 2 cores)

Measures, on throw-away copies of this checkout's workflow under ``--out``:

1. lower bound  – one Python process doing everything the pipeline does
                  (``benchmarks/lower_bound.py``: same solver calls, Parquet
                  files, tables, checks and figures), no Snakemake;
2. engine floor – the same DAG with no-op jobs (``benchmarks/floor.py``),
                  cold, no-op rerun and one α added;
3. pipeline     – ``snakemake --cores 2`` on the default config, from empty;
4. no-op rerun and one α added (incremental), pipeline and floor;
5. scaling      – one problem with 1×, 4× and 16× the seeds: seconds per seed;
6. job size     – ``seeds_per_job`` ∈ {1, 5, 25, 50} on the default grid;
7. operator     – ``conv_huber``'s A and Aᵀ (``benchmarks/operator_bench.py``);

plus one solver job's start-up time, peak memory and imports; with ``--benchopt``
also gdlab beside benchopt on the same OLS-GD work (``benchmarks/vs_benchopt.py``,
5 and 500 seeds; quick: 5).  Writes
``benchmark.json`` (every number, the targets and whether each is met) and
``benchmark.md`` (the tables) under ``--out`` and prints the tables.
Timings are medians of ``--repeat`` runs (items 1–4); items 5–6 run once.

``--quick`` makes and records every measurement on tiny sizes (``QUICK`` below):
the study is config/test.yaml's ``quadratic`` alone with 2 seeds, every Snakemake
run has ``--no-hooks`` (no report.html after a run), item 6 goes up to the table,
and the items run two at a time.  Its times say that the benchmark works, not how
fast the pipeline is.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import datetime
import itertools
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

import floor  # noqa: E402
import operator_bench  # noqa: E402

from support import checkout  # noqa: E402

# What a workflow copy needs (results/ and .snakemake/ excluded).
TIMEOUT = 3600


# ---- running things -----------------------------------------------------------------
def env() -> dict:
    """Jobs call ``python``: make it this interpreter's (as tests/conftest.py does)."""
    e = dict(os.environ)
    e["PATH"] = str(Path(sys.executable).parent) + os.pathsep + e.get("PATH", "")
    # this checkout's gdlab, whatever is installed (workflow copies put their own first)
    e["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), *filter(None, e.get("PYTHONPATH", "").split(os.pathsep))]
    )
    return e


def cpu_seconds() -> float:
    """User + system seconds of every finished child process (and theirs) so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# Snakemake runs every job with these set to the job's threads (1): the lower
# bound and the solver-job measurements get the same (OpenBLAS otherwise starts a
# thread per core at `import numpy`, which costs CPU, not wall time).
ONE_THREAD = {
    v: "1"
    for v in (
        "OMP_NUM_THREADS",
        "GOTO_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}


def timed(
    cmd: list[str], cwd: Path, log: Path, extra_env: dict | None = None
) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, all descendants) and the output of
    ``cmd`` (also written to ``log``).  CPU seconds are less sensitive to other load
    on the machine than wall seconds; the targets are about wall seconds."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env={**env(), **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    log.write_text(proc.stdout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd} (see {log}):\n{proc.stdout[-3000:]}")
    return seconds, cpu, proc.stdout


def job_counts(output: str) -> dict[str, int]:
    """Snakemake's "Job stats" table: jobs per rule (its "total" row left out)."""
    counts = {}
    block = output.split("Job stats:", 1)[1] if "Job stats:" in output else ""
    for line in block.splitlines()[3:]:
        m = re.fullmatch(r"(\S+)\s+(\d+)", line.strip())
        if not m:
            break
        if m[1] != "total":
            counts[m[1]] = int(m[2])
    return counts


class Workflow:
    """A throw-away copy of the workflow (the real one, or its engine floor)."""

    def __init__(
        self,
        root: Path,
        name: str,
        config: dict,
        *,
        is_floor: bool,
        cores: int,
        args: tuple[str, ...] = (),
    ):
        self.dir = root / name
        self.is_floor, self.cores, self.runs = is_floor, cores, 0
        self.args = tuple(args)  # given to every run (--quick: --no-hooks)
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        checkout.copy_workflow(self.dir, REPO)
        if is_floor:
            floor.make_floor(self.dir)
        self.set_config(config)

    def set_config(self, config: dict) -> None:
        (self.dir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def clean(self) -> None:
        for d in ("results", ".snakemake"):
            shutil.rmtree(self.dir / d, ignore_errors=True)

    def snakemake(self, *args: str) -> dict:
        self.runs += 1
        cmd = [sys.executable, "-m", "snakemake", "--cores", str(self.cores), *self.args, *args]
        seconds, cpu, out = timed(cmd, self.dir, self.dir / f"run{self.runs}.log")
        return {
            "seconds": seconds,
            "cpu_s": cpu,
            "jobs": job_counts(out),
            "profile_used": "Using workflow specific profile" in out,
            "nothing_to_do": "Nothing to be done" in out,
        }


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
    """Per directory of results/: do both trees hold the same files, byte for byte?"""
    out = {}
    for sub in ("runs", "tables", "checks", "report", "figures"):
        files_a = {p.relative_to(a) for p in (a / "results" / sub).rglob("*") if p.is_file()}
        files_b = {p.relative_to(b) for p in (b / "results" / sub).rglob("*") if p.is_file()}
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


# ---- the solver job -----------------------------------------------------------------
def solver_job(config: dict, root: Path, repeat: int) -> dict:
    """One ``python -m gdlab.solve`` job: start-up (a trivial block), a real block's
    wall time and peak memory, and whether pandas / matplotlib were imported."""
    from gdlab import grid

    work = root / "solver_job"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env_ = {**env(), **ONE_THREAD}

    def run(args):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gdlab.solve", *args],
            cwd=work,
            env=env_,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - start

    def args_of(problem, job, **override):
        settings = json.dumps({**grid.solver_settings(config, problem), **override})
        return [
            "--problem",
            problem,
            "--setting",
            job.setting,
            "--seeds",
            job.seeds,
            "--settings",
            settings,
            "--out",
            str(work / "out.parquet"),
        ]

    # a representative job (the first block of the first grid point), and a trivial
    # one (one seed, one step: what a job costs before it computes anything)
    problem = "sharp_wide" if "sharp_wide" in config["problems"] else next(iter(config["problems"]))
    job = grid.jobs(config, problem)[0]
    trivial_args = args_of(problem, grid.Job(problem, job.setting, 0, 0), max_steps=1)

    def python(code):
        cmd = [sys.executable, "-c", code]
        return median([timed(cmd, work, work / "python.log", ONE_THREAD)[0] for _ in range(5)])

    bare, imports = python("pass"), python("import gdlab.solve")
    startups = [run(trivial_args) for _ in range(max(3, repeat))]
    real = [run(args_of(problem, job)) for _ in range(max(1, repeat))]
    # its peak memory and modules, reported by the job's own interpreter
    code = (
        "import runpy, sys; sys.argv = ['gdlab.solve'] + sys.argv[1:];"
        "\ntry:\n    runpy.run_module('gdlab.solve', run_name='__main__')"
        "\nexcept SystemExit:\n    pass"
        # VmHWM, not ru_maxrss (Linux keeps the forking parent's high-water mark in it)
        "\nhwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]"
        "\nprint('PEAK', hwm[0].split()[1] if hwm else 0, file=sys.stderr)"
        "\nprint('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args_of(problem, job)],
        cwd=work,
        env=env_,
        capture_output=True,
        text=True,
        check=True,
    )
    peak_kb = int(re.search(r"PEAK (\d+)", proc.stderr)[1])
    modules = re.search(r"MODULES (.*)", proc.stderr)[1].split()
    tops = {m.split(".")[0] for m in modules}
    return {
        "python_startup_s": bare,
        "import_s": imports,
        "startup_s": median(startups),
        "startup_job": f"{problem} {job.setting} seeds 0-0, max_steps 1",
        "job": f"{problem} {job.setting} seeds {job.seeds}",
        "job_s": median(real),
        "peak_rss_mb": peak_kb / 1024,
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


def targets(doc: dict) -> dict:
    """Each target of the issue that the measured items cover: value, limit, met."""
    out = {}

    def target(name, value, limit, met, text):
        out[name] = {"value": value, "limit": limit, "met": bool(met), "what": text}

    h = doc.get("headline")
    if h:
        target(
            "cold_ratio",
            h["ratio_cold"],
            1.5,
            h["ratio_cold"] <= 1.5,
            "pipeline cold / (engine floor cold + lower bound) ≤ 1.5",
        )
        target(
            "noop_ratio",
            h["ratio_noop"],
            1.2,
            h["ratio_noop"] <= 1.2,
            "pipeline no-op rerun / engine floor no-op rerun ≤ 1.2",
        )
        target(
            "noop_seconds",
            h["pipeline_noop_s"],
            3.0,
            h["pipeline_noop_s"] < 3.0,
            "pipeline no-op rerun < 3 s",
        )
    sc = doc.get("scaling")
    if sc:
        growth = sc[-1]["pipeline_s_per_run"] / sc[0]["pipeline_s_per_run"]
        target(
            "seconds_per_run_growth",
            growth,
            1.25,
            growth <= 1.25,
            f"s per run at {sc[-1]['factor']}× seeds / at 1× ≤ 1.25 (no super-linear cost)",
        )
        for key, label in (("pipeline", "wall"), ("pipeline_cpu", "CPU")):
            marginal = [r[f"{key}_marginal_s_per_run"] for r in sc[1:]]
            if len(marginal) >= 2:
                flat = marginal[-1] / marginal[0]
                target(
                    f"marginal_{label.lower()}_seconds_per_run_flat",
                    flat,
                    [0.75, 1.25],
                    0.75 <= flat <= 1.25,
                    f"marginal {label} s per run, last step ÷ first step, within ±25 %",
                )
    ops = doc.get("operator")
    if ops:
        big = [r for r in ops if r["n"] == max(x["n"] for x in ops)]
        n = f"n = {big[0]['n']:.0e}"
        speed = min(r["speedup_vs_naive"] for r in big)
        target(
            "operator_vs_naive", speed, 100, speed >= 100, f"{n}: matrix-free ÷ naive loop ≥ 100"
        )
        for key, label in (
            ("ratio_to_convolve", "single"),
            ("batched_ratio_to_convolve", "batched"),
        ):
            worst = max(r[key] for r in big)
            target(
                f"operator_{label}_vs_convolve",
                worst,
                2.0,
                worst <= 2.0,
                f"{n}: matrix-free ({label}) ≤ 2 × one numpy.convolve call",
            )
        mem = max(max(r["peak_bytes_per_n"], r["batched_peak_bytes_per_n"]) for r in big)
        target(
            "operator_memory",
            mem,
            16,
            mem <= 16,
            f"{n}: peak bytes allocated per element of x ≤ 16 (O(n) memory)",
        )
    vb = doc.get("vs_benchopt")
    for r in [r for r in vb or [] if r["ratio_wall"] is not None]:
        target(
            f"vs_benchopt_{r['seeds']}_seeds",
            r["ratio_wall"],
            1.0,
            r["ratio_wall"] >= 1.0,
            f"{r['seeds']} seeds of OLS-GD: benchopt wall s ÷ gdlab wall s ≥ 1",
        )
    sj = doc.get("solver_job")
    if sj:
        heavy = [m for m in ("pandas", "matplotlib") if sj[f"imports_{m}"]]
        target(
            "solver_job_imports",
            ", ".join(heavy) or "none",
            "none",
            not heavy,
            "what a solver job imports of pandas, matplotlib",
        )
    return out


# ---- the report ---------------------------------------------------------------------
def fmt(v, digits=3) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def us(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1e6:,.4g}"


def ms(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.2f}"


def markdown(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"Benchmark of {m['date']} on {m['host']} ({m['cpus']} CPUs, load average "
        f"{m['load_before'][0]:.2f} before / {m['load_after'][0]:.2f} after), "
        f"`{m['command']}`, gdlab {m['commit']}, snakemake {m['snakemake']}, "
        f"python {m['python']}, numpy {m['numpy']}.",
        "",
    ]
    plan = doc.get("plan", {})
    if plan.get("problems"):
        lines[-1:] = [
            f"The study: {', '.join(plan['problems'])} of `{doc['config']}`, at most "
            f"{plan['max_seeds']} seeds each.",
            "",
        ]
    if plan.get("workers", 1) > 1:
        lines[-1:] = [
            f"Items measured {plan['workers']} at a time (a smoke test: their times overlap).",
            "",
        ]
    sections = {
        "headline": _headline_md,
        "scaling": _scaling_md,
        "job_size": _job_size_md,
        "operator": _operator_md,
        "solver_job": _solver_job_md,
        "vs_benchopt": _vs_benchopt_md,
    }
    for key, section in sections.items():
        if doc.get(key):
            lines += section(doc)
    lines += ["**Targets**", "", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for t in doc["targets"].values():
        lines.append(f"| {t['what']} | {fmt(t['value'])} | {fmt(t['limit'])} | {fmt(t['met'])} |")
    return "\n".join(lines) + "\n"


def _headline_md(doc: dict) -> list[str]:
    h = doc["headline"]

    def row(label, key, ratio=None, of=""):
        wall = f"{fmt(h[key + '_s'])} ({fmt(h[key + '_median_s'])})"
        ratio = "" if ratio is None else f"{fmt(ratio)} × {of}"
        return f"| {label} | {wall} | {fmt(h[key + '_cpu_s'])} | {ratio} |"

    return [
        f"**Items 1–4, the study** (best of {h['repeats']} runs, median in brackets; {h['solver_jobs']} solver jobs, {h['runs']} runs, "
        f"{sum(h['pipeline_jobs'].values())} jobs in all; same DAG in the floor: "
        f"{fmt(h['same_dag'])}; lower bound's files byte-identical to the pipeline's: "
        f"{fmt(all(h['lower_bound_same_outputs'][k] for k in ('runs', 'tables', 'checks')))}"
        f", figures: {fmt(h['lower_bound_same_outputs']['figures'])})",
        "",
        "| measurement | wall s | CPU s | ratio (wall) |",
        "|---|---:|---:|---:|",
        row("1. lower bound (one process)", "lower_bound"),
        row("2. engine floor, cold", "floor_cold"),
        row("3. pipeline, cold", "pipeline_cold", h["ratio_cold"], "(floor + lower bound)"),
        row("4a. engine floor, no-op rerun", "floor_noop"),
        row("4a. pipeline, no-op rerun", "pipeline_noop", h["ratio_noop"], "floor"),
        row("4b. engine floor, one α added", "floor_plus_alpha"),
        row("4b. pipeline, one α added", "pipeline_plus_alpha", h["ratio_plus_alpha"], "floor"),
        "",
        "Lower bound by rule (s, imports included where first needed): "
        + ", ".join(f"{k} {v:.2f}" for k, v in h["lower_bound_rule_s"].items()),
        "",
    ]


def _scaling_md(doc: dict) -> list[str]:
    sc = doc["scaling"]
    lines = [
        f"**5. Scaling** (`{sc[0]['problem']}` alone, cold, one run each; a run is one seed "
        "at one grid point; marginal = the extra cost per extra run from the previous row)",
        "",
        "| seeds | runs | jobs | pipeline s | ms / run | marginal ms / run | CPU ms / run "
        "| marginal CPU ms / run | floor s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sc:
        lines.append(
            f"| {r['seeds']} ({r['factor']}×) | {r['runs']} | {r['jobs']} | "
            f"{fmt(r['pipeline_s'])} | {ms(r['pipeline_s_per_run'])} | "
            f"{ms(r.get('pipeline_marginal_s_per_run'))} | {ms(r['pipeline_cpu_s_per_run'])} | "
            f"{ms(r.get('pipeline_cpu_marginal_s_per_run'))} | {fmt(r['floor_s'])} |"
        )
    return [*lines, ""]


def _job_size_md(doc: dict) -> list[str]:
    return (
        [
            "**6. Job size** (default grid, cold; every problem cut into blocks of this many seeds)",
            "",
            "| seeds_per_job | solver jobs | jobs | pipeline s | pipeline CPU s | floor s "
            "| lower bound s | ratio |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        + [
            f"| {r['seeds_per_job']} | {r['solver_jobs']} | {r['jobs']} | {fmt(r['pipeline_s'])} | "
            f"{fmt(r['pipeline_cpu_s'])} | {fmt(r['floor_s'])} | {fmt(r['lower_bound_s'])} | "
            f"{fmt(r['ratio'])} |"
            for r in doc["job_size"]
        ]
        + [""]
    )


def _operator_md(doc: dict) -> list[str]:
    lines = [
        "**7. Operator** (`conv_huber`, µs per application, best of 3; naive* = extrapolated "
        "from a prefix; dense only where the matrix fits in 1 GB; batched = the solver's path "
        "for a block of runs, here one run)",
        "",
        "| op | n | r | matrix-free | batched | numpy.convolve | dense | naive | "
        "naive ÷ matrix-free | matrix-free ÷ convolve | ns / (n·r) | peak bytes / n |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in doc["operator"]:
        lines.append(
            f"| {'Aᵀ' if r['op'] == 'AT' else 'A'} | {r['n']:.0e} | {r['r']} | "
            f"{us(r['matrix_free_s'])} | {us(r['batched_s'])} | {us(r['convolve_s'])} | "
            f"{us(r['dense_s'])} | {us(r['naive_s'])}{'*' if r['naive_extrapolated'] else ''} | "
            f"{r['speedup_vs_naive']:.0f} | {r['ratio_to_convolve']:.2f} | "
            f"{r['ns_per_multiply_add']:.2f} | {r['peak_bytes_per_n']:.1f} |"
        )
    return [*lines, ""]


def _solver_job_md(doc: dict) -> list[str]:
    sj = doc["solver_job"]
    return [
        f"**Solver job**: start-up {sj['startup_s'] * 1000:.0f} ms ({sj['startup_job']}; "
        f"`python -c pass` {sj['python_startup_s'] * 1000:.0f} ms, "
        f"`import gdlab.solve` {sj['import_s'] * 1000:.0f} ms), "
        f"{sj['job']}: {sj['job_s'] * 1000:.0f} ms, peak RSS {sj['peak_rss_mb']:.0f} MB, "
        f"imports pandas: {fmt(sj['imports_pandas'])}, matplotlib: "
        f"{fmt(sj['imports_matplotlib'])}.",
        "",
    ]


def _vs_benchopt_md(doc: dict) -> list[str]:
    import vs_benchopt

    rows = doc["vs_benchopt"]
    return [vs_benchopt.caption(rows), "", *vs_benchopt.table(rows), ""]


def machine(argv) -> dict:
    import numpy as np
    import snakemake

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "workflow", "Snakefile", "profiles"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit += "+dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "snakemake": snakemake.__version__,
        "numpy": np.__version__,
        "commit": commit,
        "command": " ".join(["python", "benchmarks/run.py", *argv]),
        "load_before": list(os.getloadavg()),
    }


ITEMS = ("headline", "scaling", "job_size", "operator", "solver_job")
# What each item measures: the full benchmark, and the smoke test of --quick.
FULL = {
    "scaling_problem": "sharp_wide",
    "scaling_factors": [1, 4, 16],
    "job_size_problem": None,  # the whole default grid
    "seeds_per_job": [1, 5, 25, 50],
    "operator_n": [10**2, 10**4, 10**6],
    "operator_r": [3, 101],
    "operator_min_seconds": 0.2,
    "naive_budget": 5 * 10**5,
}
QUICK = {
    # the study: config/test.yaml's quadratic alone (it has the α list that item 4b
    # adds to), 2 seeds; every Snakemake run with --no-hooks: the report that the
    # onsuccess hook builds after a run of the whole study (a second Snakemake
    # process) is not measured, and not made by the lower bound either
    "problems": ["quadratic"],
    "max_seeds": 2,
    "snakemake_args": ["--no-hooks"],
    "scaling_problem": "quadratic",
    "scaling_factors": [1, 2],
    "job_size_problem": "quadratic",
    "job_size_to_table": True,  # its solver jobs and table (as item 5), not the figures
    "seeds_per_job": [1, 2],
    # two items at a time (each on its own throw-away copies): a smoke test's times,
    # which then overlap, not numbers to read
    "workers": 2,
    "operator_n": [10**2, 10**3],
    "operator_r": [3, 11],
    "operator_min_seconds": 0.005,
    "naive_budget": 10**4,
}


def step(name, fn, *a, **kw):
    """``fn(*a, **kw)``, its start and its seconds logged to stderr."""
    print(f"[benchmark] {name} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    result = fn(*a, **kw)
    print(f"[benchmark] {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--quick", action="store_true", help="smoke test: tiny sizes, one repeat, 2 items at a time"
    )
    ap.add_argument("--out", default=str(HERE / "out"), help="output directory")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--repeat", type=int, help="repeats of items 1–4 (default 3, quick 1)")
    ap.add_argument(
        "--config",
        help="the study (default config/config.yaml; quick: quadratic of config/test.yaml)",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        choices=ITEMS,
        default=list(ITEMS),
        help="measure only these items (default: all)",
    )
    ap.add_argument(
        "--benchopt",
        action="store_true",
        help="also gdlab beside benchopt (benchmarks/vs_benchopt.py; needs .[bench])",
    )
    args = ap.parse_args(argv)
    if args.benchopt:  # optional item: fail before the other items, not after
        import vs_benchopt

        if not vs_benchopt.installed():
            print(vs_benchopt.MISSING, file=sys.stderr)
            return 1
    quick = args.quick
    out = Path(args.out).resolve()
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    config_path = Path(args.config or REPO / "config" / ("test.yaml" if quick else "config.yaml"))
    plan = QUICK if quick else FULL
    config = study(yaml.safe_load(config_path.read_text()), plan)
    sm_args = tuple(plan.get("snakemake_args", ()))
    repeat = args.repeat or (1 if quick else 3)
    doc = {"machine": machine(argv), "config": str(config_path), "quick": quick}

    # warm the page cache (imports of the first measurement otherwise pay for it)
    subprocess.run(
        [sys.executable, "-c", "import snakemake.api, pandas, matplotlib.pyplot, pyarrow.parquet"],
        check=True,
    )
    doc["plan"] = plan
    # the items: (key in doc, name, function, arguments, keyword arguments)
    grid_config = (
        config
        if plan["job_size_problem"] is None
        else only_problem(config, plan["job_size_problem"], 1)
    )
    job_size_targets = (
        scaling_targets(plan["job_size_problem"]) if plan.get("job_size_to_table") else ()
    )
    items = [
        (
            "headline",
            "items 1-4: lower bound, floor, pipeline",
            headline,
            (config, work, repeat, args.cores, sm_args),
            {},
        ),
        (
            "scaling",
            "item 5: scaling",
            scaling,
            (
                config,
                work,
                plan["scaling_problem"],
                plan["scaling_factors"],
                args.cores,
                sm_args,
            ),
            {},
        ),
        (
            "job_size",
            "item 6: job size",
            job_size,
            (grid_config, work, plan["seeds_per_job"], args.cores, sm_args, job_size_targets),
            {},
        ),
        (
            "operator",
            "item 7: operator",
            operator_bench.run,
            (plan["operator_n"], plan["operator_r"]),
            {"min_seconds": plan["operator_min_seconds"], "naive_budget": plan["naive_budget"]},
        ),
        ("solver_job", "solver job", solver_job, (config, work, repeat), {}),
    ]
    items = [i for i in items if i[0] in args.only]
    workers = plan.get("workers", 1)
    if workers > 1:
        # --quick: items side by side, each in a process of its own (so that its CPU
        # seconds, those of its own children, are its own); results in the items' order
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            running = [
                (key, pool.submit(step, name, fn, *a, **kw)) for key, name, fn, a, kw in items
            ]
            for key, future in running:
                doc[key] = future.result()
    else:
        for key, name, fn, a, kw in items:
            doc[key] = step(name, fn, *a, **kw)
    # ---- optional: gdlab beside benchopt (--benchopt) ----
    if args.benchopt:
        seeds = [5] if quick else [5, 500]
        doc["vs_benchopt"] = step("gdlab beside benchopt", vs_benchopt.compare, seeds, work)
    doc["machine"]["load_after"] = list(os.getloadavg())
    doc["targets"] = targets(doc)
    text = markdown(doc)
    (out / "benchmark.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
    (out / "benchmark.md").write_text(text)
    shutil.rmtree(work, ignore_errors=True)
    print(text)
    print(f"[benchmark] wrote {out / 'benchmark.json'} and {out / 'benchmark.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
