r"""The thresholds figure (PNG + SVG): every measured bracket against its theory.

    python -m gdlab.jobs.threshold_figure --dpi 150 --png results/figures/thresholds.png \
        --svg results/figures/thresholds.svg results/tables/thresholds.csv
"""

from gdlab import script, threshold_table
from gdlab.plots import thresholds


def main(args):
    rows = threshold_table.read_rows(args.table)
    thresholds.figure(rows, [args.png, args.svg], args.dpi)


if __name__ == "__main__":
    p = script.figure_parser(__doc__)
    p.add_argument("table", help="the thresholds table (CSV)")
    script.run("threshold_figure", p.parse_args(), main)
