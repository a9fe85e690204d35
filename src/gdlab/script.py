"""What every workflow script shares: log to the job's log *and* stderr, and turn
the project's known errors into one clear line and a non-zero exit."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gdlab.checks import CheckFailed
from gdlab.schema import ResultFileError


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for s in self.streams:
            s.write(text)
            s.flush()

    def flush(self):
        for s in self.streams:
            s.flush()


def run(snakemake, body) -> None:
    """Call ``body(snakemake)``; errors are reported in the log and on stderr."""
    log = open(snakemake.log[0], "w") if snakemake.log else None
    if log:
        sys.stderr = _Tee(sys.__stderr__, log)
    try:
        body(snakemake)
    except (ResultFileError, CheckFailed) as exc:
        print(f"ERROR in rule {snakemake.rule}: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C reaches every job: one line, not a traceback
        print(
            f"rule {snakemake.rule}: interrupted; Snakemake removes its incomplete outputs",
            file=sys.stderr,
        )
        sys.exit(130)
    finally:
        if log:
            sys.stderr = sys.__stderr__
            log.close()


def write_json(path: str, doc: dict) -> None:
    Path(path).write_text(json.dumps(doc, indent=2, sort_keys=True, allow_nan=True) + "\n")


def write_check(path: str, report: dict) -> None:
    """Write a check's report; raise :class:`CheckFailed` (after printing the report)
    when it did not pass, so the rule fails and the run stops."""
    if not report["passed"]:
        print(json.dumps(report, indent=2, sort_keys=True), file=sys.stderr)
        raise CheckFailed(f"check '{report['check']}' failed: " + "; ".join(report["failures"]))
    write_json(path, report)
    print(f"check '{report['check']}' passed", file=sys.stderr)
