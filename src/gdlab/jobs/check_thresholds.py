r"""Every measured threshold bracket holds the theory: the ``check_thresholds`` rule.

    python -m gdlab.jobs.check_thresholds --expected '{"PROBLEM": 3, ...}' \
        --out results/checks/thresholds.json results/tables/thresholds.csv

``--expected``: the number of cases of each problem under the current config.
"""

import json

from gdlab import script, threshold_table


def main(args):
    rows = threshold_table.read_rows(args.table)
    script.write_check(args.out, threshold_table.check(rows, args.expected))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--expected", type=json.loads, required=True, help="cases per problem, JSON")
    p.add_argument("--out", required=True)
    p.add_argument("table", help="the thresholds table (CSV)")
    script.run("check_thresholds", p.parse_args(), main)
