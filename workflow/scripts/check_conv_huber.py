r"""Rule check_conv_huber: the homework's reference value and the operator checks.

    python workflow/scripts/check_conv_huber.py --tolerances '{"seed": 0, ...}' \
        --reference-step 100 --out results/checks/conv_huber.json RUN.parquet ...
"""

import json

from gdlab import checks, script, tables


def main(args):
    df = tables.load(args.runs, "conv_huber")
    report = checks.conv_huber(df, args.tolerances, args.reference_step)
    script.write_check(args.out, report)


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--tolerances", type=json.loads, required=True, help="as JSON")
    p.add_argument("--reference-step", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("runs", nargs="+", help="conv_huber's Parquet files")
    script.run("check_conv_huber", p.parse_args(), main)
