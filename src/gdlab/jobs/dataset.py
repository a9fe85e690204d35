r"""``results/runs.parquet``: every problem's per-run summary in one file.

    python -m gdlab.jobs.dataset --spec '{"trace": [...], "columns": {...}}' \
        --settings '{"PROBLEM": {"max_steps": ...}, ...}' \
        --out results/runs.parquet results/summaries/PROBLEM.parquet ...

Written one summary at a time, every column described in the file's metadata.  Each
summary must be the one its name asks for: of that problem alone, computed with the
current configuration's solver settings (``--settings``).
"""

import json
from pathlib import Path

from gdlab import runs, script
from gdlab.schema import ResultFileError


def main(args):
    old = runs.old_layout(Path(args.out).parent / "runs")
    if old:  # a glob over results/runs/ would read it beside the current files
        raise ResultFileError(
            f"{old} is of an older gdlab layout (results schema 3 or before), beside the "
            "current files: delete it (`snakemake prune` deletes every file the config does not "
            "make) and rerun snakemake"
        )
    wanted = {path: Path(path).stem for path in args.summaries}
    for path, problem in wanted.items():  # their metadata first (file footers only) ...
        if problem not in args.settings:
            raise ResultFileError(
                f"{path}: {problem!r} is not a problem of this study ({', '.join(args.settings)})"
            )
        runs.summary_doc(path, problem, args.settings[problem])
    runs.write(  # ... then their rows, one summary in memory at a time
        (
            runs.read_summary(p, problem, settings=args.settings[problem])
            for p, problem in wanted.items()
        ),
        args.spec,
        {
            "problems": list(wanted.values()),
            "settings": {p: args.settings[p] for p in wanted.values()},
        },
        args.out,
    )


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--spec", type=json.loads, required=True, help="the summary's columns, JSON")
    p.add_argument(
        "--settings", type=json.loads, required=True, help="each problem's solver settings, JSON"
    )
    p.add_argument("--out", required=True)
    p.add_argument("summaries", nargs="+", help="results/summaries/*.parquet")
    script.run("dataset", p.parse_args(), main)
