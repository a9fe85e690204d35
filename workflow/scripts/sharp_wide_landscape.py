r"""Rule sharp_wide_landscape: f(x), its critical points, where runs start and end.

    python workflow/scripts/sharp_wide_landscape.py --homework-alphas '[0.01, 0.3, 4.0]' \
        --start-interval '[-5.0, 20.0]' --dpi 150 \
        --png results/figures/sharp_wide_landscape.png \
        --svg results/figures/sharp_wide_landscape.svg RUN.parquet ...
"""

import json

from gdlab import script, tables
from gdlab.plots import landscape


def main(args):
    df = tables.load(args.runs, "sharp_wide")
    landscape.figure(
        df, args.homework_alphas, args.start_interval, [args.png, args.svg], dpi=args.dpi
    )


if __name__ == "__main__":
    p = script.figure_parser(__doc__)
    p.add_argument("--homework-alphas", type=json.loads, required=True, help="as JSON")
    p.add_argument("--start-interval", type=json.loads, required=True, help="as JSON")
    p.add_argument("runs", nargs="+", help="sharp_wide's Parquet files")
    script.run("sharp_wide_landscape", p.parse_args(), main)
