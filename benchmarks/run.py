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
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

# first: benchmarks/harness.py puts this checkout's src/ and tests/ on sys.path
from harness import HERE, REPO, machine

# isort: split
import operator_bench
import yaml
from items import headline, job_size, scaling, scaling_targets, solver_job
from markdown_tables import markdown
from studies import only_problem, study
from targets import targets

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


def arguments(argv: list[str]) -> argparse.Namespace:
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
    return ap.parse_args(argv)


def items_of(args, plan: dict, config: dict, work: Path, repeat: int) -> list[tuple]:
    """The items to measure: (key in the document, name, function, arguments, keyword
    arguments), those of ``--only``."""
    sm_args = tuple(plan.get("snakemake_args", ()))
    grid_config = (
        config
        if plan["job_size_problem"] is None
        else only_problem(config, plan["job_size_problem"], 1)
    )
    job_size_targets = (
        scaling_targets(plan["job_size_problem"]) if plan.get("job_size_to_table") else ()
    )
    scaling_args = (config, work, plan["scaling_problem"], plan["scaling_factors"], args.cores)
    items = [
        (
            "headline",
            "items 1-4: lower bound, floor, pipeline",
            headline,
            (config, work, repeat, args.cores, sm_args),
            {},
        ),
        ("scaling", "item 5: scaling", scaling, (*scaling_args, sm_args), {}),
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
    return [i for i in items if i[0] in args.only]


def measure(doc: dict, items: list[tuple], workers: int) -> None:
    """Every item's result into ``doc`` under its key."""
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


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = arguments(argv)
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
    repeat = args.repeat or (1 if quick else 3)
    doc = {"machine": machine(argv), "config": str(config_path), "quick": quick}

    # warm the page cache (imports of the first measurement otherwise pay for it)
    subprocess.run(
        [sys.executable, "-c", "import snakemake.api, pandas, matplotlib.pyplot, pyarrow.parquet"],
        check=True,
    )
    doc["plan"] = plan
    measure(doc, items_of(args, plan, config, work, repeat), plan.get("workers", 1))
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
