"""The threshold experiment in the real workflow, on the test config (docs/thresholds.md):
the table, the check, the figure and the report page; what reruns; bad input.  Every
problem list comes from the registry."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import yaml

from conftest import REPO, snakemake
from gdlab import plan, problems
from support import plans

CONFIG = ("--configfile", "config/test.yaml")
TEST_CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())
WITH = tuple(plan.with_thresholds(TEST_CONFIG))
COUNTS = json.loads(plan.threshold_counts(TEST_CONFIG))
AGGREGATE = set(plan.THRESHOLD_OUTPUTS.values())


def planned(wd: Path) -> set[str]:
    """The outputs ``snakemake -n`` would (re)create."""
    out = snakemake(wd, *CONFIG, "-n", "--quiet", "host").stdout  # the job blocks
    if "Nothing to be done" in out:
        return set()
    jobs = re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", out, re.M)
    found = set()
    for _rule, body in jobs:
        listed = re.search(r"^    output: (.*)$", body, re.M)
        found.update(listed[1].split(", ") if listed else ())
    return plans.without_derived(found)


def edit_config(wd: Path, change) -> None:
    cfg = yaml.safe_load((wd / "config/test.yaml").read_text())
    change(cfg)
    (wd / "config/test.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


def test_the_table_has_every_case_and_every_bracket_holds_its_theory(test_study):
    assert WITH, "no problem has a threshold experiment"
    with open(test_study / "results/tables/thresholds.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["problem"] for r in rows] == [p for p in WITH for _ in range(COUNTS[p])]
    for r in rows:
        theory, lo, hi = float(r["theory"]), float(r["lo"]), float(r["hi"])
        assert lo <= theory <= hi and r["agrees"] == "True", r
        assert (hi - lo) / hi < float(r["rtol"]) == TEST_CONFIG["thresholds"]["rtol"]
        assert float(r["growth_lo"]) <= 1 < float(r["growth_hi"])
    md = (test_study / "results/tables/thresholds.md").read_text()
    assert md.startswith("# Stability thresholds") and f"{len(rows)} of {len(rows)}" in md
    page = (test_study / "results/report/tables/thresholds.html").read_text()
    assert "Every measured bracket holds the theory" in page


def test_the_check_passes_and_the_figure_exists(test_study):
    doc = json.loads((test_study / "results/checks/thresholds.json").read_text())
    assert doc["passed"] and doc["failures"] == [] and doc["rows"] == COUNTS
    for ext in ("png", "svg"):
        assert (test_study / f"results/figures/thresholds.{ext}").stat().st_size > 1000
    assert (
        f"all {sum(COUNTS.values())} brackets hold the theory"
        in (test_study / "results/figures/thresholds.svg").read_text()
    )


def _reads(path: str) -> list[str]:
    """The problems whose threshold job reads the config value at ``path``."""
    return [p for p in WITH if path in problems.spec(p).thresholds.config.values()]


def test_more_seeds_rerun_the_threshold_jobs_that_read_them(study):
    """One job per problem: more seeds rerun that problem's threshold job (all its
    seeds, well under a second) and the aggregate, nothing else of the experiment."""
    for p in WITH:
        seeds = TEST_CONFIG["problems"][p]["seeds"] + 1
        edit_config(study, lambda c, p=p, seeds=seeds: c["problems"][p].update(seeds=seeds))
    got = {o for o in planned(study) if o.startswith("results/thresholds/") or o in AGGREGATE}
    readers = [p for p in WITH if _reads(f"problems.{p}.seeds")]
    assert got == {plan.threshold_path(p) for p in readers} | AGGREGATE


def test_rtol_reruns_every_threshold_job_and_nothing_else(study):
    edit_config(study, lambda c: c["thresholds"].update(rtol=1e-7))
    assert planned(study) == {plan.threshold_path(p) for p in WITH} | AGGREGATE


def test_a_solver_setting_reruns_no_threshold_job(study):
    p = WITH[0]
    edit_config(study, lambda c: c["problems"][p].update(max_steps=4000))
    got = planned(study)
    assert got and not got & ({plan.threshold_path(q) for q in WITH} | AGGREGATE)


def test_a_bracket_that_does_not_straddle_is_one_line_naming_the_key(study):
    p = WITH[0]
    hi = TEST_CONFIG["problems"][p]["threshold"]["bracket"][1]
    edit_config(study, lambda c: c["problems"][p]["threshold"].update(bracket=[hi, 2 * hi]))
    assert planned(study) == {plan.threshold_path(p)} | AGGREGATE  # that job only
    proc = snakemake(study, *CONFIG, "--cores", "1", check=False)
    assert proc.returncode != 0
    lines = [x for x in proc.stdout.splitlines() if x.startswith("ERROR in rule ")]
    assert len(set(lines)) == 1, proc.stdout[-3000:]
    line = lines[0]
    assert line.startswith(
        f"ERROR in rule threshold_{p}: problems.{p}.threshold.bracket: [{float(hi)!r}, "
    ), line
    assert "does not straddle" in line and "unstable at lo" in line and "allowed:" in line
    assert not (study / plan.threshold_path(p)).exists()


def test_a_bad_key_is_one_line_at_parse_time(study):
    """The path of a threshold key's mistake to the user (the words of every such
    mistake: tests/unit/test_threshold.py)."""
    edit_config(study, lambda c: c["thresholds"].update(rtol=0.5))
    proc = snakemake(study, *CONFIG, "-n", "--quiet", "host", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stdout
    found = [x.strip() for x in proc.stdout.splitlines() if x.strip().startswith("- ")]
    assert len(found) == 1 and found[0].startswith("- thresholds.rtol: 0.5 is out of range"), (
        proc.stdout
    )
