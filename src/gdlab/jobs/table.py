r"""One problem's convergence table (CSV + Markdown): the workflow's ``table`` rule.

    python -m gdlab.jobs.table --problem PROBLEM --checks '{"rate_rtol": ...}' \
        --settings '{"max_steps": ...}' --csv results/tables/PROBLEM.csv \
        --md results/tables/PROBLEM.md SUMMARY.parquet ... [--runs RUN.parquet ...]

Reads the per-run summaries of the problem's solver jobs and, where its theory reads
recorded rows (``SPEC.table_reads_rows``), its run files.
"""

import json
from pathlib import Path

from gdlab import script, tables


def main(args):
    table = tables.convergence_table(
        args.problem, args.summaries, args.runs, args.checks, args.settings
    )
    table.to_csv(args.csv, index=False, float_format="%.17g")
    Path(args.md).write_text(tables.to_markdown(args.problem, table))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--problem", required=True)
    p.add_argument("--checks", type=json.loads, required=True, help="tolerances, as JSON")
    p.add_argument(
        "--settings",
        type=json.loads,
        required=True,
        help="the solver settings every run file must have been computed with, as JSON",
    )
    p.add_argument("--csv", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--runs", nargs="*", default=[], help="its run files, if its theory reads rows")
    p.add_argument("summaries", nargs="+", help="the per-run summaries of its solver jobs")
    script.run("table", p.parse_args(), main)
