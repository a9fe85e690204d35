r"""One interactive chart of a problem (an HTML page of the report), as its spec declares
it (``SPEC.charts``).

    python -m gdlab.jobs.chart --problem PROBLEM --chart NAME --params '{...}' \
        --settings '{"max_steps": ...}' --html results/report/charts/NAME.html INPUT ...

The inputs are the problem's convergence table, its per-run summary or its result
files (``Chart.data``); ``--params`` are the keyword arguments of the chart's function
(``Chart.config`` and ``Chart.options``).
"""

from pathlib import Path

from gdlab import charts, problems, runs, script, tables
from gdlab.frames import frame


def data(chart, problem: str, paths: list[str], settings: dict):
    """What the chart's function reads (a pandas frame), checked as every job checks it."""
    if chart.data == "table":
        return tables.read_csv(paths[0])
    if chart.data == "runs":
        return frame(runs.read_runs(paths, problem, settings))
    return tables.load_trace(paths, problem, settings)


def main(args):
    runs.system_allocator()
    chart = next(c for c in problems.spec(args.problem).charts if c.name == args.chart)
    draw = problems.function(args.problem, chart.function)
    df = data(chart, args.problem, args.inputs, args.settings)
    page = charts.fitted(lambda part: draw(args.problem, part, **args.params), df)
    Path(args.html).write_text(page)


if __name__ == "__main__":
    p = script.item_parser(__doc__, "chart")
    p.add_argument("--html", required=True)
    p.add_argument("inputs", nargs="+", help="the problem's table, summary or result files")
    args = p.parse_args()
    script.run(f"chart_{args.chart}", args, main)
