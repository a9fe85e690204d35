"""Progress of a run: a short header, then one line per finished job with the time
elapsed and an estimate of the time left, weighed by each job's size in run-steps.

A :class:`logging.Handler` on Snakemake's logger (attached by
``workflow/rules/summary.smk`` when the profile silences Snakemake's own progress
lines, ``quiet: [..., progress]``).  It reads three of Snakemake's log events:

- ``RUN_INFO`` (the job stats, once the DAG is built): the header, and the size of
  every job that is to run, read from the DAG;
- ``JOB_INFO`` (a job is scheduled): its rule and wildcards;
- ``JOB_FINISHED``: one line, ``[0:12 | ~0:31 left]  7/51 jobs  solve
  problem=P setting=alpha_0.5 seeds=0-99``.

The estimate: the work done so far (run-steps, :func:`gdlab.work.job_work`) took
the time elapsed; the work left takes the same time per run-step.  A job's size is
its runs × step budget plus a start-up that costs about as much as 10⁷ run-steps,
so a start-up-bound job counts too.  Runs stop early, so the estimate errs on the
long side until the first solver jobs finish.  Standard library only.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TextIO

# Snakemake's LogEvent values (snakemake_interface_logger_plugins.common.LogEvent)
RUN_INFO = "run_info"
JOB_INFO = "job_info"
JOB_FINISHED = "job_finished"


def clock(seconds: float) -> str:
    """``0:07``, ``12:34``, ``1:02:03``."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def left(elapsed: float, done: float, total: float) -> float | None:
    """Seconds left when ``done`` of ``total`` units took ``elapsed`` seconds, or None
    before any unit is done."""
    if done <= 0 or total <= 0:
        return None
    return elapsed * max(0.0, total - done) / done


def job_name(rule: str, wildcards: Mapping[str, str]) -> str:
    """``solve problem=P setting=alpha_0.5 seeds=0-99``: the rule, then its wildcards."""
    return " ".join([rule, *(f"{k}={v}" for k, v in wildcards.items())])


def by_rule(counts: Mapping[str, int]) -> str:
    """``32 solve, 5 table, 24 others``: the rules of more than one job, then the rest."""
    many = sorted(((n, r) for r, n in counts.items() if n > 1), key=lambda c: (-c[0], c[1]))
    rest = sum(n for n in counts.values() if n == 1)
    parts = [f"{n} {r}" for n, r in many] + ([f"{rest} others"] if rest else [])
    return ", ".join(parts)


def _event(record: logging.LogRecord) -> str | None:
    event = getattr(record, "event", None)
    return getattr(event, "value", event)


class Progress(logging.Handler):
    """One line per finished job (see the module docstring).

    ``pending()`` lists the (rule, wildcards) of every job to run, read when the run's
    job stats are logged; ``work(rule, wildcards)`` is a job's size in run-steps.
    """

    def __init__(
        self,
        pending: Callable[[], Iterable[tuple[str, Mapping[str, str]]]],
        work: Callable[[str, Mapping[str, str]], float],
        stream: TextIO | None = None,
        now: Callable[[], float] = time.monotonic,
        active: Callable[[], bool] = lambda: True,
    ):
        super().__init__(logging.INFO)
        self.pending, self.work, self.now, self.active = pending, work, now, active
        self.stream = stream
        self.start: float | None = None
        self.total = 0.0
        self.jobs = 0
        self.done = 0.0
        self.finished = 0
        self.running: dict[int, tuple[str, float]] = {}
        self.broken = False

    def say(self, line: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken or not self.active():
            return
        try:
            event = _event(record)
            if event == RUN_INFO:
                self.begin()
            elif event == JOB_INFO:
                rule, wildcards = record.rule_name, dict(record.wildcards or {})
                self.running[record.jobid] = (
                    job_name(rule, wildcards),
                    float(self.work(rule, wildcards)),
                )
            elif event == JOB_FINISHED:
                self.end(record.job_id)
        except Exception as exc:  # a progress line must never stop the run, nor print a traceback
            self.broken = True
            self.say(f"gdlab: no more progress lines ({type(exc).__name__}: {exc})")

    def begin(self) -> None:
        jobs = [(rule, dict(w)) for rule, w in self.pending()]
        self.start = self.now()
        self.jobs = len(jobs)
        self.total = sum(float(self.work(rule, w)) for rule, w in jobs)
        counts: dict[str, int] = {}
        for rule, _w in jobs:
            counts[rule] = counts.get(rule, 0) + 1
        rules = f" ({by_rule(counts)})" if counts else ""
        self.say(f"gdlab: {self.jobs} jobs to run{rules}, {self.total:.3g} run-steps")

    def end(self, jobid: int) -> None:
        name, work = self.running.pop(jobid, (f"job {jobid}", 0.0))
        if self.start is None:  # no job stats seen: count from the first finished job
            self.start = self.now()
        self.finished += 1
        self.done += work
        elapsed = self.now() - self.start
        rest = left(elapsed, self.done, self.total)
        if not self.jobs:  # no job stats seen: nothing to weigh against
            eta, of = "~? left", "?"
        elif self.finished >= self.jobs:
            eta, of = "done", str(self.finished)
        else:
            eta, of = ("~? left" if rest is None else f"~{clock(rest)} left"), str(self.jobs)
        self.say(f"[{clock(elapsed)} | {eta}] {self.finished:>{len(of)}}/{of} jobs  {name}")


# What the per-job lines replace on Snakemake's own stream: its progress lines, the
# job stats table (the header says it shorter) and its scheduling chatter.
REPLACED = {JOB_FINISHED, "progress", "job_started", RUN_INFO}
CHATTER = {"Select jobs to execute..."}


def replaced(record: logging.LogRecord) -> bool:
    """Whether Snakemake's own stream handler should drop ``record``."""
    return _event(record) in REPLACED or record.getMessage() in CHATTER


def attach(workflow, work: Callable[[str, Mapping[str, str]], float]) -> Progress | None:
    """In Snakemake's main process, when ``quiet`` hides the per-job blocks
    (``rules``) and nothing more than ``host`` (as profiles/default does): put a
    :class:`Progress` on Snakemake's logger and drop the lines it replaces from
    Snakemake's own stream (its log file keeps them).  A dry run keeps Snakemake's
    own lines (its job stats); ``--quiet host`` keeps the per-job blocks and
    Snakemake's own progress lines."""
    quiet = {getattr(q, "name", str(q)).lower() for q in (workflow.output_settings.quiet or ())}
    if workflow.remote_exec or "rules" not in quiet or quiet - {"rules", "host"}:
        return None
    from snakemake.logging import logger  # Snakemake's process only

    def pending():
        return [(job.rule.name, job.wildcards_dict) for job in workflow.dag.needrun_jobs()]

    def active():  # known once the run starts: a dry run keeps Snakemake's own lines
        return not workflow.dryrun

    handler = Progress(pending, work, active=active)
    for h in logger.handlers:
        if h.name == "DefaultStreamHandler":
            h.addFilter(lambda record: not (active() and replaced(record)))
    logger.addHandler(handler)
    return handler
