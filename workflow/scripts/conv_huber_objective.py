r"""Rule conv_huber_objective: F(x_k) vs step per α, the homework's reference run marked.

    python workflow/scripts/conv_huber_objective.py \
        --reference '{"seed": 0, "alpha": 0.01, "value": 0.4587586843129764}' \
        --reference-step 100 --dpi 150 --png results/figures/conv_huber_objective.png \
        --svg results/figures/conv_huber_objective.svg RUN.parquet ...
"""

import json

from gdlab import script, tables
from gdlab.plots import objective


def main(args):
    df = tables.load(args.runs, "conv_huber")
    objective.figure(df, args.reference, args.reference_step, [args.png, args.svg], dpi=args.dpi)


if __name__ == "__main__":
    p = script.figure_parser(__doc__)
    p.add_argument("--reference", type=json.loads, required=True, help="seed, alpha, value (JSON)")
    p.add_argument("--reference-step", type=int, required=True)
    p.add_argument("runs", nargs="+", help="conv_huber's Parquet files")
    script.run("conv_huber_objective", p.parse_args(), main)
