r"""Rule convergence: distance to the optimum vs step (quadratic, lsq_gd).

    python workflow/scripts/convergence.py --problem quadratic --dpi 150 \
        --png results/figures/convergence_quadratic.png \
        --svg results/figures/convergence_quadratic.svg RUN.parquet ...
"""

from gdlab import script, tables
from gdlab.plots import convergence


def main(args):
    df = tables.load(args.runs, args.problem)
    convergence.figure(args.problem, df, [args.png, args.svg], dpi=args.dpi)


if __name__ == "__main__":
    p = script.figure_parser(__doc__)
    p.add_argument("--problem", required=True, choices=("quadratic", "lsq_gd"))
    p.add_argument("runs", nargs="+", help="the problem's Parquet files")
    script.run("convergence", p.parse_args(), main)
