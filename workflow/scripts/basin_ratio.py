r"""Rule basin_ratio: the basin-ratio figure of sharp_wide (PNG + SVG).

    python workflow/scripts/basin_ratio.py --homework-alphas '[0.01, 0.3, 4.0]' \
        --start-interval '[-5.0, 20.0]' --dpi 150 \
        --png results/figures/basin_ratio.png --svg results/figures/basin_ratio.svg RUN.parquet ...
"""

import json

from gdlab import script, tables
from gdlab.plots import basin_ratio


def main(args):
    df = tables.load(args.runs, "sharp_wide")
    basin_ratio.figure(
        df, args.homework_alphas, args.start_interval, [args.png, args.svg], dpi=args.dpi
    )


if __name__ == "__main__":
    p = script.figure_parser(__doc__)
    p.add_argument("--homework-alphas", type=json.loads, required=True, help="as JSON")
    p.add_argument("--start-interval", type=json.loads, required=True, help="as JSON")
    p.add_argument("runs", nargs="+", help="sharp_wide's Parquet files")
    script.run("basin_ratio", p.parse_args(), main)
