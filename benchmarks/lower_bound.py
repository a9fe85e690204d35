r"""The lower bound: every job of the pipeline, run in one Python process.

    python benchmarks/lower_bound.py plan --workdir DIR [TARGET ...]   # writes DIR/jobs.json
    python benchmarks/lower_bound.py run --workdir DIR [--profile FILE]

``plan`` asks Snakemake, once and untimed, for the pipeline's jobs on the
workflow copy in ``DIR`` (``snakemake --dry-run --printshellcmds --forceall
--quiet host [TARGET ...]``; no target: the whole study): each job's rule, inputs,
outputs, log and shell command.

``run`` then does all of that work in this one process, in dependency order:
each job's command (``python -m gdlab.solve ARGS`` or
``python -m gdlab.jobs.NAME ARGS``, stderr to the job's log) is executed
in process with ``runpy`` instead of in a new interpreter — the same gdlab code
on the same arguments, writing the same
files under ``DIR/results``, with no Snakemake and no extra process.  Imports
are paid once, by the first job that needs them.  Prints one JSON document:
seconds per rule (imports included), the number of jobs and runs.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import runpy  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

_RULE = re.compile(r"^(local)?rule (\w+):$")
_FIELD = re.compile(r"^    (input|output|log|wildcards): (.*)$")


def parse_dry_run(text: str) -> list[dict]:
    """The jobs of ``snakemake -n -p`` output, in its order (those with a command)."""
    jobs, job = [], None
    for line in text.splitlines():
        m = _RULE.match(line)
        if m:
            job = {"rule": m[2], "input": [], "output": [], "log": [], "cmd": None}
            jobs.append(job)
            continue
        if job is None:
            continue
        m = _FIELD.match(line)
        if m and m[1] in ("input", "output", "log"):
            job[m[1]] = [p.strip() for p in m[2].split(", ") if p.strip()]
        elif line.startswith("Shell command: "):
            job["cmd"] = line[len("Shell command: ") :]
    return [j for j in jobs if j["cmd"] and j["cmd"] != "None"]  # rule all: "None"


def in_order(jobs: list[dict]) -> list[dict]:
    """``jobs`` in an order where every job comes after the jobs making its inputs."""
    maker = {out: i for i, j in enumerate(jobs) for out in j["output"]}
    done, order = set(), []

    def visit(i, stack=()):
        if i in done:
            return
        if i in stack:
            raise ValueError(f"cycle through {jobs[i]['rule']}")
        for path in jobs[i]["input"]:
            if path in maker:
                visit(maker[path], (*stack, i))
        done.add(i)
        order.append(jobs[i])

    for i in range(len(jobs)):
        visit(i)
    return order


# `--quiet host`: every job's block (the default profile's `quiet: [rules, host]` hides
# them; a --quiet on the command line replaces that list)
DRY_RUN = ["-n", "-p", "--forceall", "--quiet", "host", "--cores", "1"]


def plan(workdir: Path, targets=()) -> list[dict]:
    """The pipeline's jobs on the workflow copy in ``workdir`` (Snakemake dry run), those
    that make ``targets`` (default: the whole study)."""
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", *DRY_RUN, *targets],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"snakemake --dry-run failed in {workdir}:\n{proc.stdout[-3000:]}")
    jobs = in_order(parse_dry_run(proc.stdout))
    if not jobs:
        raise RuntimeError(f"no jobs with a shell command in the dry run of {workdir}")
    return jobs


def command(cmd: str) -> tuple[list[str], str | None]:
    """(argv after ``python``, the ``2>`` log or None) of a job's shell command."""
    argv = shlex.split(cmd)
    log = None
    if "2>" in argv:
        i = argv.index("2>")
        log, argv = argv[i + 1], argv[:i] + argv[i + 2 :]
    if argv[0] != "python" or any(t in argv for t in ("|", "&&", ";", ">", "<")):
        raise ValueError(f"cannot run in process (not a plain python command): {cmd}")
    return argv[1:], log


def run_job(job: dict) -> None:
    """One job's command, in this process."""
    argv, log = command(job["cmd"])
    for path in job["output"] + job["log"]:
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # as Snakemake does
    stderr = open(log, "w") if log else open(os.devnull, "w")
    with stderr, contextlib.redirect_stderr(stderr):
        try:
            if argv[0] == "-m":
                sys.argv = [argv[1], *argv[2:]]
                runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
            else:
                sys.argv = list(argv)
                runpy.run_path(argv[0], run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = exc.code
    if code not in (0, None):
        raise RuntimeError(f"job of rule {job['rule']} failed ({code}): {job['cmd']}")


def run(jobs: list[dict]) -> dict:
    """Every job in order; seconds per rule."""
    seconds: dict[str, float] = {}
    for job in jobs:
        t = time.perf_counter()
        run_job(job)
        seconds[job["rule"]] = seconds.get(job["rule"], 0.0) + time.perf_counter() - t
    counts = {}
    for job in jobs:
        counts[job["rule"]] = counts.get(job["rule"], 0) + 1
    from gdlab.plan import solver_rule  # the copy's gdlab (main put it on sys.path)

    solver = [job for job in jobs if solver_rule(job["rule"])]
    runs = sum(
        int(b) - int(a) + 1
        for job in solver
        for a, b in re.findall(r"results/runs/\S*/seeds_(\d+)-(\d+)\.parquet", job["cmd"])
    )
    return {"rule_seconds": seconds, "jobs": counts, "solver_jobs": len(solver), "runs": runs}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("plan", "run"))
    ap.add_argument("--workdir", required=True, help="a copy of the workflow, its config set")
    ap.add_argument("--profile", help="run: write a cProfile dump here")
    ap.add_argument("targets", nargs="*", help="plan: only the jobs making these files")
    args = ap.parse_intermixed_args(argv)  # the targets after --workdir too
    workdir = Path(args.workdir).resolve()
    jobs_file = workdir / "jobs.json"
    if args.action == "plan":
        jobs_file.write_text(json.dumps(plan(workdir, args.targets), indent=1))
        return 0
    jobs = json.loads(jobs_file.read_text())
    os.chdir(workdir)
    sys.path.insert(0, str(workdir / "src"))  # the copy's gdlab, as its jobs get it
    startup = time.perf_counter() - T0
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        doc = prof.runcall(run, jobs)
        prof.dump_stats(args.profile)
        pstats.Stats(prof, stream=sys.__stderr__).sort_stats("cumulative").print_stats(40)
    else:
        doc = run(jobs)
    doc["startup_seconds"] = startup
    doc["in_process_seconds"] = time.perf_counter() - T0
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
