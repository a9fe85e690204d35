"""gdlab deployed: as a module of a host workflow with its own config/config.yaml,
with --directory ELSEWHERE, a smaller study (--config study=...), a part of a finished
study (--config only=..., a subset: the study-wide files stay as they were), and what
every run ends with (the summary, results/report.html).  Real Snakemake on the test
config; the tables are compared byte for byte with the test study's."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from conftest import REPO, copy_workflow, snakemake
from gdlab import config as gdconfig
from gdlab import problems

TEST_CONFIG = REPO / "config/test.yaml"
PROBLEMS = problems.names()
HOST = """\
configfile: "config/config.yaml"


rule all:
    input:
        lambda wildcards: [*rules.gdlab_all.input, "host/table_rows.txt"],


module gdlab:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from gdlab as gdlab_*


rule table_rows:
    input:
        "{table}",
    output:
        "host/table_rows.txt",
    shell:
        "wc -l < {{input}} > {{output}}"


report: "{report}"


from gdlab import summary


onsuccess:
    summary.success(workflow, config)


onerror:
    summary.failure(config)
"""


# The deployments run a smaller study (``study=``, a study of its own: its study-wide
# files and report are made of it): a problem with a threshold experiment and one whose
# check states a reference value, so that every kind of line of the summary is there;
# their tables must be the full test study's, byte for byte.
ONLY = [p for p in PROBLEMS if problems.spec(p).thresholds][:1] + [
    p for p in PROBLEMS if any(c.name == p for c in problems.spec(p).checks)
][-1:]
SUBSET = ("--config", f"study={','.join(ONLY)}")
TABLE = f"results/tables/{ONLY[0]}.csv"  # what the host's own rule reads


def tables(wd: Path, of: Path | None = None) -> dict[str, bytes]:
    """The problems' tables in ``wd`` (or, with ``of``, the same tables of study ``of``);
    study-wide tables (the thresholds') hold the subset's problems only."""
    found = {
        p.name: p.read_bytes()
        for p in sorted((wd / "results/tables").glob("*"))
        if p.stem in PROBLEMS
    }
    assert found
    return found if of is None else {n: (of / "results/tables" / n).read_bytes() for n in found}


def files(wd: Path) -> dict[str, tuple]:
    out = {}
    for p in sorted((wd / "results").rglob("*")):
        if p.is_file() and "logs" not in p.relative_to(wd).parts:
            out[p.relative_to(wd).as_posix()] = (p.stat().st_ino, p.stat().st_mtime_ns)
    return out


def summary_of(out: str) -> list[str]:
    """The summary's lines: from its first line to Snakemake's closing lines."""
    lines = out.splitlines()
    # after the progress lines (their header starts with "gdlab: " too)
    start = max(i for i, line in enumerate(lines) if line.startswith("gdlab: "))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Complete log"))
    return lines[start:end]


def assert_summary_says_what_was_proved(out: str, wd: Path):
    lines = summary_of(out)
    assert lines[0].startswith("gdlab: every claim holds"), lines
    assert len(lines) <= 15, lines
    for p in (p for p in PROBLEMS if (wd / f"results/tables/{p}.csv").exists()):
        assert any(line.split()[:2] == ["table", p] for line in lines), (p, lines)
    for check in sorted((wd / "results/checks").glob("*.json")):
        report = json.loads(check.read_text())
        row = next(line for line in lines if line.split()[:2] == ["check", check.stem])
        assert "passed" in row
        if "reference_value" in report:  # the reference against the computed value
            assert f"reference {report['reference_value']!r}" in row, row
            assert f"computed {report['computed_value']!r}" in row, row
    assert "  report results/report.html" in lines
    assert (wd / "results/report.html").stat().st_size > 100_000


def assert_only_the_subset_was_made(out: str, wd: Path) -> None:
    """``study=`` made the chosen problems' runs, tables and checks, and the summary says
    just those (the words of a bad selection: tests/unit/test_only.py)."""
    made = {p.stem for p in (wd / "results/tables").glob("*.csv")}
    measured = any(problems.spec(p).thresholds for p in ONLY)  # their thresholds' table
    assert made == set(ONLY) | ({"thresholds"} if measured else set())
    assert {p.name for p in (wd / "results/runs").iterdir()} == set(ONLY)
    lines = summary_of(out)
    assert [line.split()[1] for line in lines if line.startswith("  table")] == [
        p for p in PROBLEMS if p in ONLY
    ]
    iterative = {p for p in ONLY if problems.spec(p).iterative}
    check = json.loads((wd / "results/checks/convergence.json").read_text())
    assert iterative and check["passed"] and set(check["tables"]) == iterative


def test_as_a_module_of_a_host_workflow(test_study, tmp_path):
    checkout = copy_workflow(tmp_path / "gdlab")
    host = tmp_path / "host"
    (host / "config").mkdir(parents=True)
    shutil.copy(TEST_CONFIG, host / "config/config.yaml")
    # where snakedeploy points a module: the repository's workflow/Snakefile
    landing = checkout / "workflow/report/workflow.rst"
    (host / "Snakefile").write_text(
        HOST.format(snakefile=checkout / "workflow/Snakefile", report=landing, table=TABLE)
    )
    out = snakemake(host, "--cores", "2", *SUBSET, hooks=True).stdout
    # the host's own first rule stayed its default target, and ran
    rows = (host / TABLE).read_text().count("\n")
    assert (host / "host/table_rows.txt").read_text().strip() == str(rows)
    assert "The verdict" in (host / "results/report.html").read_text()
    assert tables(host) == tables(host, of=test_study)
    assert not (checkout / "results").exists()
    assert_summary_says_what_was_proved(out, host)
    assert "Nothing to be done" in snakemake(host, "--cores", "2", *SUBSET).stdout


def test_with_directory_elsewhere_and_then_a_moved_checkout(test_study, tmp_path):
    checkout = copy_workflow(tmp_path / "gdlab")
    run = tmp_path / "runs" / "one"
    args = ["--snakefile", str(checkout / "Snakefile"), "--directory", str(run)]
    config = ["--configfile", str(checkout / "config/test.yaml")]
    out = snakemake(tmp_path, *args, *config, "--cores", "2", *SUBSET, hooks=True).stdout
    assert f"Using workflow specific profile {checkout}/profiles/default" in out  # cwd: neither
    assert tables(run) == tables(run, of=test_study)
    assert not (checkout / "results").exists() and not (tmp_path / "results").exists()
    assert_summary_says_what_was_proved(out, run)
    assert f"  (in {run})" in summary_of(out)
    assert_only_the_subset_was_made(out, run)
    # the rest of the study reuses the subset's solver runs
    plan = snakemake(tmp_path, *args, *config, "-n", "--quiet", "host").stdout
    planned = [line for line in plan.splitlines() if line.startswith("    output: results/runs/")]
    assert planned and not [x for x in planned if any(f"/runs/{p}/" in x for p in ONLY)]

    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    checkout.rename(moved)
    before = files(run)
    again = ["--snakefile", str(moved / "Snakefile"), "--directory", str(run)]
    config = ["--configfile", str(moved / "config/test.yaml")]
    out = snakemake(tmp_path, *again, *config, "--cores", "2", *SUBSET, hooks=True).stdout
    assert "Nothing to be done" in out
    assert files(run) == before  # nothing rewritten, the report neither


def test_without_a_config_in_the_directory_the_default_study_is_read(tmp_path):
    checkout = copy_workflow(tmp_path / "gdlab")
    run = tmp_path / "run"
    args = ["--snakefile", str(checkout / "Snakefile"), "--directory", str(run), "-n"]
    out = snakemake(tmp_path, *args).stdout
    default = yaml.safe_load((checkout / "config/config.yaml").read_text())
    solve = re.search(r"^solve\s+(\d+)$", out, re.M)
    assert solve and int(solve[1]) == gdconfig.count_jobs(default), out
    assert not (run / "results").exists()  # a dry run writes nothing, no report


def test_a_failed_claim_is_named_at_the_end(test_study, tmp_path):
    wd = tmp_path / "study"
    shutil.copytree(test_study, wd, symlinks=True)
    (wd / "wrong.yaml").write_text("checks:\n  conv_huber:\n    value: 0.5\n")
    out = snakemake(wd, "--configfile", "config/test.yaml", "wrong.yaml", check=False, hooks=True)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    start = lines.index("gdlab: the run FAILED: what did not hold:")
    failed = [line for line in lines[start:] if line.startswith("ERROR in rule check_conv_huber")]
    assert failed and "differs from the reference 0.5" in failed[0], lines[start:]
    assert "  (log: results/logs/checks/conv_huber.log)" in lines[start:]


def test_a_subset_leaves_the_study_wide_files_as_they_were(study):
    """``--config only=...`` on a finished study: its problems' own files are remade
    (here: a table deleted), every study-wide file (results/runs.parquet, the
    convergence and threshold checks and tables, the report) keeps its bytes and its
    time, and the summary says the run was a subset."""
    chosen = ONLY[0]
    wide = [
        "results/runs.parquet",
        "results/checks/convergence.json",
        "results/tables/thresholds.csv",
        "results/checks/thresholds.json",
    ]
    before = {p: ((study / p).read_bytes(), (study / p).stat().st_mtime_ns) for p in wide}
    (study / f"results/tables/{chosen}.csv").unlink()
    only = ("--config", f"only={chosen}")
    out = snakemake(
        study, "--configfile", "config/test.yaml", "--cores", "2", *only, hooks=True
    ).stdout
    assert (study / f"results/tables/{chosen}.csv").is_file()
    assert {p: ((study / p).read_bytes(), (study / p).stat().st_mtime_ns) for p in wide} == before
    lines = summary_of(out)
    assert lines[0].startswith(f"gdlab: a subset ({chosen} of {len(PROBLEMS)} problems)"), lines
    assert any("study-wide files" in line and "left as they were" in line for line in lines)
    assert not any(line.startswith("  report") for line in lines), lines
    assert not (study / "results/report.html").exists()  # the test study has none: not made
    # a subset in an empty directory makes its problem's files and no study-wide one
    fresh = copy_workflow(study.parent / "fresh")
    snakemake(fresh, "--configfile", "config/test.yaml", "--cores", "2", *only)
    assert (fresh / f"results/tables/{chosen}.csv").is_file()
    assert not [p for p in wide if (fresh / p).exists()]
    assert {p.name for p in (fresh / "results/runs").iterdir()} == {chosen}


def test_the_documented_clone_commands_work_from_a_plain_clone(tmp_path):
    """docs/deploying.md's "Getting gdlab" commands, run as written in a scratch folder
    with its URL pointing at a plain clone of this checkout (no tag travels with it),
    succeed; and every tag a document names exists in this repository."""
    import subprocess

    text = (REPO / "docs/deploying.md").read_text()
    section = text[text.index("## Getting gdlab") :]
    start = section.index("```bash\n") + len("```bash\n")
    commands = section[start : section.index("```", start)]
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(REPO), str(origin)], check=True)
    url = "https://github.com/OWNER/gdlab.git"
    assert url in commands
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands.replace(url, str(origin))],
        cwd=scratch,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (scratch / "gdlab/pyproject.toml").is_file()
    tags = set(
        subprocess.run(
            ["git", "-C", str(REPO), "tag", "--list"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    docs = [REPO / "README.md", REPO / "CHANGELOG.md", *sorted((REPO / "docs").glob("*.md"))]
    named = {
        (doc.name, tag)
        for doc in docs
        for tag in re.findall(r'(?:--branch |tag=")(v[0-9][^\s"`]*)', doc.read_text())
    }
    assert {(doc, tag) for doc, tag in named if tag not in tags} == set()
