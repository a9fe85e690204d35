"""Files under ``results/runs/`` that the current configuration does not make.

A removed α, fewer seeds, another job size or an older gdlab leave files that
Snakemake no longer tracks but every glob over ``results/runs/`` still reads.  The
workflow's own aggregations read only the current jobs' files; this module lists
the others for a reader (``snakemake stale``) and deletes them (``snakemake
prune``).  Standard library only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gdlab import grid, plan

RUNS = Path("results/runs")


def expected(config: dict) -> set[str]:
    """Every result file the configuration makes (its solver jobs' outputs)."""
    return {j.path for p in plan.configured(config) for j in grid.jobs(config, p)}


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
