r"""One check of a problem (``SPEC.checks``): writes its report, or fails the run.

    python -m gdlab.jobs.check --problem PROBLEM --check NAME \
        --params '{"tolerances": {...}}' --settings '{"max_steps": ...}' \
        --out results/checks/NAME.json RUN.parquet ...
"""

from gdlab import problems, script, tables


def main(args):
    check = next(c for c in problems.spec(args.problem).checks if c.name == args.check)
    compute = problems.function(args.problem, check.function)
    df = tables.load(args.runs, args.problem, args.settings)
    script.write_check(args.out, compute(args.problem, df, **args.params))


if __name__ == "__main__":
    p = script.item_parser(__doc__, "check")
    p.add_argument("--out", required=True)
    p.add_argument("runs", nargs="+", help="the problem's Parquet files")
    args = p.parse_args()
    script.run(f"check_{args.check}", args, main)
