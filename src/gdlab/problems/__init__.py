"""One module per problem; each has ``NAME`` and ``run(settings, value, seeds) -> columns``."""

from __future__ import annotations

import importlib

from gdlab.grid import PROBLEMS


def module(problem: str):
    """The module of ``problem``; imports only that problem's code."""
    if problem not in PROBLEMS:
        raise ValueError(f"unknown problem {problem!r}; the problems are {', '.join(PROBLEMS)}")
    return importlib.import_module(f"gdlab.problems.{problem}")
