"""Where gdlab keeps what it can make again: one folder per machine and user."""

from __future__ import annotations

import os
from pathlib import Path


def root() -> Path:
    """$GDLAB_CACHE_DIR if set (the tests use one per run), else $XDG_CACHE_HOME/gdlab,
    else ~/.cache/gdlab."""
    if os.environ.get("GDLAB_CACHE_DIR"):
        return Path(os.environ["GDLAB_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gdlab"
