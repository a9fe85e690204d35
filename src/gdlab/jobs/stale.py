r"""The files under ``results/runs/`` the configuration does not make: the ``stale``
rule lists them, the ``prune`` rule deletes them (:mod:`gdlab.stale`).

    python -m gdlab.jobs.stale --config '{"problems": {...}, ...}' [--delete] \
        --log results/logs/prune.log

One line a file on stdout and in the log; refused in one line while another
Snakemake run in this directory writes run files.
"""

import json

from gdlab import script, stale


def main(args):
    stale.report(args.config, delete=args.delete, log=args.log)


if __name__ == "__main__":
    p = script.parser(__doc__)
    p.add_argument("--config", type=json.loads, required=True, help="the study's config, JSON")
    p.add_argument("--delete", action="store_true", help="delete them (prune)")
    p.add_argument("--log", required=True)
    args = p.parse_args()
    script.run("prune" if args.delete else "stale", args, main)
