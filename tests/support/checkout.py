"""What a checkout of the workflow holds that a run needs, and a copy of it.

Used by the tests and the benchmark to run the real workflow in a throw-away
directory (results/ and .snakemake/ are never copied).
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = (
    "Snakefile",
    "workflow",
    "config",
    "src",
    "profiles",
    "pyproject.toml",
    "environment.yml",
)


def copy_workflow(dest: Path, repo: Path = REPO) -> Path:
    """Copy the workflow's files from ``repo`` into ``dest`` (created if needed)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = repo / name
        if src.is_dir():
            shutil.copytree(
                src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(src, dest / name)
    return dest
