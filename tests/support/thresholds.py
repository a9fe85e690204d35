"""A problem's threshold cases as the workflow builds them from a config."""

from __future__ import annotations

import json

import yaml

from gdlab import plan, problems, threshold
from support.checkout import REPO


def cases(problem: str, file: str = "test.yaml") -> tuple[threshold.Cases, dict]:
    """The cases of ``problem``'s threshold experiment under ``config/<file>``, and the
    parameters the workflow hands its case function."""
    cfg = yaml.safe_load((REPO / "config" / file).read_text())
    params = json.loads(plan.threshold_params(cfg, problem))
    fn = problems.function(problem, problems.spec(problem).thresholds.function)
    return threshold.Cases(**fn(**params["cases"])), params
