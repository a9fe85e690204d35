"""One solver job: (problem, grid point, block of seeds) -> one Parquet file.

    python -m gdlab.solve --problem PROBLEM --setting alpha_0.5 --seeds 0-9 \
        --settings '{"max_steps": 20000, ...}' --out results/runs/...parquet

Given several ``--out`` files (and no ``--setting`` or ``--seeds``), one job runs the
grid point and seed block each path names, one after the other, and writes the same
bytes one job per file would (``points_per_job``, docs/performance.md, "Job size").

Run by the workflow's ``solve`` rule and runnable by hand for debugging.  Imports
NumPy and pyarrow only (no pandas, no matplotlib) to keep the job's start-up short.
"""

from __future__ import annotations

from gdlab import interrupt

if __name__ == "__main__":  # before the heavy imports: Ctrl-C in them is one line too
    interrupt.install("gdlab.solve")

import argparse
import json
import re
import sys

import numpy as np
import pyarrow as pa

from gdlab import __version__, columns, grid, problems, runs, schema, seeding, stopping
from gdlab.trace import WINDOW, keep_rows

SPEC = object()  # solve's default: the seeds the problem's spec keeps every row of


def solve(
    problem: str,
    setting: str,
    first: int,
    last: int,
    settings: dict,
    types: dict | None = None,
    trajectories: int | object | None = SPEC,
):
    """Run the block and return its table (nothing written): the dataset's columns
    ``types`` (:func:`gdlab.schema.dataset_types`, which the workflow passes every job),
    by default only the problem's own.  Every recorded row is kept for the seeds below
    ``trajectories`` (default: the spec's; None: every seed), the rows a summary and
    a rate are read from for the others (:func:`gdlab.trace.keep_rows`)."""
    return solve_block(problem, setting, first, last, settings, types, trajectories)[0]


def solve_block(
    problem: str,
    setting: str,
    first: int,
    last: int,
    settings: dict,
    types: dict | None = None,
    trajectories: int | object | None = SPEC,
    summary: dict | None = None,
):
    """:func:`solve`'s table and the block's per-run summary (one row per run, of the
    columns ``summary``, :func:`gdlab.columns.summary_spec` by default), its rate
    windows read at the source from every recorded step (:attr:`gdlab.trace.Trace.window`)."""
    spec = problems.spec(problem)
    axis, value = grid.parse_setting(setting, problem)
    expected_axis = spec.grid.axis
    if axis != expected_axis and axis not in spec.grid.names:
        raise ValueError(f"{problem} takes grid points {expected_axis}_..., got {setting!r}")
    if not 0 <= first <= last:
        raise ValueError(f"seed block {first}-{last} is empty or negative")
    seeds = list(range(first, last + 1))
    numerics = problems.numerics(problem)
    traced = spec.trajectories if trajectories is SPEC else trajectories
    rate_windows = None
    if spec.iterative:
        # the seeds at or above ``traced`` come back with their first and last rows only
        cols = numerics.run(settings, value, seeds, traced=traced)
        rate_windows = _windows(cols)
    else:
        cols = numerics.run(settings, value, seeds)
    _label(cols, spec, problem, setting, value)
    provenance = _provenance(problem, spec, numerics, setting, seeds, settings, value, traced)
    every = schema.to_table(problem, cols, provenance, types)
    summary_table = runs.summarise(
        every, summary or columns.summary_spec(), rate_windows, one_row=not spec.iterative
    )
    kept = keep_rows(cols, traced) if spec.iterative else cols
    table = every if kept is cols else schema.to_table(problem, kept, provenance, types)
    return table, summary_table


def _windows(cols: dict) -> dict:
    """Each run's rate window, taken out of ``cols`` (run-level columns, in seed order)."""
    seed = np.asarray(cols["seed"])
    start = np.flatnonzero(np.r_[True, seed[1:] != seed[:-1]])
    return {"seed": seed[start], **{k: np.asarray(cols.pop(k))[start] for k in WINDOW}}


def _label(cols: dict, spec, problem: str, setting: str, value) -> None:
    """Every row's problem, grid point and grid value (as numbers: N and p, or c)."""
    n = len(cols["step"])
    cols["problem"] = [problem] * n
    cols["setting"] = [setting] * n
    if not spec.iterative:  # a check, not a descent: its one row is step 0 of 0 steps
        cols.setdefault("steps", np.zeros(n, dtype=np.int64))
    if spec.grid.kind == "shape":
        for col, v in zip(spec.grid.columns, value, strict=True):
            cols[col] = np.full(n, v, dtype=np.int64)
    elif spec.grid.kind == "pair":
        name_col, a_col, b_col = spec.grid.columns
        cols[name_col] = [value[0]] * n
        cols[a_col], cols[b_col] = np.full(n, value[1]), np.full(n, value[2])
    elif spec.grid.kind == "float" and spec.grid.axis != "alpha":
        cols[spec.grid.axis] = np.full(n, value)


def _provenance(
    problem: str, spec, numerics, setting: str, seeds: list[int], settings: dict, value, traced
) -> dict:
    """What a reader needs to regenerate any run of the block (the file's ``gdlab`` key)."""
    root = settings.get("root_seed", 0)
    return {
        "problem": problem,
        "setting": setting,
        "seeds": [seeds[0], seeds[-1]],
        "settings": settings,
        # every seed's entropy, the seed where it says "seed" (seeding.entropy_template)
        "seed_entropy": (
            None  # nothing is drawn: a run is its index
            if spec.seeding == "none"
            else ["RandomState", seeding.SEED]
            if spec.seeding == "legacy"
            else seeding.entropy_template(spec.seed_stream or problem, root)
        ),
        # how the data were drawn and when a run stops: enough to regenerate any run
        "data": numerics.data_process(settings, value),
        "trajectories": (
            "every recorded row of every run"
            if traced is None or not spec.iterative
            else f"every recorded row of seeds 0-{traced - 1}; none of the others (their "
            "numbers are in the block's per-run summary)"
        ),
        # the seeds below it keep their rows (None: every seed)
        "traced": traced if spec.iterative else None,
        "stopping": (
            {**stopping.stopping(settings), "rule": stopping.rule(settings)}
            if spec.iterative
            else None
        ),
        "versions": {"gdlab": __version__, "numpy": np.__version__, "pyarrow": pa.__version__},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gdlab.solve", description=__doc__.split("\n\n")[0])
    ap.add_argument("--problem", required=True)
    ap.add_argument(
        "--setting",
        help="grid point, e.g. alpha_0.5, c_0.9, shape_20x5 (default: each --out path's)",
    )
    ap.add_argument(
        "--seeds", help="inclusive seed block FIRST-LAST, e.g. 0-9 (default: each --out path's)"
    )
    ap.add_argument("--settings", required=True, help="the problem's config slice as JSON")
    ap.add_argument(
        "--columns",
        help="the dataset's columns as JSON {name: type} (default: the problem's own only)",
    )
    ap.add_argument(
        "--out",
        required=True,
        nargs="+",
        help="Parquet file to write; several (results/runs/<problem>/<point>/seeds_<a>-<b>"
        ".parquet, no --setting or --seeds) run their grid points one after the other",
    )
    ap.add_argument(
        "--summary", help="the per-run summary's columns as JSON (default: gdlab's own)"
    )
    ap.add_argument("--summary-out", nargs="+", help="Parquet file of each block's per-run summary")
    args = ap.parse_args(argv)
    points = _points(ap, args)
    try:
        types = json.loads(args.columns) if args.columns else None
        spec = json.loads(args.summary) if args.summary else columns.summary_spec()
        settings = json.loads(args.settings)
    except ValueError as exc:
        print(f"gdlab.solve: {args.problem}: {exc}", file=sys.stderr)
        return 2
    for setting, first, last, out, summary_out in points:
        status = _run(args.problem, setting, first, last, settings, types, spec, out, summary_out)
        if status:
            return status
    return 0


def _points(ap, args) -> list[tuple[str, int, int, str, str | None]]:
    """(grid point, first seed, last seed, run file, summary file) of each block to run."""
    summaries = args.summary_out or [None] * len(args.out)
    if len(summaries) != len(args.out):
        ap.error(f"--summary-out gives {len(summaries)} files for {len(args.out)} --out files")
    if len(args.out) == 1 and args.setting is not None and args.seeds is not None:
        m = re.fullmatch(r"([0-9]+)-([0-9]+)", args.seeds)
        if not m:
            ap.error(f"--seeds must be FIRST-LAST (e.g. 0-9), got {args.seeds!r}")
        return [(args.setting, int(m[1]), int(m[2]), args.out[0], summaries[0])]
    if args.setting is not None or args.seeds is not None:
        ap.error("--setting and --seeds go together, with one --out file")
    points = []
    for out, summary_out in zip(args.out, summaries, strict=True):
        parsed = grid.parse_run_path(out, args.problem)
        if parsed is None:
            ap.error(
                f"--out {out!r} is not results/runs/{args.problem}/<point>/seeds_<a>-<b>.parquet"
            )
        _, setting, (first, last) = parsed
        if (
            summary_out is not None
            and grid.parse_run_path(summary_out, args.problem, "summaries") != parsed
        ):
            ap.error(f"--summary-out {summary_out!r} is not the summary of {out!r}")
        points.append((setting, first, last, out, summary_out))
    return points


def _run(
    problem: str,
    setting: str,
    first: int,
    last: int,
    settings: dict,
    types: dict | None,
    spec: dict,
    out: str,
    summary_out: str | None,
) -> int:
    """One block: solved, then its run file and summary written (the exit status)."""
    seeds = f"{first}-{last}"
    try:
        table, summary = solve_block(problem, setting, first, last, settings, types, summary=spec)
    except (ValueError, KeyError) as exc:
        print(f"gdlab.solve: {problem} {setting} seeds {seeds}: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            f"gdlab.solve: {problem} {setting} seeds {seeds}: out of memory; "
            f"lower problems.{problem}.seeds_per_job (runs per job) or its size keys",
            file=sys.stderr,
        )
        return 1
    meta = {
        "problems": [problem],
        "settings": {problem: settings},
        "setting": setting,
        "seeds": [first, last],
    }
    path = out
    try:
        schema.write(table, path)
        if summary_out:
            path = summary_out
            runs.write([summary], spec, meta, path)
    except OSError as exc:  # a full disk, a read-only folder: one line, nothing half-written
        print(f"gdlab.solve: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
