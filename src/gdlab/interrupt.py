"""Ctrl-C in a job ends it with one line on stderr, also while its imports run.

Snakemake sends the terminal's SIGINT to every running job.  Python turns it into
a KeyboardInterrupt wherever the job is, often inside ``import numpy``, and prints
a traceback.  :func:`install` (called first by every entry point, before its
heavy imports) replaces that by one line and exit status 130; the job's outputs
are then incomplete and Snakemake removes them (a Parquet file is written to a
temporary name and renamed, so no partial one is ever left).  Standard library
only.
"""

from __future__ import annotations

import signal
import sys


def install(name: str) -> None:
    def interrupted(_signum, _frame):
        print(f"{name}: interrupted; Snakemake removes its incomplete outputs", file=sys.stderr)
        raise SystemExit(130)

    signal.signal(signal.SIGINT, interrupted)
