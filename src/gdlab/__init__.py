"""gdlab: the numerical experiments of a homework on gradient descent, as a pipeline."""

import re
from pathlib import Path


def _version() -> str:
    """The version in pyproject.toml, its one place: read from the checkout's file when
    gdlab runs from a checkout (the workflow's jobs do: a line of text, no TOML parser
    in every job's start-up), else from the installed package's metadata."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    project = re.search(r'^\[project\]\n(?:(?!\[).*\n)*?name = "gdlab"\n', text, re.M)
    found = project and re.search(r'^version = "([^"]+)"$', text[project.start() :], re.M)
    if found:
        return found[1]
    from importlib.metadata import version

    return version("gdlab")


__version__ = _version()
