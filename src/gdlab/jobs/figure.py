r"""One figure of a problem (PNG + SVG), as its spec declares it (``SPEC.figures``).

    python -m gdlab.jobs.figure --problem PROBLEM --figure NAME \
        --params '{"start_interval": [-5.0, 20.0], ...}' --settings '{"max_steps": ...}' \
        --dpi 150 \
        --png results/figures/NAME.png --svg results/figures/NAME.svg RUN.parquet ...

``--params`` are the keyword arguments of the figure's function: the config values
its spec names (``Figure.config``) and its literal options (``Figure.options``).
"""

import pandas as pd

from gdlab import problems, runs, script, tables
from gdlab.frames import frame


def main(args):
    runs.system_allocator()
    figure = next(f for f in problems.spec(args.problem).figures if f.name == args.figure)
    draw = problems.function(args.problem, figure.function)
    if figure.data == "tables":  # what its problem's checks wrote
        df = pd.concat([tables.read_csv(p) for p in args.runs], ignore_index=True)
    elif figure.data == "runs":
        df = frame(runs.read_runs(args.runs, args.problem, args.settings, figure.columns))
    else:
        df = tables.load_trace(args.runs, args.problem, args.settings)
    draw(args.problem, df, [args.png, args.svg], args.dpi, **args.params)


if __name__ == "__main__":
    p = script.item_parser(__doc__, "figure", script.figure_parser(__doc__))
    p.add_argument("runs", nargs="+", help="the problem's Parquet files")
    args = p.parse_args()
    script.run(args.figure, args, main)
