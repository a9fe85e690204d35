r"""``results/runs.parquet``: every problem's per-run summary in one file.

    python -m gdlab.jobs.dataset --spec '{"trace": [...], "columns": {...}}' \
        --out results/runs.parquet results/summaries/PROBLEM.parquet ...

Written one summary at a time, every column described in the file's metadata.
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
    names, settings = [], {}
    for path in args.summaries:  # their metadata first (file footers only) ...
        doc = runs.summary_doc(path)
        names += doc["problems"]
        settings.update(doc["settings"])
    runs.write(  # ... then their rows, one summary in memory at a time
        (runs.read_summary(p) for p in args.summaries),
        args.spec,
        {"problems": names, "settings": settings},
        args.out,
    )


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--spec", type=json.loads, required=True, help="the summary's columns, JSON")
    p.add_argument("--out", required=True)
    p.add_argument("summaries", nargs="+", help="results/summaries/*.parquet")
    script.run("dataset", p.parse_args(), main)
