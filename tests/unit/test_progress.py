"""The progress lines (gdlab.progress): one per finished job, the time left estimated
from the jobs' sizes in run-steps, and what they replace on Snakemake's stream."""

import io
import logging

import pytest
import yaml
from snakemake_interface_logger_plugins.common import LogEvent

from conftest import REPO
from gdlab import plan, problems, progress
from gdlab import work as sizes


def record(event: LogEvent | None, msg: str = "", **extra) -> logging.LogRecord:
    r = logging.LogRecord("snakemake", logging.INFO, __file__, 1, msg, None, None)
    if event is not None:
        r.event = event
    r.__dict__.update(extra)
    return r


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


JOBS = [
    ("solve", {"problem": "lsq_gd", "setting": "c_0.5", "seeds": "0-9"}),
    ("solve", {"problem": "lsq_gd", "setting": "c_1.5", "seeds": "0-9"}),
    ("table", {"problem": "lsq_gd"}),
    ("all", {}),
]
SIZE = {"c_0.5": 300.0, "c_1.5": 100.0}


def work(rule, w):
    return SIZE.get(w.get("setting"), 0.0) + (50.0 if rule != "all" else 0.0)


def run(events, clock):
    out = io.StringIO()
    handler = progress.Progress(lambda: JOBS, work, stream=out, now=clock)
    for t, r in events:
        clock.t = t
        handler.handle(r)
    return out.getvalue().splitlines()


def test_a_header_then_one_line_per_finished_job_with_the_time_left():
    clock = Clock()
    info = [
        record(LogEvent.JOB_INFO, jobid=i, rule_name=r, wildcards=w)
        for i, (r, w) in enumerate(JOBS)
    ]
    done = [record(LogEvent.JOB_FINISHED, job_id=i) for i in range(len(JOBS))]
    events = [(100, record(LogEvent.RUN_INFO, "Job stats: ...")), (100, info[0]), (100, info[1])]
    events += [
        (112, done[1]),
        (130, info[2]),
        (136, done[0]),
        (137, done[2]),
        (137, info[3]),
        (137, done[3]),
    ]
    lines = run(events, clock)
    total = sum(work(r, w) for r, w in JOBS)  # 350 + 150 + 50 + 0 run-steps
    assert lines[0] == f"gdlab: 4 jobs to run (2 solve, 2 others), {total:.3g} run-steps"
    assert len(lines) == 1 + len(JOBS)
    # after the 150 run-steps of c_1.5 in 12 s: 400 left at 12/150 s each = 32 s
    assert lines[1] == "[0:12 | ~0:32 left] 1/4 jobs  solve problem=lsq_gd setting=c_1.5 seeds=0-9"
    # then 500 done in 36 s: 50 left, 3.6 s
    assert lines[2].startswith("[0:36 | ~0:04 left] 2/4 jobs  solve problem=lsq_gd setting=c_0.5")
    assert lines[3].startswith("[0:37 | ~0:00 left] 3/4 jobs  table problem=lsq_gd")
    assert lines[4] == "[0:37 | done] 4/4 jobs  all"


def test_a_job_never_announced_still_counts():
    lines = run([(5, record(LogEvent.JOB_FINISHED, job_id=7))], Clock())
    assert lines == ["[0:00 | ~? left] 1/? jobs  job 7"]  # no job stats: no total


def test_an_inactive_handler_says_nothing():  # a dry run: Snakemake's own lines stay
    out = io.StringIO()
    handler = progress.Progress(lambda: JOBS, work, stream=out, active=lambda: False)
    for r in (record(LogEvent.RUN_INFO), record(LogEvent.JOB_FINISHED, job_id=1)):
        handler.handle(r)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (7.4, "0:07"), (754, "12:34"), (3723, "1:02:03"), (-3, "0:00")],
)
def test_clock(seconds, text):
    assert progress.clock(seconds) == text


def test_nothing_done_gives_no_estimate():
    assert progress.left(10.0, 0.0, 100.0) is None
    assert progress.left(10.0, 25.0, 100.0) == pytest.approx(30.0)
    assert progress.left(10.0, 120.0, 100.0) == 0.0  # runs may take more than the estimate


def test_what_snakemake_stream_drops():
    for r in (
        record(LogEvent.JOB_FINISHED, "Finished jobid: 3 (Rule: table)", job_id=3),
        record(LogEvent.PROGRESS, None, done=1, total=3),
        record(LogEvent.JOB_STARTED, "Execute 2 jobs...", jobs=[1, 2]),
        record(LogEvent.RUN_INFO, "Job stats: ..."),
        record(None, "Select jobs to execute..."),
    ):
        assert progress.replaced(r), r.getMessage()
    for r in (
        record(LogEvent.JOB_ERROR, "Error in rule solve"),
        record(None, "Building DAG of jobs..."),
        record(LogEvent.SHELLCMD, "python -m gdlab.solve"),
    ):
        assert not progress.replaced(r), r.getMessage()


def test_a_jobs_size_is_its_runs_times_the_step_budget_plus_a_start_up():
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    steps = config["problems"]["sharp_wide"]["max_steps"]
    w = {"problem": "sharp_wide", "setting": "alpha_0.3", "seeds": "5-9"}
    assert sizes.job_work(config, "solve", w) == sizes.STARTUP_RUN_STEPS + 5 * steps
    assert sizes.job_work(config, "table", {"problem": "sharp_wide"}) == sizes.STARTUP_RUN_STEPS
    assert sizes.job_work(config, "all", {}) == sizes.STARTUP_RUN_STEPS
    figure = problems.spec("sharp_wide").figures[0].name
    for rule in (figure, f"gdlab_{figure}", "threshold_figure"):  # a host's prefix too
        assert sizes.job_work(config, rule, {}) == sizes.FIGURE_RUN_STEPS
    size = sizes.sizer(config)  # the same, the drawing rules found once
    for rule, given in [("solve", w), ("table", {"problem": "sharp_wide"}), (figure, {})]:
        assert size(rule, given) == sizes.job_work(config, rule, given)


def test_a_job_of_several_grid_points_is_their_sizes_with_one_start_up():
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config["problems"]["sharp_wide"]["points_per_job"] = 3
    batches = plan.solver_batches(config)
    assert batches and {len(b) for _, b in batches} <= {2, 3}
    size = sizes.sizer(config)
    for name, batch in batches:
        each = [{"problem": j.problem, "seeds": j.seeds} for j in batch]
        one = [sizes.job_work(config, "solve", w) for w in each]
        expected = sum(one) - (len(batch) - 1) * sizes.STARTUP_RUN_STEPS
        assert size(name, {}) == size(f"host_{name}", {}) == expected
    assert size("solve_unknown_0", {}) == sizes.STARTUP_RUN_STEPS


def test_a_fault_in_the_progress_lines_says_one_line_and_stops_them():
    out = io.StringIO()

    def pending():
        raise RuntimeError("no DAG")

    handler = progress.Progress(pending, work, stream=out)
    for r in (record(LogEvent.RUN_INFO), record(LogEvent.JOB_FINISHED, job_id=1)):
        handler.handle(r)  # never raises
    assert out.getvalue().splitlines() == ["gdlab: no more progress lines (RuntimeError: no DAG)"]


def test_a_header_with_nothing_pending_names_no_rule():
    out = io.StringIO()
    progress.Progress(lambda: [], work, stream=out).handle(record(LogEvent.RUN_INFO))
    assert out.getvalue() == "gdlab: 0 jobs to run, 0 run-steps\n"
