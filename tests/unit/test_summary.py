"""gdlab.summary: the end-of-run lines, from the files the jobs write.

The files here are written in the jobs' formats (a convergence table's CSV, a
check's JSON report, a job's log); tests/workflow/test_deploy.py checks the summary
of real runs."""

from __future__ import annotations

import json
import os
import sys
import time

import yaml

from conftest import REPO
from gdlab import plan, summary

TEST = yaml.safe_load((REPO / "config/test.yaml").read_text())
HEADER = "setting,runs,converged,diverged,max_steps,prediction,agrees\n"


def write_study(root, agrees="True", passed=True):
    (root / "results/tables").mkdir(parents=True)
    (root / "results/checks").mkdir(parents=True)
    for p in plan.configured(TEST):
        (root / f"results/tables/{p}.csv").write_text(
            HEADER + "a=1,3,2,1,0,x,True\n" + f"a=2,3,0,0,3,y,{agrees}\n"
        )
    for name in summary.checks_of(TEST):
        report = {"check": name, "passed": passed, "failures": [] if passed else ["it broke"]}
        report |= {"reference_value": 0.1, "computed_value": 0.1000000000000001}
        report |= {"relative_error": 1.1e-15, "rtol": 1e-12}
        (root / f"results/checks/{name}.json").write_text(json.dumps(report))


def test_check_details_come_from_the_reports_keys():
    ref = {"reference_value": 0.5, "computed_value": 0.49999, "relative_error": 2e-5, "rtol": 1e-3}
    assert summary.check_detail(ref) == (
        "reference 0.5, computed 0.49999, relative error 2e-05 (rtol 0.001)"
    )
    errors = {"max_errors": {"a": {"e1": 1e-9, "e2": 3.0}, "b": {"e1": 2e-9}}}
    errors["tolerances"] = {"e1": 1e-6, "e2": 4.0}
    assert summary.check_detail(errors) == "largest e1 2e-09 (tol 1e-06), e2 3 (tol 4)"
    assert summary.check_detail({"tables": {"x": 4, "y": 3}}) == "7 rows of 2 tables agree"
    assert summary.check_detail({"anything": 1}) == ""


def test_a_table_verdict_counts_rows_and_outcomes(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "a=1,3,2,1,0,x,True\na=2,3,0,0,3,y,False\n")
    assert summary.table_verdict(path) == (
        False,
        "1/2 grid points agree with the theory (6 runs: 2 converged, 1 diverged, 3 max_steps)",
    )


def test_success_summary_is_short_and_says_every_verdict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_study(tmp_path)
    lines = summary.success_lines(TEST, "results/report.html")
    assert lines[0].startswith("gdlab: every claim holds")
    assert len(lines) <= summary.MAX_LINES
    # a line per table, or (many problems: summary.MAX_LINES) the agreeing ones in one
    folded = [line for line in lines if "tables agreeing with the theory:" in line]
    for p in plan.configured(TEST):
        assert any(line.split()[:2] == ["table", p] and "2/2" in line for line in lines) or (
            folded and f" {p} (2/2)" in folded[0]
        ), p
    for name in summary.checks_of(TEST):
        row = next(line for line in lines if line.split()[:2] == ["check", name])
        assert "passed: reference 0.1, computed 0.1000000000000001" in row
    assert lines[-1] == "  report results/report.html"


def test_a_disagreeing_table_or_failed_check_is_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_study(tmp_path, agrees="False", passed=False)
    lines = summary.success_lines(TEST)
    assert lines[0].startswith("gdlab: NOT every claim holds")
    assert sum("1/2 grid points agree" in line for line in lines) == len(plan.configured(TEST))
    assert sum("FAILED: it broke" in line for line in lines) == len(summary.checks_of(TEST))


def _landing(page: str, items) -> str:
    """The landing page as Snakemake renders it: the page, then a link target per
    result named after its file (as Snakemake's report does), through docutils."""
    from docutils.core import publish_parts

    targets = [
        f".. _{n}.{'html' if k == 'table' else 'json'}: javascript:show('{n}')"
        for k, n, _p in items
    ]
    return publish_parts(page + "\n" + "\n".join(targets) + "\n", writer="html")["body"]


def test_the_reports_landing_page_is_the_verdict_with_a_link_to_each_result(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_study(tmp_path)
    items = summary.study_results({**TEST, "only": plan.configured(TEST)[:1]})  # `only` ignored
    assert items == summary.results_of(TEST)
    page = summary.verdict_page(items)
    tables, checks = len(plan.configured(TEST)), len(summary.checks_of(TEST))
    assert (
        f"**Every claim holds**: {tables} convergence tables agree with the theory and {checks} checks pass."
        in page
    )
    html = _landing(page, items)
    assert "system-message" not in html  # every link resolves
    for _kind, name, _path in items:
        assert f"javascript:show('{name}')" in html, name
    assert html.count("2/2 grid points agree with the theory") == tables
    assert html.count("passed: reference 0.1, computed 0.1000000000000001") == checks


def test_a_landing_page_says_what_did_not_hold(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_study(tmp_path, passed=False)
    items = summary.results_of(TEST)
    (tmp_path / items[0][2]).unlink()  # a missing table is not a verdict
    page = summary.verdict_page(items)
    failed = [items[0][1], *summary.checks_of(TEST)]
    assert f"**NOT every claim holds**: {', '.join(failed)} did not." in page
    assert "unreadable" in page and page.count("FAILED: it broke") == len(summary.checks_of(TEST))
    assert "system-message" not in _landing(page, items)


def test_many_tables_fold_into_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_study(tmp_path)
    monkeypatch.setattr(summary, "MAX_LINES", 6)
    lines = summary.success_lines(TEST, "results/report.html")
    folded = [line for line in lines if line.startswith("  tables agreeing")]
    assert len(folded) == 1 and all(f"{p} (2/2)" in folded[0] for p in plan.configured(TEST))


def test_failure_summary_quotes_this_runs_errors_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "results/logs/checks"
    logs.mkdir(parents=True)
    old = logs / "old.log"
    old.write_text("ERROR in rule check_old: from an earlier run\n")
    os.utime(old, (time.time() - 3600,) * 2)
    (logs / "new.log").write_text('{"json": 1}\nERROR in rule check_new: check failed: 1 > 0\n')
    (logs / "crash.log").write_text("Traceback (most recent call last):\nMemoryError\n")
    (logs / "quiet.log").write_text("")
    full = "gdlab.solve: cannot write results/runs/q.parquet: No space left on device"
    (logs / "solve.log").write_text(full + "\n")  # the solver's own one line
    lines = summary.failure_lines(TEST, since=time.time() - 60)
    assert lines[0] == "gdlab: the run FAILED: what did not hold:"
    assert "ERROR in rule check_new: check failed: 1 > 0" in lines  # a line of its own
    assert "MemoryError" in lines
    assert full in lines
    assert not any("earlier run" in line for line in lines)


def test_the_report_command_repeats_the_runs_configuration():
    cmd = summary.report_command("/w/Snakefile", ["/w/config/test.yaml"], {"only": "a,b", "n": 3})
    assert cmd[:3] == [sys.executable, "-m", "snakemake"]
    assert cmd[3:] == [
        "--snakefile",
        "/w/Snakefile",
        "--report",
        "results/report.html",
        "--profile",
        "none",
        "--workflow-profile",
        "none",
        "--configfile",
        "/w/config/test.yaml",
        "--config",
        "only=a,b",
        "n=3",
    ]


def test_the_report_command_keeps_every_configfile_as_snakemake_reads_it():
    """Every file follows one ``--configfile``: Snakemake reads ``--configfile a
    --configfile b`` as ``b`` alone (the flag's argparse action stores its last use), so the
    report of a run given two files was built from the second merged over the default."""
    files = ["/w/config/test.yaml", "/tmp/more.yaml"]
    cmd = summary.report_command("/w/Snakefile", files, {"n": 3})
    assert cmd.count("--configfile") == 1
    at = cmd.index("--configfile") + 1
    assert cmd[at : at + 3] == [*files, "--config"]
    assert "--configfile" not in summary.report_command("/w/Snakefile", [], {})


def test_a_damaged_table_or_check_report_is_unreadable_not_a_traceback(tmp_path):
    cases = {
        "table": [b"\xff\xfe", None],  # not UTF-8; a folder in its place
        "check": [b"{not json", b"[1, 2]", b'"passed"', b"null", None],
    }
    for kind, damages in cases.items():
        for i, damage in enumerate(damages):
            path = tmp_path / f"{kind}{i}"
            path.mkdir() if damage is None else path.write_bytes(damage)
            held, text = summary.verdict_of(kind, path)
            assert held is False and text.startswith("unreadable ("), (kind, damage, text)
