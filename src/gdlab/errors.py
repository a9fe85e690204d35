"""The project's known faults of a file or a check, each printed by a job as one line
(:func:`gdlab.script.run`).  Standard library only: jobs that import no NumPy use
them too."""

from __future__ import annotations


class ResultFileError(RuntimeError):
    """A results file that cannot be used (corrupt, foreign or from another schema).
    Its message is one line: a reader's own message may span several."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class CheckFailed(RuntimeError):
    """A numerical check is out of tolerance: the rule fails and the run stops."""
