r"""Rule table_html: one convergence table as a page for the report.

    python workflow/scripts/table_html.py --problem quadratic \
        --csv results/tables/quadratic.csv --html results/report/tables/quadratic.html
"""

from pathlib import Path

import pandas as pd

from gdlab import report, script


def main(args):
    table = pd.read_csv(args.csv)
    Path(args.html).write_text(report.table_html(args.problem, table))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--problem", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--html", required=True)
    script.run("table_html", p.parse_args(), main)
