r"""One problem's per-run summary: ``results/summaries/PROBLEM.parquet``.

    python -m gdlab.jobs.runs --problem PROBLEM --settings '{"max_steps": ...}' \
        --spec '{"trace": [...], "columns": {...}}' --out results/summaries/PROBLEM.parquet \
        SUMMARY.parquet ...

The per-run summaries the problem's solver jobs wrote, one after the other (each
checked, one in memory at a time).
"""

import json

from gdlab import runs, script, tables


def main(args):
    summaries = (
        table
        for _path, table in tables.read_summaries(
            args.summaries, args.problem, args.settings, own=False
        )
    )
    meta = {"problems": [args.problem], "settings": {args.problem: args.settings}}
    runs.write(summaries, args.spec, meta, args.out)


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--problem", required=True)
    p.add_argument("--settings", type=json.loads, required=True, help="as JSON")
    p.add_argument("--spec", type=json.loads, required=True, help="the summary's columns, JSON")
    p.add_argument("--out", required=True)
    p.add_argument("summaries", nargs="+", help="the per-run summaries of its solver jobs")
    script.run("runs", p.parse_args(), main)
