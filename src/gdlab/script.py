"""What every workflow script shares: a command line (each rule runs its script
from ``shell:``, so a script is tracked by content, not mtime: see
:mod:`gdlab.codedeps`), and the project's known errors turned into one clear line
and a non-zero exit.  The rule sends stderr to the job's log."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gdlab import interrupt
from gdlab.errors import CheckFailed, ResultFileError


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser whose help is the script's docstring."""
    return argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def figure_parser(doc: str) -> argparse.ArgumentParser:
    """:func:`parser` with the options every figure takes (``--dpi``, ``--png``, ``--svg``)."""
    p = parser(doc)
    p.add_argument("--dpi", type=int, required=True)
    p.add_argument("--png", required=True)
    p.add_argument("--svg", required=True)
    return p


def item_parser(
    doc: str, item: str, base: argparse.ArgumentParser | None = None
) -> argparse.ArgumentParser:
    """:func:`parser` (or ``base``) with the options of a job that runs one item a
    problem's spec declares (a check, figure or chart): ``--problem``, ``--<item>``,
    ``--params`` and ``--settings``."""
    p = base or parser(doc)
    p.add_argument("--problem", required=True)
    p.add_argument(f"--{item}", required=True)
    p.add_argument("--params", type=json.loads, required=True, help="as JSON")
    p.add_argument(
        "--settings",
        type=json.loads,
        required=True,
        help="the solver settings every run must have been computed with, as JSON",
    )
    return p


def run(rule: str, args: argparse.Namespace, body) -> None:
    """Call ``body(args)``; the project's errors end the process with one line on stderr
    (Ctrl-C too: :func:`gdlab.interrupt.install`, whose handler exits at once)."""
    interrupt.install(f"rule {rule}")
    try:
        body(args)
    except (ResultFileError, CheckFailed) as exc:
        print(f"ERROR in rule {rule}: {' '.join(str(exc).split())}", file=sys.stderr)
        sys.exit(1)
    except MemoryError:
        print(
            f"ERROR in rule {rule}: out of memory; lower the study's size (seeds_per_job, "
            "seeds, the grid) or run it where there is more memory",
            file=sys.stderr,
        )
        sys.exit(1)
    except OSError as exc:  # a full disk, a read-only or vanished folder
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"ERROR in rule {rule}: cannot write or read{where}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        sys.exit(1)


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
