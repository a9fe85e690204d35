r"""One problem's threshold experiment: bisect every case's critical step size.

    python -m gdlab.jobs.threshold --problem PROBLEM \
        --params '{"bracket": [lo, hi], "rtol": 1e-06, "window": 400, "cases": {...}}' \
        --out results/thresholds/PROBLEM.csv

``cases`` are the keyword arguments of the problem's ``SPEC.thresholds.function``.
A bracket that does not straddle a case's threshold stops the job with one line
naming the config key.  See docs/thresholds.md.
"""

import json

from gdlab import problems, script, threshold


def main(args):
    spec = problems.spec(args.problem).thresholds
    p = args.params
    made = problems.function(args.problem, spec.function)(**p["cases"])
    rows = []
    for fields in made if isinstance(made, list) else [made]:
        rows += _bisect(args.problem, spec, threshold.Cases(**fields), p)
    threshold.write_csv(args.out, rows)


def _bisect(problem: str, spec, cases: threshold.Cases, p: dict) -> list[dict]:
    """The rows of one group of cases (one method: a problem's experiment may return
    a list of groups, e.g. one per method and momentum β)."""
    try:
        cols = threshold.bisect(cases, p["bracket"], p["rtol"], p["window"])
    except threshold.TheoryError as exc:
        raise script.CheckFailed(
            f"problems.{problem}: {exc}; allowed: settings whose Hessian stays within the "
            "floating-point numbers (lower the largest ones of problems."
            f"{problem})"
        ) from None
    except threshold.BracketError as exc:
        raise script.CheckFailed(
            f"problems.{problem}.threshold.bracket: {exc}; allowed: [lo, hi] in "
            f"{spec.axis} ({spec.axis_note}), 0 < lo < hi, with GD stable at lo and unstable "
            "at hi for every case (docs/thresholds.md)"
        ) from None
    return [
        {
            "problem": problem,
            "case": name,
            "method": cases.method.name,
            "beta": float(getattr(cases.method, "beta", 0.0)),
            "axis": spec.axis,
            **{key: value[i].item() for key, value in cols.items()},
            "rtol": p["rtol"],
            "window": p["window"],
        }
        for i, name in enumerate(cases.names)
    ]


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--problem", required=True)
    p.add_argument("--params", type=json.loads, required=True, help="as JSON")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    script.run(f"threshold_{args.problem}", args, main)
