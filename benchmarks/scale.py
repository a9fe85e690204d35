"""A million runs on a laptop: the pipeline from 10³ to 10⁶ runs, and its job size.

    python benchmarks/scale.py                       # 10^3, 10^4, 10^5, 10^6 runs
    python benchmarks/scale.py --runs 1000 10000     # a quick look
    python benchmarks/scale.py --sizes 1000 10000    # hand-tuned sizes beside the default

``sharp_wide`` alone on the grid of ``config/large.yaml`` (its α values; seeds =
runs ÷ α values), cold, ``--cores`` (2), to its table, its figures and
``results/runs.parquet``.  At each scale: wall and CPU seconds, the number of
jobs, every job's peak RSS (each job's ``python`` is a shim that runs the real one
and records its ``ru_maxrss``), the largest per rule in bytes per run, and the
marginal cost per run between scales, and at the largest scale the lean core's goals
(wall, CPU ÷ the solver's own work, peak RSS, the size of ``results/``).  Then the
default job size (the config sets
no ``seeds_per_job``) against each ``--sizes`` value at each scale, and the ratio
of the default to the best.  Writes ``scale.json`` and ``scale.md`` under ``--out``.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import stat
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness as run  # noqa: E402  (benchmarks/harness.py: the workflow copy, timing)
from studies import runs_of  # noqa: E402

PROBLEM = "sharp_wide"
MAX_TUNED_JOBS = 1500  # a hand-tuned size with more solver jobs than this is not tried
SHIM = """#!{python}
# the benchmark's `python`: run the real one, record the job's peak RSS
import json, os, resource, subprocess, sys
code = subprocess.call([{python!r}, *sys.argv[1:]])
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
module = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "-m" else " ".join(sys.argv[1:2])
with open(os.environ["GDLAB_RSS_LOG"], "a") as log:
    log.write(json.dumps({{"module": module, "rss_kb": rss_kb}}) + "\\n")
sys.exit(code)
"""


def large_config() -> dict:
    """config/large.yaml over config/config.yaml, as ``--configfile`` merges it."""

    def merge(base: dict, over: dict) -> dict:
        out = dict(base)
        for key, value in over.items():
            both = isinstance(value, dict) and isinstance(base.get(key), dict)
            out[key] = merge(base[key], value) if both else value
        return out

    read = [
        yaml.safe_load((run.REPO / f"config/{n}.yaml").read_text()) for n in ("config", "large")
    ]
    return merge(*read)


def scaled(config: dict, runs: int, per_job: int | None) -> dict:
    """``sharp_wide`` alone with ``runs`` runs on the α grid of ``config``."""
    from gdlab import grid

    c = copy.deepcopy(config)
    c["problems"] = {PROBLEM: c["problems"][PROBLEM]}
    c.pop("only", None)
    section = c["problems"][PROBLEM]
    points = len(grid.grid_values(PROBLEM, section))
    section["seeds"] = max(1, runs // points)
    section.pop("seeds_per_job", None)
    c.pop("seeds_per_job", None)
    if per_job is not None:
        c["seeds_per_job"] = min(per_job, section["seeds"])
    c["max_jobs"] = 1_000_000
    return c


def targets() -> list[str]:
    from gdlab import plan, problems

    out = [f"results/tables/{PROBLEM}.csv", "results/runs.parquet"]
    for f in problems.spec(PROBLEM).figures:
        out += list(plan.figure_paths(f.name).values())
    return out


def shim_dir(root: Path) -> Path:
    d = root / "shim"
    d.mkdir(parents=True, exist_ok=True)
    path = d / "python"
    path.write_text(SHIM.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return d


# The solver's own work for a config: every solver job's gdlab.solve.solve (seeding
# and the runs), one after the other in one process, one thread, no file written.
SOLVER_CPU = """
import json, sys, time
from gdlab import grid, solve
config, problem = json.loads(sys.argv[1]), sys.argv[2]
settings = grid.solver_settings(config, problem)
start = time.process_time()
for job in grid.jobs(config, problem):
    solve.solve(problem, job.setting, job.first, job.last, settings)
print(time.process_time() - start)
"""


def solver_cpu(config: dict) -> float:
    """CPU seconds of the config's solver and seeding alone (:data:`SOLVER_CPU`)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", SOLVER_CPU, json.dumps(config), PROBLEM],
        env={**run.env(), **run.ONE_THREAD},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(config: dict, root: Path, name: str, cores: int) -> dict:
    """One cold run to :func:`targets`: seconds, jobs, peak RSS per rule."""
    from gdlab import grid, plan

    rss_log = root / f"{name}.rss.jsonl"
    rss_log.unlink(missing_ok=True)
    w = run.Workflow(root, name, config, is_floor=False, cores=cores)
    path = f"{shim_dir(root)}{os.pathsep}{run.env()['PATH']}"
    w_env = {"PATH": path, "GDLAB_RSS_LOG": str(rss_log)}
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), *targets()]
    seconds, cpu, out = run.timed(cmd, w.dir, w.dir / "run.log", extra_env=w_env)
    peaks: dict[str, int] = {}
    for line in rss_log.read_text().splitlines():
        rec = json.loads(line)
        peaks[rec["module"]] = max(peaks.get(rec["module"], 0), rec["rss_kb"] * 1024)
    runs = runs_of(config)
    run_files = list((w.dir / "results/runs").rglob("*.parquet"))
    row = {
        "runs": runs,
        "seeds_per_job": grid.seeds_per_job(config, PROBLEM),
        "seconds": seconds,
        "cpu_s": cpu,
        "jobs": (jobs := run.job_counts(out)),
        "solver_jobs": sum(n for r, n in jobs.items() if plan.solver_rule(r)),
        "run_files": len(run_files),
        "peak_rss_bytes": peaks,
        "peak_rss_bytes_per_run": {m: b / runs for m, b in peaks.items()},
        "results_bytes": sum(p.stat().st_size for p in run_files),
        "results_dir_bytes": sum(
            p.stat().st_size for p in (w.dir / "results").rglob("*") if p.is_file()
        ),
    }
    aggregations = {m: b for m, b in peaks.items() if m != "gdlab.solve"}
    row["aggregation_peak_bytes_per_run"] = max(aggregations.values()) / runs
    row["aggregation_peak_job"] = max(aggregations, key=aggregations.get)
    import shutil

    shutil.rmtree(w.dir, ignore_errors=True)
    return row


def scale(base: dict, root: Path, runs_list, sizes, cores: int) -> dict:
    rows = []
    for n in runs_list:
        default = measure(scaled(base, n, None), root, f"scale_{n}_default", cores)
        default["per_run_s"] = default["seconds"] / default["runs"]
        tuned = []
        for size in sizes:
            c = scaled(base, n, size)
            if c["seeds_per_job"] == default["seeds_per_job"]:
                tuned.append(
                    {**default, "seeds_per_job": c["seeds_per_job"], "same_as_default": True}
                )
                continue
            if runs_of(c) / c["seeds_per_job"] > MAX_TUNED_JOBS:
                continue  # a size this small costs minutes of start-ups alone: not the best
            tuned.append(measure(c, root, f"scale_{n}_{size}", cores))
        best = min([default, *tuned], key=lambda r: r["seconds"])
        default["best_seeds_per_job"] = best["seeds_per_job"]
        default["default_over_best"] = default["seconds"] / best["seconds"]
        default["tuned"] = [
            {k: r[k] for k in ("seeds_per_job", "seconds", "cpu_s", "solver_jobs")} for r in tuned
        ]
        rows.append(default)
        print(json.dumps({k: default[k] for k in ("runs", "seconds", "default_over_best")}))
    for prev, row in itertools.pairwise(rows):
        added = row["runs"] - prev["runs"]
        row["marginal_s_per_run"] = (row["seconds"] - prev["seconds"]) / added
        row["marginal_cpu_s_per_run"] = (row["cpu_s"] - prev["cpu_s"]) / added
    marginal = [r["marginal_s_per_run"] for r in rows[1:]]
    largest = rows[-1]
    largest["solver_cpu_s"] = solver_cpu(scaled(base, largest["runs"], None))
    # no schedule runs the solver faster than its own CPU spread over every core: the
    # floor under the wall goal before any table, figure or start-up
    largest["cores"] = cores
    largest["solver_wall_floor_s"] = largest["solver_cpu_s"] / cores
    return {
        "rows": rows,
        "targets": {
            **goals(largest),
            "default within 1.3x of the best size, every scale": {
                "value": max(r["default_over_best"] for r in rows),
                "limit": 1.3,
                "met": all(r["default_over_best"] <= 1.3 for r in rows),
            },
            "aggregation peak RSS per run at the largest scale (bytes)": {
                "value": rows[-1]["aggregation_peak_bytes_per_run"],
                "limit": 1500,
                "met": rows[-1]["aggregation_peak_bytes_per_run"] <= 1500,
            },
            "marginal wall s per run, last step / first step": {
                "value": marginal[-1] / marginal[0] if len(marginal) > 1 else None,
                "limit": "within ±25 %",
                "met": len(marginal) > 1 and abs(marginal[-1] / marginal[0] - 1) <= 0.25,
            },
        },
    }


def goals(row: dict) -> dict:
    """The lean core's goals (the large study: 10⁶ runs on 2 cores), at the largest
    scale measured: cold wall seconds, CPU ÷ the solver's own, the largest job's peak
    RSS and the size of results/ (the table, figures and runs.parquet)."""
    peak = max(row["peak_rss_bytes"].values()) / 2**20
    ratio = row["cpu_s"] / row["solver_cpu_s"]
    size = row["results_dir_bytes"] / 1e6
    at = f"{row['runs']:,} runs"
    return {
        f"cold wall s, {at}": {"value": row["seconds"], "limit": 30, "met": row["seconds"] <= 30},
        f"CPU ÷ the solver and seeding's own CPU, {at}": {
            "value": ratio,
            "limit": 2,
            "met": ratio <= 2,
        },
        f"peak RSS of any job (MiB), {at}": {"value": peak, "limit": 500, "met": peak <= 500},
        f"results/ (MB), {at}": {"value": size, "limit": 150, "met": size <= 150},
    }


def markdown(doc: dict) -> str:
    lines = [
        "| runs | jobs (solver) | seeds/job (default) | wall s | CPU s | wall µs/run | marginal µs/run | "
        "peak RSS solver | peak RSS aggregation (job) | B/run aggregation | default ÷ best (best size) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["rows"]:
        marginal = r.get("marginal_s_per_run")
        lines.append(
            f"| {r['runs']:,} | {r['solver_jobs']} | {r['seeds_per_job']} | {r['seconds']:.1f} | "
            f"{r['cpu_s']:.1f} | {1e6 * r['per_run_s']:.1f} | "
            f"{'–' if marginal is None else f'{1e6 * marginal:.1f}'} | "
            f"{r['peak_rss_bytes'].get('gdlab.solve', 0) / 2**20:.0f} MiB | "
            f"{max(v for m, v in r['peak_rss_bytes'].items() if m != 'gdlab.solve') / 2**20:.0f} MiB "
            f"({r['aggregation_peak_job']}) | {r['aggregation_peak_bytes_per_run']:.0f} | "
            f"{r['default_over_best']:.2f} ({r['best_seeds_per_job']}) |"
        )
    lines += ["", "| target | value | limit | met |", "|---|---|---|---|"]
    for name, t in doc["targets"].items():
        v = t["value"]
        lines.append(
            f"| {name} | {'–' if v is None else f'{v:.3g}'} | {t['limit']} | "
            f"{'yes' if t['met'] else '**no**'} |"
        )
    last = doc["rows"][-1]
    if "solver_wall_floor_s" in last:
        lines += [
            "",
            f"The solver and seeding's own CPU, {last['solver_cpu_s']:.1f} s, is at least "
            f"{last['solver_wall_floor_s']:.1f} s of wall on {last['cores']} cores before any "
            f"table, figure or start-up: the floor under the wall goal "
            f"({last['seconds']:.1f} s measured).",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[10**3, 10**4, 10**5, 10**6])
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10_000])
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("benchmark-out"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "work_scale"
    doc = {
        "machine": run.machine(sys.argv[1:], "benchmarks/scale.py"),
        "runs": args.runs,
        "sizes": args.sizes,
    }
    doc.update(scale(large_config(), work, args.runs, args.sizes, args.cores))
    text = markdown(doc)
    (args.out / "scale.json").write_text(json.dumps(doc, indent=2) + "\n")
    (args.out / "scale.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
