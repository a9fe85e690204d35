r"""``results/runs.parquet``: every problem's per-run summaries in one file.

    python -m gdlab.jobs.dataset --spec '{"trace": [...], "columns": {...}}' \
        --settings '{"PROBLEM": {"max_steps": ...}, ...}' \
        --out results/runs.parquet \
        results/summaries/PROBLEM/SETTING/seeds_A-B.parquet ...

The solver jobs' summaries, written one after the other (one in memory at a time,
in row groups of :data:`gdlab.runs.ROW_GROUP` rows), every column described in the
file's metadata.  Each summary must be the one its name asks for: of that problem,
grid point and seeds, computed with the current configuration's solver settings
(``--settings``).
"""

import json
from pathlib import Path

from gdlab import grid, runs, script
from gdlab.schema import ResultFileError


def by_problem(paths: list[str], settings: dict) -> dict[str, list[str]]:
    """The summaries ``paths`` grouped by the problem their path names, each a problem of
    the study (``settings``'s keys), in the order given."""
    out: dict[str, list[str]] = {}
    for path in paths:
        parts = Path(path).parts
        # results/summaries/<problem>/...: a problem of the study, then its own grid's path
        problem = parts[-3] if parts[-5:-3] == ("results", "summaries") else None
        if problem not in settings or grid.parse_run_path(path, problem, "summaries") is None:
            raise ResultFileError(
                f"{path}: not a per-run summary of a problem of this study ({', '.join(settings)})"
            )
        out.setdefault(problem, []).append(path)
    return out


def main(args):
    old = runs.old_layout(Path(args.out).parent / "runs")
    if old:  # a glob over results/runs/ would read it beside the current files
        raise ResultFileError(
            f"{old} is of an older gdlab layout (results schema 3 or before), beside the "
            "current files: delete it (`snakemake prune` deletes every file the config does not "
            "make) and rerun snakemake"
        )
    wanted = by_problem(args.summaries, args.settings)
    for problem, paths in wanted.items():  # their metadata first (file footers only) ...
        for path in paths:
            runs.summary_doc(path, problem, args.settings[problem])
    runs.write(  # ... then their rows, one summary in memory at a time
        (
            table
            for problem, paths in wanted.items()
            for _path, table in runs.read_summaries(
                paths, problem, args.settings[problem], own=False
            )
        ),
        args.spec,
        {"problems": list(wanted), "settings": {p: args.settings[p] for p in wanted}},
        args.out,
    )


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--spec", type=json.loads, required=True, help="the summary's columns, JSON")
    p.add_argument(
        "--settings", type=json.loads, required=True, help="each problem's solver settings, JSON"
    )
    p.add_argument("--out", required=True)
    p.add_argument("summaries", nargs="+", help="every solver job's per-run summary")
    script.run("dataset", p.parse_args(), main)
