r"""The study's verdict for the report's landing page: the ``verdict`` rule.

    python -m gdlab.jobs.verdict --items '[["table", "PROBLEM", "results/tables/PROBLEM.csv"], ...]' \
        --out results/report/verdict.rst

``--items``: (kind, name, path) of every convergence table and check of the study
(:func:`gdlab.summary.study_results`); the page is what the end-of-run summary says
of them, with a link to each (:func:`gdlab.summary.verdict_page`).
"""

import json
from pathlib import Path

from gdlab import script, summary


def main(args):
    Path(args.out).write_text(summary.verdict_page(args.items), encoding="utf-8")


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--items", type=json.loads, required=True, help="(kind, name, path), as JSON")
    p.add_argument("--out", required=True)
    script.run("verdict", p.parse_args(), main)
