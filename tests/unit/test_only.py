"""The ``only`` key (``snakemake --config only=a,b``): validated like every key, and
the selection acts in gdlab.plan.configured (so every rule, input and check follows)."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import grid, plan, problems

SCHEMA = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")
TEST = yaml.safe_load((REPO / "config/test.yaml").read_text())
NAMES = list(problems.names())
ITERATIVE = [p for p in NAMES if problems.spec(p).iterative]


def with_only(value, drop=()):
    cfg = copy.deepcopy(TEST)
    cfg["only"] = value
    for name in drop:
        del cfg["problems"][name]
    return cfg


def test_absent_runs_every_problem():
    assert plan.configured(TEST) == NAMES
    assert gdconfig.messages(TEST, SCHEMA) == []


def test_a_selection_narrows_every_plan_to_its_problems():
    chosen = [NAMES[-1], NAMES[0]]  # in any order; the plan keeps the registry's
    cfg = with_only(f"{chosen[0]}, {chosen[1]},")
    assert gdconfig.messages(cfg, SCHEMA, {"only": cfg["only"]}) == []
    assert plan.configured(cfg) == [NAMES[0], NAMES[-1]]
    outputs = plan.all_outputs(cfg)
    others = [p for p in NAMES if p not in chosen]
    assert not [o for o in outputs if any(f"/{p}." in o or f"/{p}/" in o for p in others)]
    assert f"results/tables/{NAMES[0]}.csv" in outputs
    assert gdconfig.count_jobs(cfg) == sum(len(grid.jobs(cfg, p)) for p in chosen)
    # a subset: no study-wide file is its target; the study and its rules stay whole
    assert plan.subset(cfg) and plan.study(cfg) == NAMES
    assert not set(plan.study_wide(cfg)) & set(outputs)
    assert plan.iterative(cfg) == ITERATIVE
    # every problem named is the whole study: no subset, the study-wide files are made
    whole = with_only(",".join(reversed(NAMES)))
    assert not plan.subset(whole) and set(plan.study_wide(whole)) <= set(plan.all_outputs(whole))


def test_a_study_key_defines_the_study_a_subset_narrows():
    """``study`` (a config file's own study, as config/large.yaml's) is the whole study:
    its study-wide files are made of its problems; ``only`` then narrows within it."""
    cfg = copy.deepcopy(TEST)
    cfg["study"] = f"{NAMES[-1]},{NAMES[0]}"
    assert gdconfig.messages(cfg, SCHEMA) == []
    assert plan.study(cfg) == plan.configured(cfg) == [NAMES[0], NAMES[-1]]
    assert not plan.subset(cfg) and plan.RUNS in plan.all_outputs(cfg)
    cfg["only"] = NAMES[0]
    assert plan.subset(cfg) and plan.configured(cfg) == [NAMES[0]]
    cfg["only"] = NAMES[1]  # outside the study
    (msg,) = gdconfig.messages(cfg, SCHEMA)
    assert msg.startswith(f"only: {NAMES[1]!r} is not a problem of this configuration")
    assert "the study key leaves it out" in msg and "the study's problems" in msg
    cfg = copy.deepcopy(TEST)
    cfg["study"] = "nosuch"
    (msg,) = gdconfig.messages(cfg, SCHEMA)
    assert msg.startswith("study: 'nosuch' is not a problem of this configuration")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (
            NAMES[0][:-1],
            f"only: {NAMES[0][:-1]!r} is not a problem of this configuration (did you mean {NAMES[0]!r}?)",
        ),
        (
            f"{NAMES[0]},nosuch,other",
            "only: 'nosuch', 'other' are not problems of this configuration",
        ),
        (",", "only: ',' (a string) names no problem"),
        (5, "only: 5 is not a string"),
        (None, "only: empty (null) is not a string"),
    ],
)
def test_a_bad_selection_is_one_line_naming_the_key_and_what_is_allowed(value, fragment):
    found = gdconfig.messages(with_only(value), SCHEMA, {"only": value})
    assert len(found) == 1, found
    assert found[0].startswith(fragment), found
    assert "\n" not in found[0]
    if isinstance(value, str):
        assert found[0].endswith(f"the problems under problems ({', '.join(NAMES)})")


def test_a_problem_without_its_section_cannot_be_selected():
    cfg = with_only(NAMES[1], drop=[NAMES[1]])
    (msg,) = gdconfig.messages(cfg, SCHEMA)
    assert msg.startswith(f"only: {NAMES[1]!r} is not a problem of this configuration")
    assert "has no section under problems" in msg
    assert not re.search(rf"\b{NAMES[1]}\b", msg.split("(", 2)[-1])  # not among the allowed
