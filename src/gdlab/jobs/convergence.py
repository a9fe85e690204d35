r"""Every convergence table agrees with its theory: the ``check_convergence`` rule.

    python -m gdlab.jobs.convergence --out results/checks/convergence.json \
        results/tables/PROBLEM.csv ...
"""

from pathlib import Path

import pandas as pd

from gdlab import checks, script


def main(args):
    tables = {Path(p).stem: pd.read_csv(p) for p in args.tables}
    script.write_check(args.out, checks.convergence(tables))


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("tables", nargs="+", help="convergence tables (CSV)")
    script.run("check_convergence", p.parse_args(), main)
