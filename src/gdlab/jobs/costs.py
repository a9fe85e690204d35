r"""What each job of the study cost: the ``job_costs`` rule.

    python -m gdlab.jobs.costs --measured '[{"job": "results/tables/P.csv", "benchmark": ...}, ...]' \
        --csv results/costs.csv --html results/report/costs.html

``--measured``: every job of the study, its first output and benchmark record, and a
solver job's problem, setting, seeds and summary (:func:`gdlab.plan.measured`).
"""

import json
from pathlib import Path

from gdlab import costs, script


def main(args):
    table = costs.rows(args.measured)
    costs.write_csv(table, args.csv)
    Path(args.html).write_text(costs.page(table), encoding="utf-8")


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--measured", type=json.loads, required=True, help="the jobs, as JSON")
    p.add_argument("--csv", required=True)
    p.add_argument("--html", required=True)
    script.run("job_costs", p.parse_args(), main)
