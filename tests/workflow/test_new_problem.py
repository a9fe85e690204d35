"""Adding a problem is one folder plus its config sections, and reruns nothing else.

The example problem, ``ill_quadratic`` (GD on ½θᵀdiag(1, κ)θ, threshold α = 2/κ),
lives in ``tests/support/new_problem/``.  The test adds it to a copy of the
finished test study, as a user would: the folder, and its sections in
``config/config.yaml`` and ``config/test.yaml`` (text inserted under the existing
keys).  Then the real workflow must plan and run its solver jobs, its table with a
verdict, its report page and the convergence check, and nothing of the other
problems; the report must include it.  The files the addition touched are counted.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, snakemake
from gdlab import problems

NAME = "ill_quadratic"
EXAMPLE = REPO / "tests" / "support" / "new_problem" / NAME
CONFIG = ("--configfile", "config/test.yaml")
SECTION = f"""\
  {NAME}:
    alphas: [0.05, 0.15, 0.2, 0.25]
    seeds: 3
    max_steps: 5000
    tolerance: 1.0e-8
    divergence_factor: 1.0e+6

"""
RATE_RTOL = f"    {NAME}: 1.0e-3\n"


def _insert_after(text: str, line: str, addition: str) -> str:
    head, sep, tail = text.partition(line + "\n")
    assert sep, f"no line {line!r}"
    return head + sep + addition + tail


def add_problem(wd: Path) -> None:
    """What the user does: one new folder and two config sections."""
    shutil.copytree(EXAMPLE, wd / "src/gdlab/problems" / NAME)
    for file in ("config/config.yaml", "config/test.yaml"):
        path = wd / file
        text = _insert_after(path.read_text(), "problems:", SECTION)
        path.write_text(_insert_after(text, "  rate_rtol:", RATE_RTOL))


def tree(wd: Path) -> dict[str, str]:
    """{path: sha256} of the checkout's own files (not results/, .snakemake/, caches)."""
    out = {}
    for p in sorted(wd.rglob("*")):
        rel = p.relative_to(wd)
        if (
            p.is_file()
            and rel.parts[0] not in ("results", ".snakemake")
            and "__pycache__" not in rel.parts
        ):
            out[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def planned(out: str) -> list[tuple[str, list[str]]]:
    """(rule, outputs) of every job of ``snakemake -n --quiet host`` output (the
    default profile's quiet list hides the job blocks; --quiet host shows them)."""
    jobs = re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", out, re.M)
    total = re.search(r"^total\s+(\d+)$", out, re.M)
    assert total and len(jobs) == int(total[1]), out
    found = []
    for rule, body in jobs:
        listed = re.search(r"^    output: (.*)$", body, re.M)
        found.append((rule, listed[1].split(", ") if listed else []))
    return found


def test_a_sixth_problem_is_one_folder_and_reruns_nothing_else(study):
    before = tree(study)
    add_problem(study)
    after = tree(study)
    touched = sorted(p for p in after if before.get(p) != after[p])
    assert touched == [
        "config/config.yaml",
        "config/test.yaml",
        f"src/gdlab/problems/{NAME}/__init__.py",
        f"src/gdlab/problems/{NAME}/captions/table.rst",
        f"src/gdlab/problems/{NAME}/numerics.py",
    ]
    assert len(touched) <= 5

    # the plan: its jobs, the convergence check, and nothing of another problem
    jobs = planned(snakemake(study, *CONFIG, "-n", "--quiet", "host").stdout)
    outputs = [o for _rule, outs in jobs for o in outs]
    solver = [outs for rule, outs in jobs if rule == "solve"]
    assert (
        solver
        and all(  # each job: its run file and its runs' summary
            [o.split("/")[1:3] for o in outs] == [["runs", NAME], ["summaries", NAME]]
            for outs in solver
        )
    ), solver
    assert len(solver) == 4 * 2  # 4 step sizes x 2 blocks of the 3 seeds (seeds_per_job: 2)
    others = problems.names()
    assert NAME not in others  # the copy's registry has it, this checkout's has not
    word = re.compile(r"(?<![a-z_])(" + "|".join(others) + r")(?![a-z_])")
    assert [o for o in outputs if word.search(o)] == []
    assert {rule for rule, _ in jobs} == {
        "solve",
        "table",
        f"table_html_{NAME}",
        "check_convergence",
        "runs_dataset",  # results/runs.parquet, which holds every problem's runs
        "verdict",  # the report's landing page, which names every table
        "job_costs",  # what each job cost, remade after any job
        "all",
    }

    # the real run does exactly that, and the new table has a verdict
    out = snakemake(study, *CONFIG, "--cores", "2").stdout
    assert "Nothing to be done" not in out
    table = pd.read_csv(study / f"results/tables/{NAME}.csv")
    assert list(table["setting"]) == ["alpha_0.05", "alpha_0.15", "alpha_0.2", "alpha_0.25"]
    assert list(table["prediction"]) == [
        "converged (α < 0.2)",
        "converged (α < 0.2)",
        "cycle (α = 0.2)",  # the stiff component flips sign forever: a 2-cycle
        "diverged (α > 0.2)",
    ]
    assert table["agrees"].all() and table["rates_agree"].all()
    assert (table["runs"] == 3).all()
    # the measured rate is the theory's max(|1 − α|, |1 − 10α|)
    # every converged or diverged run's rate is its theory's max(|1 − α|, |1 − 10α|);
    # the runs on the 2-cycle at α = 0.2 have no rate to compare
    moving = table[table["setting"] != "alpha_0.2"]
    theory = [max(abs(1 - a), abs(1 - 10 * a)) for a in moving["alpha"]]
    assert moving["rate_theory"].tolist() == pytest.approx(theory, rel=1e-15)
    assert moving["rate_empirical"].tolist() == pytest.approx(theory, rel=1e-3)
    assert (table.loc[table["setting"] == "alpha_0.2", "cycle"] == 3).all()
    check = json.loads((study / "results/checks/convergence.json").read_text())
    assert check["passed"] and check["tables"][NAME] == 4
    # a second run does nothing
    assert "Nothing to be done" in snakemake(study, *CONFIG, "-n").stdout

    # the report includes it
    report = study / "report.html"
    snakemake(study, *CONFIG, "--report", str(report))
    html = report.read_text()
    assert f"Convergence table of {NAME}" in html or NAME in html
    assert f"report/tables/{NAME}.html" in html


def test_a_missing_piece_stops_the_parse_in_one_line(workdir):
    add_problem(workdir)
    (workdir / f"src/gdlab/problems/{NAME}/numerics.py").unlink()
    proc = snakemake(workdir, *CONFIG, "-n", check=False)
    assert proc.returncode == 1
    wanted = f"  - src/gdlab/problems/{NAME}/numerics.py is missing: add run(settings, value, seeds) -> columns"
    lines = proc.stdout.splitlines()
    assert wanted in lines, proc.stdout
    assert "Traceback" not in proc.stdout
    assert not (workdir / "results").exists()
