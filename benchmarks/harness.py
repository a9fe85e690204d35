"""What every benchmark script shares: this checkout's paths, the environment jobs
run in, a timed command, Snakemake's job counts, and a throw-away workflow copy.

benchmarks/run.py, scale.py and vs_benchopt.py import it; it imports none of them.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))

import floor  # noqa: E402

from support import checkout  # noqa: E402

# What a workflow copy needs (results/ and .snakemake/ excluded).
TIMEOUT = 3600


# ---- the record -----
def machine(argv, script: str = "benchmarks/run.py") -> dict:
    """This machine, its load and this checkout's commit, for a benchmark's record."""
    import numpy as np
    import snakemake

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "workflow", "Snakefile", "profiles"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit += "+dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "snakemake": snakemake.__version__,
        "numpy": np.__version__,
        "commit": commit,
        "command": " ".join(["python", script, *argv]),
        "load_before": list(os.getloadavg()),
    }


# ---- running things -----------------------------------------------------------------
def env() -> dict:
    """Jobs call ``python``: make it this interpreter's (as tests/conftest.py does)."""
    e = dict(os.environ)
    e["PATH"] = str(Path(sys.executable).parent) + os.pathsep + e.get("PATH", "")
    # this checkout's gdlab, whatever is installed (workflow copies put their own first)
    e["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), *filter(None, e.get("PYTHONPATH", "").split(os.pathsep))]
    )
    return e


def cpu_seconds() -> float:
    """User + system seconds of every finished child process (and theirs) so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# Snakemake runs every job with these set to the job's threads (1): the lower
# bound and the solver-job measurements get the same (OpenBLAS otherwise starts a
# thread per core at `import numpy`, which costs CPU, not wall time).
ONE_THREAD = {
    v: "1"
    for v in (
        "OMP_NUM_THREADS",
        "GOTO_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}


def timed(
    cmd: list[str], cwd: Path, log: Path, extra_env: dict | None = None
) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, all descendants) and the output of
    ``cmd`` (also written to ``log``).  CPU seconds are less sensitive to other load
    on the machine than wall seconds; the targets are about wall seconds."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env={**env(), **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    log.write_text(proc.stdout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd} (see {log}):\n{proc.stdout[-3000:]}")
    return seconds, cpu, proc.stdout


def job_counts(output: str) -> dict[str, int]:
    """Jobs per rule: from Snakemake's "Job stats" table (its "total" row left out), or,
    where the default profile shows gdlab's progress lines instead, from those (one per
    finished job, its rule after "jobs  ")."""
    counts = {}
    if "Job stats:" not in output:
        for rule in re.findall(r"^\[[^]]*\] +\d+/\d+ jobs  (\S+)", output, re.M):
            counts[rule] = counts.get(rule, 0) + 1
        return counts
    block = output.split("Job stats:", 1)[1]
    for line in block.splitlines()[3:]:
        m = re.fullmatch(r"(\S+)\s+(\d+)", line.strip())
        if not m:
            break
        if m[1] != "total":
            counts[m[1]] = int(m[2])
    return counts


class Workflow:
    """A throw-away copy of the workflow (the real one, or its engine floor)."""

    def __init__(
        self,
        root: Path,
        name: str,
        config: dict,
        *,
        is_floor: bool,
        cores: int,
        args: tuple[str, ...] = (),
    ):
        self.dir = root / name
        self.is_floor, self.cores, self.runs = is_floor, cores, 0
        self.args = tuple(args)  # given to every run (--quick: --no-hooks)
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        checkout.copy_workflow(self.dir, REPO)
        if is_floor:
            floor.make_floor(self.dir)
        self.set_config(config)

    def set_config(self, config: dict) -> None:
        (self.dir / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    def clean(self) -> None:
        for d in ("results", ".snakemake"):
            shutil.rmtree(self.dir / d, ignore_errors=True)

    def snakemake(self, *args: str) -> dict:
        self.runs += 1
        cmd = [sys.executable, "-m", "snakemake", "--cores", str(self.cores), *self.args, *args]
        seconds, cpu, out = timed(cmd, self.dir, self.dir / f"run{self.runs}.log")
        return {
            "seconds": seconds,
            "cpu_s": cpu,
            "jobs": job_counts(out),
            "profile_used": "Using workflow specific profile" in out,
            "nothing_to_do": "Nothing to be done" in out,
        }
