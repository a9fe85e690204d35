"""What each job of the study cost: Snakemake's ``benchmark:`` records (one per job,
``results/benchmarks/``, :func:`gdlab.plan.benchmark`; the rule hands over the list,
:func:`gdlab.plan.measured`, so this module needs no registry) gathered into one table,
``results/costs.csv``, and a page of the report.

Snakemake measures a job's process tree by sampling it (psutil) every 0.5 s for the
first 30 s, then every 30 s: a job that ends before its first sample has a wall time
but no CPU time or memory (``NA`` in its record, empty here), and a peak between two
samples is missed.  A record of no CPU time at all is a sample taken before the
job's own process ran (its shell's few MB): not sampled either.  A solver job's run-steps are the steps its runs took, from the
problem's per-run summary; its speed is run-steps per second of its wall time, its
start-up included.
"""

from __future__ import annotations

import csv
import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gdlab import report
from gdlab.errors import ResultFileError

COLUMNS = (
    "job",
    "problem",
    "setting",
    "seeds",
    "wall_s",
    "cpu_s",
    "max_rss_mb",
    "runs",
    "run_steps",
    "run_steps_per_s",
)
NOTES = {
    "job": "the job's first output (its benchmark record: results/benchmarks/<the same path>.tsv)",
    "problem": "the problem of a solver job",
    "setting": "the grid point of a solver job",
    "seeds": "the seeds of a solver job (first-last)",
    "wall_s": "wall time of the job, seconds (its interpreter's start-up included)",
    "cpu_s": "CPU time of the job's processes, seconds (empty: not sampled, the job ended "
    "before Snakemake's sample at 0.5 s)",
    "max_rss_mb": "largest resident memory Snakemake sampled, MB (empty: not sampled)",
    "runs": "runs of a solver job",
    "run_steps": "GD steps its runs took, summed (0 for a problem with no iteration)",
    "run_steps_per_s": "run_steps per second of wall time",
}


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # "NA": not sampled
        return math.nan


def read_benchmark(path: str | Path) -> dict[str, float] | None:
    """Wall time, CPU time and peak RSS of a job's benchmark record (its last line, the
    last repeat), or None when the job has none (made before benchmarks were recorded)
    or it cannot be read (a record is how a run went, not a result: a damaged one
    leaves its row empty and stops nothing)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except (OSError, UnicodeDecodeError, csv.Error):  # missing or damaged: not measured
        return None
    if not rows:
        return None
    last = rows[-1]
    cost = {
        "wall_s": _number(last.get("s", "NA")),
        "cpu_s": _number(last.get("cpu_time", "NA")),
        "max_rss_mb": _number(last.get("max_rss", "NA")),
    }
    if not cost["cpu_s"] > 0:  # sampled before the job's own process had run: not its cost
        cost["cpu_s"] = cost["max_rss_mb"] = math.nan
    return cost


def _per_setting(summary: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """setting -> (its runs' seeds, sorted; the steps they took, summed from the
    start: 0 first), read once from a problem's per-run summary."""
    try:
        table = pq.read_table(summary, columns=["setting", "seed", "steps"])
    except (OSError, pa.ArrowException) as exc:  # FileNotFoundError too
        raise ResultFileError(
            f"{summary}: not a readable run summary ({exc}); delete it and rerun snakemake"
        ) from None
    coded = table["setting"].combine_chunks().dictionary_encode()
    code = coded.indices.to_numpy(zero_copy_only=False)
    seed = table["seed"].to_numpy(zero_copy_only=False)
    steps = pc.fill_null(table["steps"], 0).to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.lexsort((seed, code))
    code, seed, steps = code[order], seed[order], steps[order]
    names = coded.dictionary.to_pylist()
    edges = np.searchsorted(code, np.arange(len(names) + 1))
    return {
        name: (seed[a:b], np.concatenate([[0], np.cumsum(steps[a:b])]))
        for name, a, b in zip(names, edges[:-1], edges[1:], strict=True)
    }


def _steps(summary: str, setting: str, seeds: str, cache: dict) -> tuple[int, int]:
    """(runs, run-steps) of one solver job (its seeds ``first-last`` at ``setting``)."""
    if summary not in cache:
        cache[summary] = _per_setting(summary)
    ran, total = cache[summary].get(setting, (np.zeros(0, np.int64), np.zeros(1, np.int64)))
    first, last = (int(x) for x in seeds.split("-"))
    lo, hi = np.searchsorted(ran, first, "left"), np.searchsorted(ran, last, "right")
    return int(hi - lo), int(total[hi] - total[lo])


def rows(measured: Sequence[Mapping[str, str]]) -> list[dict]:
    """One row per job of ``measured`` (:func:`gdlab.plan.measured`: its first output, its
    benchmark record and, for a solver job, its problem, setting, seeds and each grid
    point's summary, ``points``)."""
    out, cache = [], {}
    for job in measured:
        empty = dict.fromkeys(("wall_s", "cpu_s", "max_rss_mb"), math.nan)
        row = {"job": job["job"], **{c: job.get(c, "") for c in COLUMNS[1:4]}}
        row |= read_benchmark(job["benchmark"]) or empty
        row |= {"runs": math.nan, "run_steps": math.nan, "run_steps_per_s": math.nan}
        if "points" in job:  # a solver job: its grid points' summaries
            counts = [_steps(summary, s, job["seeds"], cache) for s, summary in job["points"]]
            runs, steps = (sum(c) for c in zip(*counts, strict=True))
            row |= {"runs": runs, "run_steps": steps}
            if steps and row["wall_s"] > 0:
                row["run_steps_per_s"] = steps / row["wall_s"]
        out.append(row)
    return out


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return str(value)


def write_csv(table: list[dict], path: str | Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows([_cell(r[c]) for c in COLUMNS] for r in table)


def headline(table: list[dict]) -> str:
    """``65 jobs, 41.2 s of wall time in all (31 jobs sampled: 20.1 s of CPU); the
    solver jobs: 2.1e+07 run-steps at 8.3e+06 per second``."""

    def total(key, rows_):
        return sum(r[key] for r in rows_ if not math.isnan(r[key]))

    sampled = [r for r in table if not math.isnan(r["cpu_s"])]
    solver = [r for r in table if r["problem"]]
    text = f"{len(table)} jobs, {total('wall_s', table):.1f} s of wall time in all"
    text += f" ({len(sampled)} jobs sampled: {total('cpu_s', sampled):.1f} s of CPU)"
    steps, wall = total("run_steps", solver), total("wall_s", solver)
    if steps and wall:
        text += f"; the {len(solver)} solver jobs: {steps:.3g} run-steps at {steps / wall:.3g} per second"
    return text


def page(table: list[dict]) -> str:
    """The report's page of the table (:func:`gdlab.report.page`), the slowest job first."""
    ordered = sorted(table, key=lambda r: -(0 if math.isnan(r["wall_s"]) else r["wall_s"]))
    cells = [
        [(_cell(r[c]), c in ("job", "problem", "setting", "seeds")) for c in COLUMNS]
        for r in ordered
    ]
    return report.page(
        "job costs",
        "What each job cost " + html.escape("(Snakemake's benchmark: records)"),
        (True, headline(table)),
        COLUMNS,
        cells,
        [True] * len(cells),
        NOTES,
    )
