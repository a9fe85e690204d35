r"""Every convergence table agrees with its theory: the ``check_convergence`` rule.

    python -m gdlab.jobs.convergence --expected '{"PROBLEM": 4, ...}' \
        --out results/checks/convergence.json results/tables/PROBLEM.csv ...

``--expected``: the number of grid points of each problem under the current config.
"""

import json
from pathlib import Path

from gdlab import checks, script, tables


def main(args):
    read = {Path(p).stem: tables.read_csv(p) for p in args.tables}
    script.write_check(args.out, checks.convergence(read, args.expected))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--expected", type=json.loads, required=True, help="rows per table, as JSON")
    p.add_argument("--out", required=True)
    p.add_argument("tables", nargs="+", help="convergence tables (CSV)")
    script.run("check_convergence", p.parse_args(), main)
