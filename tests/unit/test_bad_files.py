"""Every kind of damaged run file (``support.bad_files.KINDS``) stops each job that
reads run files with one line naming the file, what is wrong and how to recover, in
process: the jobs' own ``main`` run by ``gdlab.script.run`` with the arguments the
workflow's rules give them.  ``tests/workflow/test_bad_files.py`` runs the real
Snakemake on two kinds (the wiring: the table rule stops, nothing else is lost).
"""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from pathlib import Path

import pytest

from gdlab import grid, interrupt, plan, problems, script, solve
from gdlab.jobs import check as check_job
from gdlab.jobs import figure as figure_job
from gdlab.jobs import table as table_job
from support.bad_files import (
    KINDS,
    OTHER_RUNS,
    RUN,
    TABLE,
    corrupt,
    recovery,
    tiny_config,
)

PROBLEM = "quadratic"


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory) -> Path:
    """The run files of the tiny study, each written as its solver job writes it."""
    root = tmp_path_factory.mktemp("tiny")
    config = tiny_config()
    jobs = grid.jobs(config, PROBLEM)
    assert [j.path for j in jobs] == [RUN, *OTHER_RUNS]
    for job in jobs:
        argv = ["--problem", PROBLEM, "--setting", job.setting, "--seeds", job.seeds]
        argv += ["--settings", plan.solver_settings(config, PROBLEM)]
        argv += ["--columns", plan.as_json(plan.dataset_types()), "--out", str(root / job.path)]
        argv += ["--summary-out", str(root / job.summary)]
        assert solve.main(argv) == 0
    return root


@pytest.fixture
def study(tiny_study, tmp_path, monkeypatch) -> Path:
    """A private copy of the tiny study, the working directory (paths as the rules give
    them); the jobs' Ctrl-C handler is not installed in the test process."""
    wd = Path(shutil.copytree(tiny_study, tmp_path / "gdlab"))
    monkeypatch.chdir(wd)
    monkeypatch.setattr(interrupt, "install", lambda _name: None)
    return wd


def readers(config: dict):
    """Every job that reads the problem's run files: (the rule name its line gives, its
    main, its arguments as the rule passes them)."""
    as_given = json.loads  # every rule passes its params as JSON text
    runs = plan.runs_of(config, PROBLEM)
    yield (
        "table",
        table_job.main,
        Namespace(
            problem=PROBLEM,
            checks=as_given(plan.table_checks(config, PROBLEM)),
            settings=as_given(plan.solver_settings(config, PROBLEM)),
            csv=TABLE,
            md=f"results/tables/{PROBLEM}.md",
            summaries=plan.summaries_of(config, PROBLEM),
            runs=plan.table_runs_of(config, PROBLEM),  # its theory reads every row
        ),
    )
    spec = problems.spec(PROBLEM)
    for check in spec.checks:
        yield (
            f"check_{check.name}",
            check_job.main,
            Namespace(
                problem=PROBLEM,
                check=check.name,
                params=as_given(plan.job_params(config, check)),
                settings=as_given(plan.solver_settings(config, PROBLEM)),
                out=f"results/checks/{check.name}.json",
                runs=runs,
            ),
        )
    for figure in spec.figures:
        if figure.data == "runs":  # reads the run summary, not the run files
            continue
        paths = plan.figure_paths(figure.name)
        yield (
            figure.name,
            figure_job.main,
            Namespace(
                problem=PROBLEM,
                figure=figure.name,
                params=as_given(plan.job_params(config, figure)),
                settings=as_given(plan.solver_settings(config, PROBLEM)),
                dpi=config["plots"]["dpi"],
                png=paths["png"],
                svg=paths["svg"],
                runs=plan.figure_inputs(config, PROBLEM, figure),
            ),
        )


def one_line(capsys, rule: str, main, args) -> str:
    """What the job prints when it stops: exactly one line, status 1."""
    with pytest.raises(SystemExit) as exc:
        script.run(rule, args, main)
    assert exc.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    return err[0]


def test_every_reader_of_run_files_is_checked():
    """The table (its theory reads every row) and the quadratic figure read the run
    files; the run summary reads the solver jobs' summaries."""
    names = [name for name, _main, _args in readers(tiny_config())]
    assert names[0] == "table" and len(names) >= 2, names
    assert plan.table_runs_of(tiny_config(), PROBLEM) == plan.runs_of(tiny_config(), PROBLEM)


def test_the_good_files_are_read(study, capsys):
    config = tiny_config()
    _rule, main, args = next(readers(config))
    (study / TABLE).parent.mkdir()  # Snakemake makes an output's folder
    script.run("table", args, main)
    assert capsys.readouterr().err == ""
    assert (study / TABLE).read_text().splitlines()[0].startswith("setting,")


@pytest.mark.parametrize("kind", list(KINDS))
def test_bad_run_file_stops_every_reader_naming_it(study, capsys, kind):
    others = {p: (study / p).read_bytes() for p in OTHER_RUNS}
    corrupt(kind, study / RUN, study)
    for rule, main, args in readers(tiny_config()):
        line = one_line(capsys, rule, main, args)
        assert line.startswith(f"ERROR in rule {rule}: {RUN}"), line  # the file named first
        assert RUN in line and KINDS[kind] in line and recovery(kind) in line, line
        assert "Traceback" not in line
    # no table is written, and no other run file is touched
    assert not (study / TABLE).exists()
    assert {p: (study / p).read_bytes() for p in OTHER_RUNS} == others
