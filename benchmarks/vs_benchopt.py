"""gdlab beside benchopt on the same OLS-GD work, cold, in one run.

    python benchmarks/vs_benchopt.py                  # 5 and 500 seeds
    python benchmarks/vs_benchopt.py --seeds 5 50 500 --repeat 3 --out DIR

The work (``lsq_gd``): GD on f(θ) = ½‖Xθ − Y‖², X 50 × 10, α = c · 2/ρ(XᵀX) for
c ∈ {0.5, 0.99, 1.5}, until ‖∇f(θ_k)‖ ≤ 1e-10, divergence (distance to θ* beyond
1e12 × its start) or 20 000 steps; one run per seed and c; 2 workers each.

* gdlab: ``snakemake --cores 2`` on a throw-away copy of this checkout's workflow
  (benchmarks/harness.py's ``Workflow``), config restricted to ``lsq_gd`` (``only``),
  up to its solver jobs, its table and its figure;
* benchopt: ``benchopt run -j 2`` of a fresh copy of benchmarks/benchopt_ols/
  (one dataset instance per seed × the 3 step sizes, ``sampling_strategy =
  "run_once"``), plots on (its HTML page), ``--no-display``.

Each measurement starts cold: a new copy, no results, no cache.  Prints a
Markdown table (wall s, CPU s, peak RSS of the largest process, ratio
benchopt / gdlab) and writes it with every number as JSON under ``--out``.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import harness as bench  # benchmarks/harness.py: Workflow, timed, ONE_THREAD
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BENCHMARK = HERE / "benchopt_ols"

PROBLEM = "lsq_gd"
ALPHA_MULTIPLES = [0.5, 0.99, 1.5]
SHAPE = [50, 10]
TOLERANCE = 1.0e-10
MAX_STEPS = 20000
DIVERGENCE_FACTOR = 1.0e12
CORES = 2

# Runs a command and reports the peak RSS of its largest process (ru_maxrss of the
# waited-for descendants, in kB on Linux) as the last line of its output.
PEAK = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:])\n"
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print('PEAK_RSS_KB', kb, file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


# ---- the two configurations -----------------------------------------------------------
def gdlab_config(base: dict, seeds: int) -> dict:
    """The study restricted to the OLS-GD work: ``study: lsq_gd`` and its section set
    to the shape, step sizes, seeds and stopping rule above."""
    c = copy.deepcopy(base)
    c["study"] = PROBLEM
    c["problems"][PROBLEM].update(
        alpha_multiples=list(ALPHA_MULTIPLES),
        seeds=seeds,
        shape=list(SHAPE),
        tolerance=TOLERANCE,
        max_steps=MAX_STEPS,
        divergence_factor=DIVERGENCE_FACTOR,
    )
    c["max_jobs"] = max(int(c.get("max_jobs", 0)), 100_000)
    return c


def gdlab_targets() -> list[str]:
    """lsq_gd's table and figure(s): Snakemake builds the solver jobs they need."""
    from gdlab import plan
    from gdlab.problems.lsq_gd import SPEC

    out = [f"results/tables/{PROBLEM}.{ext}" for ext in ("csv", "md")]
    for figure in SPEC.figures:
        out += list(plan.figure_paths(figure.name).values())
    return out


def benchopt_config(seeds: int) -> dict:
    """benchopt's run config: one dataset instance per seed 0 … seeds−1, the three
    step sizes, gdlab's stopping rule (the objective's parameters)."""
    return {
        "dataset": [{"simulated": {"seed": list(range(seeds))}}],
        "objective": [
            {
                "OLS-GD": {
                    "tolerance": TOLERANCE,
                    "max_steps": MAX_STEPS,
                    "divergence_factor": DIVERGENCE_FACTOR,
                }
            }
        ],
        "solver": [{"GD": {"c": list(ALPHA_MULTIPLES)}}],
    }


# ---- the two runs -----------------------------------------------------------------------
def peak_of(output: str) -> float | None:
    for line in reversed(output.splitlines()):
        if line.startswith("PEAK_RSS_KB "):
            return int(line.split()[1]) / 1024
    return None


def measure(cmd: list[str], cwd: Path, log: Path, extra_env: dict | None = None) -> dict:
    seconds, cpu, out = bench.timed(
        [sys.executable, "-c", PEAK, *cmd], cwd, log, extra_env=extra_env
    )
    return {"wall_s": seconds, "cpu_s": cpu, "peak_rss_mb": peak_of(out)}


def run_gdlab(base: dict, seeds: int, root: Path) -> dict:
    config = gdlab_config(base, seeds)
    w = bench.Workflow(root, f"gdlab_{seeds}", config, is_floor=False, cores=CORES)
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(CORES), *gdlab_targets()]
    r = measure(cmd, w.dir, w.dir / "run.log")
    r["jobs"] = bench.job_counts((w.dir / "run.log").read_text())
    r["table_rows"] = sum(1 for _ in (w.dir / "results/tables/lsq_gd.csv").open()) - 1
    shutil.rmtree(w.dir, ignore_errors=True)
    return r


# benchopt 1.10's parallel dispatch can fail now and then, more often the more runs
# there are: each task carries its terminal-output object, whose dict of runs
# (TerminalOutput.rep) the main thread keeps adding to while loky's feeder thread is
# pickling an earlier task ("RuntimeError: dictionary changed size during
# iteration").  Such a run is started again, cold, and counted in ``failed_runs``.
RACE = "dictionary changed size during iteration"
ATTEMPTS = 5


def run_benchopt(seeds: int, root: Path) -> dict:
    for attempt in range(ATTEMPTS):
        try:
            r = _run_benchopt(seeds, root)
        except RuntimeError as e:
            if RACE not in str(e):
                raise
            print(f"[vs_benchopt] benchopt failed ({RACE})", file=sys.stderr)
            continue
        r["failed_runs"] = attempt
        return r
    # every attempt failed: recorded as such (no time), the other rows still count
    return {"wall_s": None, "cpu_s": None, "peak_rss_mb": None, "failed_runs": ATTEMPTS}


def _run_benchopt(seeds: int, root: Path) -> dict:
    work = root / f"benchopt_{seeds}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(
        BENCHMARK, work, ignore=shutil.ignore_patterns("__pycache__", "__cache__", "outputs")
    )
    (work / "run.yml").write_text(yaml.safe_dump(benchopt_config(seeds), sort_keys=False))
    out = work / "outputs" / "results.parquet"
    cmd = [
        sys.executable,
        "-m",
        "benchopt",
        "run",
        str(work),
        "--config",
        str(work / "run.yml"),
        "-j",
        str(CORES),
        "--no-display",
        "--seed",
        "0",
        "--output",
        str(out),
    ]
    # one BLAS thread per worker, as Snakemake gives each gdlab job
    r = measure(cmd, work, root / f"benchopt_{seeds}.log", extra_env=bench.ONE_THREAD)
    import pandas as pd

    df = pd.read_parquet(out)
    r["runs"] = len(df)
    r["converged"] = int(df["objective_converged"].sum())
    r["html"] = sorted(p.name for p in (work / "outputs").glob("*.html"))
    shutil.rmtree(work, ignore_errors=True)
    return r


# ---- the comparison and its report -----------------------------------------------------
MISSING = "benchopt is not installed: pip install -e '.[bench]'"


def installed() -> bool:
    return importlib.util.find_spec("benchopt") is not None


def best(runs: list[dict]) -> dict:
    """The fastest (wall) of the repeats, with every repeat's wall time beside it."""
    done = [r for r in runs if r["wall_s"] is not None] or runs
    out = dict(min(done, key=lambda r: r["wall_s"] or 0.0))
    out["all_wall_s"] = [r["wall_s"] for r in runs]
    out["all_cpu_s"] = [r["cpu_s"] for r in runs]
    out["failed_runs"] = sum(r.get("failed_runs", 0) for r in runs)
    return out


def compare(seed_counts: list[int], root: Path, repeat: int = 1) -> list[dict]:
    """Both sides, cold, at each seed count (gdlab first, then benchopt, ``repeat``
    times): one row each, with the ratios benchopt / gdlab."""
    base = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    rows = []
    for seeds in seed_counts:
        g, b = [], []
        for _ in range(repeat):
            print(f"[vs_benchopt] {seeds} seeds: gdlab ...", file=sys.stderr, flush=True)
            g.append(run_gdlab(base, seeds, root))
            print(f"[vs_benchopt] {seeds} seeds: benchopt ...", file=sys.stderr, flush=True)
            b.append(run_benchopt(seeds, root))
        g, b = best(g), best(b)
        runs = seeds * len(ALPHA_MULTIPLES)
        if b["wall_s"] is not None and b["runs"] != runs:
            raise RuntimeError(f"benchopt made {b['runs']} runs, expected {runs}")
        ok = b["wall_s"] is not None
        rows.append(
            {
                "seeds": seeds,
                "runs": runs,
                "repeat": repeat,
                "gdlab": g,
                "benchopt": b,
                "ratio_wall": b["wall_s"] / g["wall_s"] if ok else None,
                "ratio_cpu": b["cpu_s"] / g["cpu_s"] if ok else None,
            }
        )
    return rows


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| seeds | runs | gdlab wall s | gdlab CPU s | gdlab peak MB | benchopt wall s "
        "| benchopt CPU s | benchopt peak MB | benchopt / gdlab (wall) | (CPU) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        g, b = r["gdlab"], r["benchopt"]
        if b["wall_s"] is None:
            lines.append(
                f"| {r['seeds']} | {r['runs']} | {g['wall_s']:.2f} | {g['cpu_s']:.2f} | "
                f"{g['peak_rss_mb'] or 0:.0f} | failed ×{b['failed_runs']} | – | – | – | – |"
            )
            continue
        lines.append(
            f"| {r['seeds']} | {r['runs']} | {g['wall_s']:.2f} | {g['cpu_s']:.2f} | "
            f"{g['peak_rss_mb'] or 0:.0f} | {b['wall_s']:.2f} | {b['cpu_s']:.2f} | "
            f"{b['peak_rss_mb'] or 0:.0f} | {r['ratio_wall']:.2f} | {r['ratio_cpu']:.2f} |"
        )
    return lines


def caption(rows: list[dict]) -> str:
    return (
        f"**gdlab beside benchopt** (OLS-GD: X {SHAPE[0]}×{SHAPE[1]}, c ∈ {ALPHA_MULTIPLES}, "
        f"tolerance {TOLERANCE:g}, ≤ {MAX_STEPS} steps; cold, {CORES} workers each; best of "
        f"{rows[0]['repeat'] if rows else 1}; peak MB: the largest process)"
    )


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[5, 500])
    ap.add_argument("--out", default=str(HERE / "out"), help="output directory")
    ap.add_argument("--repeat", type=int, default=1, help="cold runs of each (best is shown)")
    args = ap.parse_args(argv)
    if not installed():
        print(MISSING, file=sys.stderr)
        return 1
    import benchopt

    out = Path(args.out).resolve()
    root = out / "work_vs_benchopt"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "benchopt": benchopt.__version__,
        "python": sys.version.split()[0],
        "load_before": list(os.getloadavg()),
        "command": " ".join(["python", "benchmarks/vs_benchopt.py", *argv]),
    }
    rows = compare(args.seeds, root, args.repeat)
    meta["load_after"] = list(os.getloadavg())
    text = "\n".join(
        [
            f"{meta['date']}, benchopt {meta['benchopt']}, {meta['cpus']} CPUs, load average "
            f"{meta['load_before'][0]:.2f} before / {meta['load_after'][0]:.2f} after.",
            "",
            caption(rows),
            "",
            *table(rows),
            "",
        ]
    )
    doc = {"machine": meta, "rows": rows}
    (out / "vs_benchopt.json").write_text(json.dumps(doc, indent=2) + "\n")
    (out / "vs_benchopt.md").write_text(text)
    shutil.rmtree(root, ignore_errors=True)
    print(text)
    print(f"[vs_benchopt] wrote {out / 'vs_benchopt.json'} and .md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
