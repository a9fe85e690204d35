r"""The thresholds table (CSV + Markdown) and its report page, from every problem's
threshold CSV (docs/thresholds.md).

    python -m gdlab.jobs.threshold_table --csv results/tables/thresholds.csv \
        --md results/tables/thresholds.md --html results/report/tables/thresholds.html \
        results/thresholds/PROBLEM.csv ...
"""

import csv
from pathlib import Path

from gdlab import script, threshold_table


def main(args):
    rows = threshold_table.table(args.inputs)
    columns = list(rows[0]) if rows else list(threshold_table.COLUMNS)
    with open(args.csv, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    Path(args.md).write_text(threshold_table.to_markdown(rows))
    Path(args.html).write_text(threshold_table.to_html(rows))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--csv", required=True)
    p.add_argument("--md", required=True)
    p.add_argument("--html", required=True)
    p.add_argument("inputs", nargs="+", help="each problem's thresholds CSV")
    script.run("threshold_table", p.parse_args(), main)
