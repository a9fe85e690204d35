"""A problem's threshold cases as the workflow builds them from a config."""

from __future__ import annotations

import json

import yaml

from gdlab import plan, problems, threshold
from support.checkout import REPO


def groups(problem: str, file: str = "test.yaml") -> tuple[list[threshold.Cases], dict]:
    """The groups of cases of ``problem``'s threshold experiment under ``config/<file>``
    (one, or one per method: its function may return a list), and the parameters the
    workflow hands its case function."""
    cfg = yaml.safe_load((REPO / "config" / file).read_text())
    params = json.loads(plan.threshold_params(cfg, problem))
    fn = problems.function(problem, problems.spec(problem).thresholds.function)
    made = fn(**params["cases"])
    return [threshold.Cases(**f) for f in (made if isinstance(made, list) else [made])], params


def cases(problem: str, file: str = "test.yaml") -> tuple[threshold.Cases, dict]:
    """The cases of a problem whose threshold experiment is one group (:func:`groups`)."""
    found, params = groups(problem, file)
    (one,) = found
    return one, params
