r"""Rule check_lsq_gradient: the gradient formulas hold on every seed and shape.

    python workflow/scripts/check_lsq_gradient.py --tolerances '{"err_sum": 1e-12, ...}' \
        --out results/checks/lsq_gradient.json RUN.parquet ...
"""

import json

from gdlab import checks, script, tables


def main(args):
    df = tables.load(args.runs, "lsq_gradient")
    script.write_check(args.out, checks.lsq_gradient(df, args.tolerances))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--tolerances", type=json.loads, required=True, help="as JSON")
    p.add_argument("--out", required=True)
    p.add_argument("runs", nargs="+", help="lsq_gradient's Parquet files")
    script.run("check_lsq_gradient", p.parse_args(), main)
