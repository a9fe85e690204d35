"""The lower bound: everything the pipeline computes and writes, in one Python process.

    python benchmarks/lower_bound.py --config config/config.yaml --out DIR [--profile FILE]

Same solver work (:func:`gdlab.solve.solve` for every job of :func:`gdlab.grid.jobs`),
the same Parquet files (:func:`gdlab.schema.write`), the same tables, checks and
figures (``gdlab.tables``, ``gdlab.checks``, ``gdlab.plots``), written under
``DIR/results/`` with the workflow's paths — with no Snakemake and no extra
process.  Prints one JSON document: wall seconds per phase (imports included, as
a pipeline job pays them too).  ``--profile FILE`` also writes a cProfile dump
and prints the top functions to stderr.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))  # this checkout's gdlab, like the workflow


def table_checks(config: dict, problem: str) -> dict:
    """What the ``table`` rule passes as ``params.checks`` (workflow/rules/common.smk)."""
    c = config["checks"]
    out = {"rate_rtol": {problem: c["rate_rtol"].get(problem, 0.0)}}
    if problem == "quadratic":
        out["closed_form_rtol"] = c["closed_form_rtol"]
    if problem == "lsq_gradient":
        out["lsq_gradient"] = c["lsq_gradient"]
    if problem == "sharp_wide":
        out["start_interval"] = config["problems"]["sharp_wide"]["start_interval"]
    return out


def run(config: dict, out: Path) -> dict:
    """The whole study in this process; returns seconds per phase."""
    phases = {}
    t = time.perf_counter()
    from gdlab import grid, schema, solve

    phases["import_solver"] = time.perf_counter() - t

    os.chdir(out)
    problems = [p for p in grid.PROBLEMS if p in config["problems"]]
    runs = {}
    t = time.perf_counter()
    n_jobs = n_seeds = 0
    for problem in problems:
        settings = grid.solver_settings(config, problem)
        runs[problem] = []
        for job in grid.jobs(config, problem):
            table = solve.solve(problem, job.setting, job.first, job.last, settings)
            schema.write(table, job.path)
            runs[problem].append(job.path)
            n_jobs += 1
            n_seeds += job.last - job.first + 1
    phases["solve_and_write"] = time.perf_counter() - t

    t = time.perf_counter()
    import pandas as pd

    from gdlab import checks, plots, script, tables

    phases["import_aggregate"] = time.perf_counter() - t

    t = time.perf_counter()
    csv = {}
    for problem in problems:
        df = tables.load(runs[problem], problem)
        table = tables.convergence_table(problem, df, table_checks(config, problem))
        Path("results/tables").mkdir(parents=True, exist_ok=True)
        csv[problem] = f"results/tables/{problem}.csv"
        table.to_csv(csv[problem], index=False, float_format="%.17g")
        Path(f"results/tables/{problem}.md").write_text(tables.to_markdown(problem, table))
    phases["tables"] = time.perf_counter() - t

    t = time.perf_counter()
    Path("results/checks").mkdir(parents=True, exist_ok=True)
    if "lsq_gradient" in problems:
        df = tables.load(runs["lsq_gradient"], "lsq_gradient")
        report = checks.lsq_gradient(df, dict(config["checks"]["lsq_gradient"]))
        script.write_check("results/checks/lsq_gradient.json", report)
    if "conv_huber" in problems:
        df = tables.load(runs["conv_huber"], "conv_huber")
        step = config["problems"]["conv_huber"].get("reference_step", 100)
        report = checks.conv_huber(df, dict(config["checks"]["conv_huber"]), step)
        script.write_check("results/checks/conv_huber.json", report)
    iterative = [p for p in problems if p != "lsq_gradient"]
    if iterative:
        read = {p: pd.read_csv(csv[p]) for p in iterative}
        script.write_check("results/checks/convergence.json", checks.convergence(read))
    phases["checks"] = time.perf_counter() - t

    if "sharp_wide" in problems:
        t = time.perf_counter()
        import matplotlib.pyplot  # noqa: F401  (its import is part of the figure's cost)

        phases["import_matplotlib"] = time.perf_counter() - t
        t = time.perf_counter()
        Path("results/figures").mkdir(parents=True, exist_ok=True)
        df = tables.load(runs["sharp_wide"], "sharp_wide")
        plots.basin_ratio(
            df,
            list(config["problems"]["sharp_wide"]["alphas"]),
            ["results/figures/basin_ratio.png", "results/figures/basin_ratio.svg"],
            dpi=config["plots"]["dpi"],
        )
        phases["figures"] = time.perf_counter() - t
    return {"phases": phases, "solver_jobs": n_jobs, "runs": n_seeds}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True, help="a gdlab config YAML")
    ap.add_argument("--out", required=True, help="directory to write results/ under")
    ap.add_argument("--profile", help="write a cProfile dump here")
    args = ap.parse_args(argv)
    import yaml

    config = yaml.safe_load(Path(args.config).read_text())
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    startup = time.perf_counter() - T0
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        doc = prof.runcall(run, config, out)
        prof.dump_stats(args.profile)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    else:
        doc = run(config, out)
    doc["phases"] = {"startup": startup, **doc["phases"]}
    doc["in_process_seconds"] = time.perf_counter() - T0
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
