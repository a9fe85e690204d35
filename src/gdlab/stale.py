"""Files under ``results/runs/`` that the current configuration does not make.

A removed α, fewer seeds, another job size or an older gdlab leave files that
Snakemake no longer tracks but every glob over ``results/runs/`` still reads.  The
workflow's own aggregations read only the current jobs' files; this module lists
the others for a reader (``snakemake stale``) and deletes them (``snakemake
prune``).  A subset (``only``) narrows what runs, never what the study is: every
problem with a section under ``problems`` keeps its files.  Nothing is deleted
while another Snakemake run in the same directory is writing run files (its
locks say so).  Standard library only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gdlab import grid, problems
from gdlab.errors import ResultFileError

RUNS = Path("results/runs")


def expected(config: dict) -> set[str]:
    """Every result file the study makes (its solver jobs' outputs): of every problem
    with a section, whatever ``only`` selects to run now."""
    study = [p for p in problems.names() if p in config["problems"]]
    return {j.path for p in study for j in grid.jobs(config, p)}


def writers(root: str | os.PathLike = ".") -> list[str]:
    """The lock files of Snakemake runs in ``root`` that are writing files under
    ``results/runs/`` (``.snakemake/locks/<n>.output.lock``, one path a line, written
    by a run for its outputs and removed when it ends)."""
    base = Path(root).resolve()
    runs = (base / RUNS).as_posix() + "/"
    found = []
    for lock in sorted((base / ".snakemake" / "locks").glob("*.output.lock")):
        try:
            lines = lock.read_text().splitlines()
        except OSError:  # removed as its run ended
            continue
        paths = ((base / line.strip()).as_posix() for line in lines if line.strip())
        if any(p.startswith(runs) for p in paths):
            found.append(lock.relative_to(base).as_posix())
    return found


def stale(config: dict, root: str | os.PathLike = ".") -> list[str]:
    """Every file under ``results/runs/`` (relative to ``root``) that the configuration
    does not make, sorted."""
    keep = expected(config)
    base = Path(root)
    out = []
    for folder, dirs, files in os.walk(base / RUNS):
        dirs.sort()
        for name in sorted(files):
            rel = (Path(folder) / name).relative_to(base).as_posix()
            if rel not in keep:
                out.append(rel)
    return out


def report(
    config: dict,
    delete: bool,
    root: str | os.PathLike = ".",
    stream=None,
    log: str | os.PathLike | None = None,
) -> list[str]:
    """Print (and with ``delete``, remove) the stale files, then remove folders left
    empty; one line each and a count, on ``stream`` (stdout) and in ``log``."""
    stream = stream or sys.stdout
    busy = writers(root) if delete else []
    if busy:
        raise ResultFileError(
            f"another snakemake run in this directory is writing results/runs/ ({busy[0]}): "
            "prune deletes nothing under it; rerun prune when that run has ended (if none "
            "runs, `snakemake --unlock` removes the lock a killed run left)"
        )
    found = stale(config, root)
    lines = []
    for rel in found:
        if delete:
            (Path(root) / rel).unlink()
        lines.append(f"{'deleted' if delete else 'stale'}: {rel}")
    if delete:
        for folder, _dirs, _files in sorted(os.walk(Path(root) / RUNS), reverse=True):
            if Path(folder) != Path(root) / RUNS and not os.listdir(folder):
                os.rmdir(folder)
    verb = (
        "deleted" if delete else "not made by this configuration (`snakemake prune` deletes them)"
    )
    lines.append(f"gdlab: {len(found)} file(s) under {RUNS}/ {verb}")
    print("\n".join(lines), file=stream)
    if log is not None:
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        Path(log).write_text("\n".join(lines) + "\n")
    return found
