r"""One check of a problem (``SPEC.checks``): writes its report, or fails the run.

    python -m gdlab.jobs.check --problem PROBLEM --check NAME \
        --params '{"tolerances": {...}}' --settings '{"max_steps": ...}' \
        --out results/checks/NAME.json RUN.parquet ... [--tables results/tables/T.csv ...]

``--tables``: the CSV tables the check writes beside its report (``Check.tables``),
the report's ``tables`` entry, written only when the check passes.
"""

from pathlib import Path

import pandas as pd

from gdlab import problems, runs, script, tables
from gdlab.frames import frame


def main(args):
    check = next(c for c in problems.spec(args.problem).checks if c.name == args.check)
    compute = problems.function(args.problem, check.function)
    if check.data == "runs":  # the per-run summaries: only the columns it declares
        runs.system_allocator()
        df = frame(runs.read_runs(args.runs, args.problem, args.settings, check.columns))
    else:
        df = tables.load(args.runs, args.problem, args.settings)
    report = compute(args.problem, df, **args.params)
    rows = report.pop("tables", {}) if check.tables else {}
    script.write_check(args.out, report)
    for path in filter(None, args.tables):  # an empty list may arrive as ''
        table = pd.DataFrame(rows[Path(path).stem])
        table.to_csv(path, index=False)  # floats as their shortest round trip


if __name__ == "__main__":
    p = script.item_parser(__doc__, "check")
    p.add_argument("--out", required=True)
    p.add_argument("--tables", nargs="*", default=[], help="its CSV tables (Check.tables)")
    p.add_argument("runs", nargs="+", help="the problem's Parquet files")
    args = p.parse_args()
    script.run(f"check_{args.check}", args, main)
