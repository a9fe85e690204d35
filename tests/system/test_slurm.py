"""The cluster profile, profiles/slurm, run for real on a single-node SLURM cluster.

``tests/slurm/start-slurm.sh`` installs SLURM from Debian's packages (as root)
and starts munged, slurmctld and slurmd under a fresh base dir; the
session-scoped ``slurm_cluster`` fixture stops exactly those daemons again, by
pid, after the last SLURM test, also when a test fails, and checks that none is
left.  The tests run the reduced test config (``tests/slurm/overlay.yaml`` over
``config/test.yaml``: 15 solver jobs) through ``snakemake --profile profiles/slurm``
with only CI-specific settings overridden on the command line (``CI_OVERRIDES``).
The number of solver jobs and of the SLURM jobs they ran in is printed in the
"SLURM" section at the end of pytest's output.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, copy_workflow, snakemake
from gdlab import plan

# one cluster per machine: every SLURM test on the same xdist worker
pytestmark = [pytest.mark.slurm, pytest.mark.xdist_group("slurm")]

SLURM_DIR = REPO / "tests" / "slurm"
OVERLAY = "config/test-slurm.yaml"  # where the tests put tests/slurm/overlay.yaml
CONFIG = ("--configfile", "config/test.yaml", OVERLAY)
# CI-specific settings, on the command line: the user's profile is used as shipped.
CI_OVERRIDES = (
    # no slurmdbd on the test cluster, so no sacct: ask squeue (MinJobAge=600)
    "--slurm-status-command=squeue",
    # poll every second instead of after 10-40 s (see tests/slurm/README.md)
    "--slurm-init-seconds-before-status-checks=1",
    "--seconds-between-status-checks=1",
    # keep every SLURM job's log: the tests read which solver jobs each one ran
    "--slurm-keep-successful-logs",
    # one local file system: outputs appear at once
    "--latency-wait=5",
    # 15 test solver jobs in 4 SLURM jobs (the profile's 10 is for the real study)
    "--group-components=solvers=4",
    # every job's block and error, which the default profile's `quiet: [rules, host]`
    # hides (a --quiet here replaces its list): the tests read "Error in group
    # solvers" and "output: ..." of a failure, and that no "localrule solve:" block (a
    # solver job on the login node) is there.  The SLURM jobs' own snakemake runs
    # (--mode remote) read no profile and print their blocks anyway (RAN_RE).
    "--quiet",
    "host",
    # no end-of-run summary and report (a second Snakemake on the login node): not what
    # these tests are about (tests/workflow/test_deploy.py runs them)
    "--no-hooks",
)
TIMEOUT = 300  # seconds per snakemake run; it ignores SIGTERM while it waits: timeout -k
DAEMONS = ("munged", "slurmctld", "slurmd")

SUBMITTED_RE = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (\S+)\)")
# In a SLURM job's log, each member job runs in its own nested `snakemake`
# (through srun), which prints "localrule solve:" (a job of several grid points:
# "localrule solve_<problem>_<i>:") and the job's outputs, its run files among them.
RAN_RE = re.compile(
    r"^localrule solve(?:_\w+)?:\n(?:    .*\n)*?    output: ([^\n]*)\n", re.MULTILINE
)
# a solver job's block on the login node (none may be there)
LOCAL_SOLVER_RE = re.compile(r"^localrule solve(?:_\w+)?:$", re.MULTILINE)
# The failure test breaks the solver of this problem (one solver job in the overlay).
FAILING_PROBLEM = "conv_huber"
INJECTED = """

def run(settings, value, seeds, traced=None):  # injected by tests/system/test_slurm.py
    raise ValueError("injected failure: a bad value in the solver")
"""


class _Summary:
    """A pytest plugin that prints the SLURM tests' numbers after the run
    (registered at runtime, so it shows in .ci/run's output without -s)."""

    def __init__(self):
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter):
        if self.lines:
            terminalreporter.section("SLURM")
            for line in self.lines:
                terminalreporter.write_line(line)


SUMMARY = _Summary()


# ---------------------------------------------------------------- the cluster
def _why_no_slurm() -> str | None:
    if not sys.platform.startswith("linux"):
        return "SLURM tests need Linux"
    if os.geteuid() != 0:
        return "SLURM tests need root (to apt-get install SLURM and start its daemons); CI runs as root"
    installed = all(Path(p).exists() for p in ("/usr/sbin/slurmctld", "/usr/sbin/slurmd")) and (
        shutil.which("munged") and shutil.which("sbatch")
    )
    if not installed and not shutil.which("apt-get"):
        return "SLURM is not installed and there is no apt-get to install it"
    if not shutil.which("timeout"):
        return "coreutils `timeout` is missing"
    return None


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    """A live (non-zombie) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _processes_mentioning(text: str) -> list[str]:
    """Live processes whose command line contains ``text`` (the cluster's base dir)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline and _running(int(proc.name)):
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


class Cluster:
    def __init__(self, base: Path):
        self.base = base
        self.conf = base / "etc" / "slurm.conf"
        self.env = {**os.environ, "GDLAB_SLURM_BASE": str(base)}
        self.pids: dict[str, int] = {}

    def pid_files(self) -> dict[str, Path]:
        return {
            "munged": self.base / "munge" / "run" / "munged.pid",
            "slurmctld": self.base / "run" / "slurmctld.pid",
            "slurmd": self.base / "run" / "slurmd.pid",
        }

    def squeue(self, run_id: str) -> dict[str, tuple[str, str]]:
        """SLURM's own record of this run's jobs: id -> (state, partition)."""
        out = subprocess.run(
            ["squeue", "--states=all", "--noheader", "--name", run_id, "--format=%i|%T|%P"],
            env={**self.env, "SLURM_CONF": str(self.conf)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return {i: (state, part) for i, state, part in (ln.split("|") for ln in out.split())}


@pytest.fixture(scope="session")
def slurm_cluster(request) -> Cluster:
    reason = _why_no_slurm()
    if reason:
        pytest.skip(reason)
    if not request.config.pluginmanager.is_registered(SUMMARY):
        request.config.pluginmanager.register(SUMMARY, "gdlab-slurm-summary")
    # not under pytest's tmp dir: munged runs as user munge and cannot enter
    # /tmp/pytest-of-root (mode 700); start-slurm.sh makes the base dir 755
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="gdlab-slurm-", dir="/tmp")))

    def stop():
        pids = {**cluster.pids}
        for name, f in cluster.pid_files().items():
            pid = _pid(f)
            if pid is not None:
                pids.setdefault(name, pid)
        failed = request.session.testsfailed > 0
        env = {**cluster.env, "GDLAB_SLURM_PURGE": "0" if failed else "1"}
        proc = subprocess.run(
            ["bash", str(SLURM_DIR / "stop-slurm.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        left = [f"{name} (pid {pid})" for name, pid in pids.items() if _running(pid)]
        left += _processes_mentioning(str(cluster.base))
        etc = Path("/etc/slurm/slurm.conf")
        if etc.is_symlink() and os.readlink(etc) == str(cluster.conf):
            left.append("/etc/slurm/slurm.conf still points to the test cluster")
        assert proc.returncode == 0 and not left, (
            f"stop-slurm.sh left: {left}\n{proc.stdout}{proc.stderr}"
        )
        SUMMARY.lines.append(
            "stopped the test cluster's "
            + ", ".join(f"{n} (pid {p})" for n, p in sorted(pids.items()))
            + ": none of them is running"
            + ("" if not failed else f"; its logs: {cluster.base}/log")
        )

    request.addfinalizer(stop)  # before starting: a half-started cluster is stopped too
    t0 = time.monotonic()
    proc = subprocess.run(
        ["bash", str(SLURM_DIR / "start-slurm.sh")],
        env=cluster.env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"tests/slurm/start-slurm.sh failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    for name, f in cluster.pid_files().items():
        pid = _pid(f)
        assert pid is not None and _running(pid), f"{name} is not running after start-slurm.sh"
        cluster.pids[name] = pid
    SUMMARY.lines.append(
        f"started a single-node SLURM cluster in {time.monotonic() - t0:.0f} s "
        f"(base {cluster.base})"
    )
    return cluster


# ---------------------------------------------------------------- helpers
def _workdir(path: Path) -> Path:
    wd = copy_workflow(path)
    shutil.copy2(SLURM_DIR / "overlay.yaml", wd / OVERLAY)
    return wd


class SlurmRun:
    """``snakemake --profile profiles/slurm`` (+ CI overrides) under ``timeout -k``,
    started in the background; :meth:`result` waits for it."""

    def __init__(self, cluster: Cluster, wd: Path, *args: str, config: tuple[str, ...] = CONFIG):
        env = {**cluster.env, "SLURM_CONF": str(cluster.conf)}
        # the SLURM jobs inherit PATH (sbatch --export=ALL) and run this venv's
        # snakemake and python
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        cmd = [
            "timeout", "-k", "10", str(TIMEOUT),
            sys.executable, "-m", "snakemake", "--profile", "profiles/slurm",
            *CI_OVERRIDES, *config, *args,
        ]  # fmt: skip
        self.log = wd.parent / f"{wd.name}-snakemake-{time.monotonic_ns()}.log"
        self._t0 = time.monotonic()
        with self.log.open("w") as out:
            self._proc = subprocess.Popen(
                cmd, cwd=wd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True
            )
        self._ended: list[float] = []
        # the end time, whatever moment the test asks for the result
        self._waiter = threading.Thread(target=self._wait, daemon=True)
        self._waiter.start()

    def _wait(self) -> None:
        self._proc.wait()
        self._ended.append(time.monotonic())

    def stop(self) -> None:
        """A run no test waited for (a test before it failed): Ctrl-C, which cancels
        its SLURM jobs, before the cluster stops."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
            try:
                self._proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._waiter.join()

    def result(self) -> tuple[subprocess.CompletedProcess, float]:
        self._waiter.join()
        out = self.log.read_text()
        assert self._proc.returncode != 124, (
            f"snakemake timed out after {TIMEOUT} s:\n{out[-6000:]}"
        )
        done = subprocess.CompletedProcess(self._proc.args, self._proc.returncode, out)
        return done, self._ended[0] - self._t0


def run_on_slurm(
    cluster: Cluster, wd: Path, *args: str, config: tuple[str, ...] = CONFIG
) -> tuple[subprocess.CompletedProcess, float]:
    return SlurmRun(cluster, wd, *args, config=config).result()


def submitted(out: str) -> dict[str, Path]:
    """SLURM job id -> its log, from Snakemake's own log."""
    return {jobid: Path(log) for jobid, log in SUBMITTED_RE.findall(out)}


def solver_jobs_by_slurm_job(jobs: dict[str, Path]) -> dict[str, list[str]]:
    """Parquet file -> the SLURM job ids whose logs show it being computed."""
    ran: dict[str, list[str]] = {}
    for jobid, log in jobs.items():
        for outputs in RAN_RE.findall(log.read_text()):
            for output in outputs.split(", "):
                if output.startswith("results/runs/"):
                    ran.setdefault(output, []).append(jobid)
    return ran


def run_id(out: str) -> str:
    m = re.search(r"SLURM run ID: (\S+)", out)
    assert m, out[-3000:]
    return m[1]


def parquet_files(wd: Path) -> set[str]:
    return {str(p.relative_to(wd)) for p in (wd / "results" / "runs").rglob("*.parquet")}


def merged(base: dict, overlay: dict) -> dict:
    """``overlay`` over ``base``, nested mappings merged (as Snakemake merges --configfile)."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def slurm_config() -> dict:
    """The configuration the SLURM runs use: tests/slurm/overlay.yaml over config/test.yaml."""
    base = yaml.safe_load((REPO / "config/test.yaml").read_text())
    return merged(base, yaml.safe_load((SLURM_DIR / "overlay.yaml").read_text()))


def expected_runs() -> set[str]:
    """Every solver job's Parquet file under that configuration (from the registry)."""
    cfg = slurm_config()
    return {path for p in plan.configured(cfg) for path in plan.runs_of(cfg, p)}


def profile_partition() -> str:
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    return profile["default-resources"]["slurm_partition"]


# ---------------------------------------------------------------- the runs
# The three scenarios' first SLURM runs start together (one fixture, before the
# first test): they spend most of their time waiting for the plugin's status polls
# (tests/slurm/README.md, pitfall 4), so together they take about as long as the
# longest.  Each has its own working directory and SLURM run id.
FAILING_TARGETS_GROUP = ("--group-components=solvers=1",)
LARGE_SEEDS, LARGE_SWEEP = 20, 8
LARGE_FEWER = {
    "problems": {
        "sharp_wide": {
            "seeds": LARGE_SEEDS,
            "sweep": {"min": 1e-3, "max": 10.0, "count": LARGE_SWEEP},
        }
    }
}
LARGE = ("--configfile", "config/large.yaml", "config/large-ci.yaml")


def failing_targets() -> tuple[str, ...]:
    """Three solver jobs, the failing one among them, one a SLURM job: each SLURM job
    ends before the plugin's polling interval has grown past 12 s."""
    (failing,) = plan.runs_of(slurm_config(), FAILING_PROBLEM)  # one solver job
    others = sorted(expected_runs() - {failing})
    return (failing, others[0], others[-1])


def _start_grouped(cluster: Cluster, base: Path) -> tuple[Path, SlurmRun]:
    wd = _workdir(base / "slurm")
    return wd, SlurmRun(cluster, wd)


def _start_failing(cluster: Cluster, base: Path) -> tuple[Path, SlurmRun]:
    wd = _workdir(base / "fail")
    module = wd / "src/gdlab/problems" / FAILING_PROBLEM / "numerics.py"
    module.write_text(module.read_text() + INJECTED)
    return wd, SlurmRun(cluster, wd, *FAILING_TARGETS_GROUP, *failing_targets())


def _start_large(cluster: Cluster, base: Path) -> tuple[Path, SlurmRun]:
    wd = copy_workflow(base / "large")
    (wd / "config/large-ci.yaml").write_text(yaml.safe_dump(LARGE_FEWER))
    return wd, SlurmRun(cluster, wd, config=LARGE)


STARTS = {
    "test_study_runs_on_slurm_grouped_and_identical_to_a_local_run": _start_grouped,
    "test_failed_solver_job_is_reported_and_a_corrected_rerun_runs_only_what_is_missing": (
        _start_failing
    ),
    "test_large_study_runs_on_slurm_with_its_basin_map": _start_large,
}


@pytest.fixture(scope="module")
def first_runs(slurm_cluster, request, tmp_path_factory) -> dict[str, tuple[Path, SlurmRun]]:
    """The first SLURM run of every selected scenario, started together."""
    selected = {item.originalname for item in request.session.items}
    runs = {}
    try:
        for name, start in STARTS.items():
            if name in selected:
                runs[name] = start(slurm_cluster, tmp_path_factory.mktemp(name[5:30]))
        yield runs
    finally:
        for _, run in runs.values():
            run.stop()


# ---------------------------------------------------------------- tests
def test_study_runs_on_slurm_grouped_and_identical_to_a_local_run(
    slurm_cluster, first_runs, tmp_path
):
    wd, slurm = first_runs["test_study_runs_on_slurm_grouped_and_identical_to_a_local_run"]
    local = _workdir(tmp_path / "local")
    snakemake(local, *sorted(expected_runs()), *CONFIG, "--cores", "2")  # the solver jobs
    expected = parquet_files(local)
    assert expected == expected_runs(), sorted(expected)

    proc, seconds = slurm.result()
    out = proc.stdout
    assert proc.returncode == 0, out[-6000:]
    assert "Using profiles profiles/slurm and workflow specific profile profiles/default" in out

    # every solver job ran inside exactly one SLURM job, none on the login node
    jobs = submitted(out)
    assert jobs, out[-6000:]
    ran = solver_jobs_by_slurm_job(jobs)
    assert set(ran) == expected, f"SLURM logs show {sorted(ran)}"
    assert all(len(ids) == 1 for ids in ran.values()), ran
    assert not LOCAL_SOLVER_RE.search(out)
    # SLURM's own record: exactly these jobs, completed, in the profile's partition
    record = slurm_cluster.squeue(run_id(out))
    assert set(record) == set(jobs), record
    assert all(state == "COMPLETED" for state, _ in record.values()), record
    assert {part for _, part in record.values()} == {profile_partition()}
    # grouping bundled the solver jobs
    used = sorted({i for ids in ran.values() for i in ids}, key=int)
    assert 1 < len(used) < len(expected), used

    # the results do not depend on where they were computed
    assert parquet_files(wd) == expected
    differ = [p for p in sorted(expected) if (wd / p).read_bytes() != (local / p).read_bytes()]
    assert not differ, f"SLURM and local Parquet files differ: {differ}"
    assert (wd / "results/checks/convergence.json").exists()

    SUMMARY.lines.append(
        f"{len(expected)} solver jobs ran in {len(used)} SLURM jobs (ids {', '.join(used)}) "
        f"in {seconds:.0f} s; their Parquet files are byte-identical to a local run's"
    )


def test_failed_solver_job_is_reported_and_a_corrected_rerun_runs_only_what_is_missing(
    slurm_cluster, first_runs
):
    name = "test_failed_solver_job_is_reported_and_a_corrected_rerun_runs_only_what_is_missing"
    wd, slurm = first_runs[name]
    targets = failing_targets()
    failing = targets[0]
    proc, seconds = slurm.result()
    out = proc.stdout
    assert proc.returncode == 1, out[-6000:]
    assert "Error in group solvers" in out and "Exiting because a job execution failed" in out
    assert f"output: {failing}" in out
    # the failed SLURM job's log is kept, names the command, and the solver's
    # own log has the reason
    jobs = submitted(out)
    assert len(jobs) == 4, jobs  # three SLURM jobs, and one retry
    failed = {
        j: log for j, log in jobs.items() if f"--problem {FAILING_PROBLEM}" in log.read_text()
    }
    failed_logs = list(failed.values())
    assert failed_logs and all(
        "returned non-zero exit status 2" in log.read_text() for log in failed_logs
    )
    solver_log = failing.replace("results/runs/", "results/logs/solve/", 1)
    assert "injected failure" in (wd / solver_log).with_suffix(".log").read_text()
    # retries: 1 in the profile resubmitted the failing SLURM job once
    assert len(failed_logs) == 2, failed_logs
    state = slurm_cluster.squeue(run_id(out))
    assert [state[j][0] for j in failed] == ["FAILED"] * 2, state

    present = parquet_files(wd)
    assert failing not in present
    assert present, "the other SLURM job's results should survive the failure"
    before = {p: ((wd / p).stat().st_mtime_ns, (wd / p).read_bytes()) for p in present}

    # corrected rerun: exactly the missing solver jobs run again, on SLURM
    module = wd / "src/gdlab/problems" / FAILING_PROBLEM / "numerics.py"
    module.write_text((REPO / "src/gdlab/problems" / FAILING_PROBLEM / "numerics.py").read_text())
    proc2, seconds2 = run_on_slurm(slurm_cluster, wd, *FAILING_TARGETS_GROUP, *targets)
    assert proc2.returncode == 0, proc2.stdout[-6000:]
    assert not LOCAL_SOLVER_RE.search(proc2.stdout)
    rerun_jobs = submitted(proc2.stdout)
    rerun = solver_jobs_by_slurm_job(rerun_jobs)
    assert parquet_files(wd) == set(targets)
    missing = parquet_files(wd) - present
    assert failing in missing
    assert set(rerun) == missing, f"rerun computed {sorted(rerun)}, missing were {sorted(missing)}"
    after = {p: ((wd / p).stat().st_mtime_ns, (wd / p).read_bytes()) for p in present}
    assert after == before, "the rerun touched results that were already there"

    SUMMARY.lines.append(
        f"failure test: the injected error failed SLURM job {' and its retry '.join(failed)}; "
        f"snakemake reported it and exited {proc.returncode} after {seconds:.0f} s; the corrected "
        f"rerun computed the {len(missing)} missing solver jobs in {len(rerun_jobs)} SLURM "
        f"job(s) in {seconds2:.0f} s and left the other {len(present)} untouched"
    )


def test_large_study_runs_on_slurm_with_its_basin_map(slurm_cluster, first_runs):
    """config/large.yaml as a user runs it on a cluster (`--configfile`), with fewer
    starts and step sizes (CI has minutes; the 10^6 runs are measured by
    benchmarks/scale.py): every solver job in a SLURM job, the basin map, one row of
    results/runs.parquet per run."""
    wd, slurm = first_runs["test_large_study_runs_on_slurm_with_its_basin_map"]
    seeds, sweep, fewer = LARGE_SEEDS, LARGE_SWEEP, LARGE_FEWER
    proc, seconds = slurm.result()
    out = proc.stdout
    assert proc.returncode == 0, out[-6000:]
    cfg = merged(
        merged(
            yaml.safe_load((REPO / "config/config.yaml").read_text()),
            yaml.safe_load((REPO / "config/large.yaml").read_text()),
        ),
        fewer,
    )
    expected = {path for p in plan.configured(cfg) for path in plan.runs_of(cfg, p)}
    points = len(cfg["problems"]["sharp_wide"]["alphas"]) + sweep  # one file a step size
    assert plan.configured(cfg) == ["sharp_wide"] and len(expected) == points
    ran = solver_jobs_by_slurm_job(submitted(out))
    assert set(ran) == expected and all(len(ids) == 1 for ids in ran.values()), ran
    # its step sizes run points_per_job at a time: each such job one SLURM job of its own
    batches = plan.solver_batches(cfg)
    assert batches and len({i for ids in ran.values() for i in ids}) == len(batches), ran
    assert not LOCAL_SOLVER_RE.search(out)
    for ext in ("png", "svg"):
        assert (wd / f"results/figures/basin_map.{ext}").stat().st_size > 0
    runs = pq.read_table(wd / "results/runs.parquet", columns=["problem", "seed"])
    assert runs.num_rows == points * seeds
    assert set(runs["problem"].to_pylist()) == {"sharp_wide"}
    used = sorted({i for ids in ran.values() for i in ids}, key=int)
    SUMMARY.lines.append(
        f"config/large.yaml ({seeds} starts x {points} step sizes): {len(batches)} solver jobs in "
        f"{len(used)} SLURM jobs, basin map and runs.parquet in {seconds:.0f} s"
    )
