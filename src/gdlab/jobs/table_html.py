r"""One convergence table as a page of the report.

    python -m gdlab.jobs.table_html --problem PROBLEM \
        --csv results/tables/PROBLEM.csv --html results/report/tables/PROBLEM.html
"""

from pathlib import Path

from gdlab import problems, report, script, tables


def main(args):
    table = tables.read_csv(args.csv)
    notes = problems.spec(args.problem).table_notes
    Path(args.html).write_text(report.table_html(args.problem, table, notes))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--problem", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--html", required=True)
    args = p.parse_args()
    script.run(f"table_html_{args.problem}", args, main)
