"""The edges, through the real Snakemake: damaged results, templated and oversized
configs, targets the config does not make, extreme but valid values, a full disk
and Ctrl-C.  Each ends in one clear line and a non-zero exit, never in a wrong
result or a traceback."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, snakemake
from gdlab import grid

TEST_CONFIG = yaml.safe_load((REPO / "config/test.yaml").read_text())


def use_config(wd: Path, change=None, text: str | None = None) -> None:
    """Make the test config (changed by ``change``) the copy's config/config.yaml."""
    if text is None:
        cfg = json.loads(json.dumps(TEST_CONFIG))
        if change:
            change(cfg)
        text = yaml.safe_dump(cfg, sort_keys=False)
    (wd / "config/config.yaml").write_text(text)


def refused(proc, *wanted: str) -> str:
    out = proc.stdout
    assert proc.returncode != 0, out
    assert "Traceback" not in out, out
    for w in wanted:
        assert w in out, out
    return out


def reread_the_tables(study: Path):
    """Run the test study again with every table rebuilt (reading every run file)."""
    return snakemake(
        study,
        "--configfile",
        "config/test.yaml",
        "--cores",
        "1",
        "--forcerun",
        "table",
        check=False,
    )


def first_run(wd: Path, problem: str) -> Path:
    return wd / grid.jobs(TEST_CONFIG, problem)[0].path


# ---- damaged results: never a table or a check from less than the config promises ----
def test_a_table_cut_to_its_header_fails_the_convergence_check(study):
    table = study / "results/tables/quadratic.csv"
    table.write_text(table.read_text().splitlines()[0] + "\n")
    (study / "results/checks/convergence.json").unlink()
    proc = snakemake(study, "--configfile", "config/test.yaml", "--cores", "1", check=False)
    n = len(TEST_CONFIG["problems"]["quadratic"]["alphas"])
    refused(proc, f"quadratic: the table has 0 rows, the configuration has {n} grid points")
    assert not (study / "results/checks/convergence.json").exists()


def test_a_run_file_that_lost_a_seed_stops_the_table(study):
    path = first_run(study, "quadratic")
    table = pq.read_table(path)  # the metadata stays as it was
    pq.write_table(table.filter(pc.not_equal(table["seed"], 0)), path)
    proc = reread_the_tables(study)
    # the first job to read it (the table or a figure) stops the run
    refused(
        proc,
        f"{path.relative_to(study)}: holds",
        "(its rows are not what its metadata describes)",
        "ERROR in rule",
    )


def test_a_directory_in_place_of_a_run_file_stops_the_table(study):
    path = first_run(study, "quadratic")
    content = path.read_bytes()
    path.unlink()
    path.mkdir()
    (path / "part-0.parquet").write_bytes(content)
    proc = reread_the_tables(study)
    refused(proc, f"{path.relative_to(study)}: is a directory, not a Parquet file", "ERROR in rule")


# ---- configs that are code, or too big to check -------------------------------------
def test_a_templated_config_is_refused_before_its_code_runs(workdir):
    text = (REPO / "config/test.yaml").read_text()
    use_config(
        workdir,
        text="__use_yte__: true\n"
        + text.replace("root_seed: 20240309", 'root_seed: ?open("PWNED", "w").close() or 1'),
    )
    proc = snakemake(workdir, "-n", check=False)
    refused(proc, "config/config.yaml: uses YAML templating (__use_yte__)")
    assert not (workdir / "PWNED").exists()
    assert not (workdir / "results").exists()


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]\n"
                for i in range(9)
            ),
            "holds more than 1,000,000 values (YAML aliases expanded)",
        ),
        (
            "root_seed:\n"
            + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(400))
            + "  " * 401
            + "x: 1\n",
            "nested too deeply to read",
        ),
    ],
    ids=["alias-bomb", "400-levels"],
)
def test_an_oversized_config_is_one_line_in_seconds(workdir, text, wanted):
    use_config(workdir, text=text)
    start = time.monotonic()
    proc = snakemake(workdir, "-n", check=False, timeout=120)
    refused(proc, wanted)
    assert time.monotonic() - start < 60
    assert not (workdir / "results").exists()


def test_a_long_step_size_list_with_one_duplicate_is_one_line_in_seconds(workdir):
    alphas = [round(0.01 * (i + 1), 6) for i in range(30000)] + [0.01]

    def change(cfg):
        cfg["problems"]["quadratic"]["alphas"] = alphas

    use_config(workdir, change)
    start = time.monotonic()
    proc = snakemake(workdir, "-n", check=False, timeout=300)
    refused(proc, "problems.quadratic.alphas: 0.01 listed more than once")
    assert time.monotonic() - start < 120


def test_a_results_that_is_a_file_is_one_line(workdir):
    """`results` a regular file: one line naming it before any job (Snakemake's own
    inventory of its outputs raised a NotADirectoryError traceback)."""
    (workdir / "results").write_text("not a folder\n")
    proc = snakemake(workdir, "--configfile", "config/test.yaml", "--cores", "1", check=False)
    refused(proc, "Error: results: is a file, not a folder")
    assert (workdir / "results").read_text() == "not a folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--configfile", "config/no_such.yaml"],
        ["--configfile", "config/latin1.yaml"],
        ["--config", "1st=3"],
        ["--directory", "config/config.yaml"],
    ],
    ids=["missing configfile", "non-UTF-8 configfile", "key not an identifier", "a file as dir"],
)
def test_snakemake_s_own_command_line_faults_run_nothing(workdir, args):
    """The documented exception (docs/bad-input.md): faults Snakemake meets in its own
    arguments, before any gdlab code, end in its message (maybe with its traceback), a
    non-zero exit, no job and results/ as it was (here: not even created)."""
    (workdir / "config/latin1.yaml").write_bytes(b"root_seed: 1 # caf\xe9\n")
    proc = snakemake(workdir, "--cores", "1", *args, check=False)
    assert proc.returncode != 0, proc.stdout
    assert not (workdir / "results").exists(), proc.stdout
    assert "Finished job" not in proc.stdout and "rule solve" not in proc.stdout


def test_a_subnormal_tolerance_is_refused(workdir):
    def change(cfg):
        cfg["problems"]["quadratic"]["tolerance"] = 1.0e-320

    use_config(workdir, change)
    proc = snakemake(workdir, "-n", check=False)
    refused(proc, "problems.quadratic.tolerance: 1e-320 is out of range (must be >= 1e-300)")


# ---- targets: exactly what the config makes ----------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "results/runs/quadratic/alpha_0.50/seeds_0-1.parquet",  # 0.5 spelled otherwise
        "results/runs/quadratic/alpha_0.0/seeds_0-1.parquet",  # α = 0 is not allowed
        "results/runs/quadratic/alpha_0.7/seeds_0-1.parquet",  # not in the grid
        "results/runs/quadratic/alpha_0.5/seeds_0-999999.parquet",  # no such block
        "results/runs/quadratic/c_0.5/seeds_0-1.parquet",  # another problem's axis
        "results/runs/lsq_gradient/shape_1000000x1000000/seeds_0-1.parquet",
        "results/tables/no_such_problem.csv",
        "results/checks/conv_huber.json",  # conv_huber is not in this config
        "results/tables/conv_huber.csv",
    ],
)
def test_a_target_the_config_does_not_make_matches_no_rule(workdir, target):
    def change(cfg):
        del cfg["problems"]["conv_huber"]

    use_config(workdir, change)
    proc = snakemake(workdir, "-n", target, check=False)
    refused(proc, f"No rule to produce {target}")
    assert not (workdir / "results").exists()


# ---- valid but extreme values: figures and checks end in a line, not a crash ---------------
def test_a_zero_reference_and_runs_that_never_converge_end_in_one_line(workdir):
    def change(cfg):
        cfg["problems"] = {p: cfg["problems"][p] for p in ("conv_huber", "sharp_wide")}
        for section in cfg["problems"].values():  # its own bracket, not these runs
            del section["threshold"]
        cfg["problems"]["conv_huber"].update(alphas=[0.01], max_steps=100)  # none converges
        cfg["checks"]["conv_huber"]["value"] = 0.0
        sw = cfg["problems"]["sharp_wide"]
        sw.update(alphas=[0.01], sweep={"min": 0.01, "max": 0.02, "count": 2}, seeds=2)
        sw.update(start_interval=[1.0, 1.0000000000000002])  # one ulp wide

    use_config(workdir, change)
    proc = snakemake(workdir, "--cores", "2", "--keep-going", check=False)
    refused(proc, "ERROR in rule check_conv_huber: check 'conv_huber' failed: F(x_100) =")
    assert "absolute (the reference is 0)" in proc.stdout
    figures = workdir / "results/figures"
    for name in ("conv_huber_objective", "basin_ratio", "sharp_wide_landscape", "basin_map"):
        png = figures / f"{name}.png"
        assert png.is_file(), name
        width, height = _png_size(png)
        assert width < 2000 and height < 2000, (name, width, height)
    logs = [p.read_text() for p in (workdir / "results/logs").rglob("*.log")]
    assert logs and not [t for t in logs if "Traceback" in t or "Warning" in t]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[16:24]
    return int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")


def test_a_sweep_up_to_the_largest_float_stays_finite(workdir):
    def change(cfg):
        cfg["problems"] = {"sharp_wide": cfg["problems"]["sharp_wide"]}
        del cfg["problems"]["sharp_wide"]["threshold"]  # its own bracket, not the sweep
        cfg["problems"]["sharp_wide"].update(
            alphas=[0.01], sweep={"min": 1.0, "max": 1.7976931348623157e308, "count": 3}, seeds=2
        )

    use_config(workdir, change)
    snakemake(workdir, "--cores", "2")
    table = (workdir / "results/tables/sharp_wide.csv").read_text()
    assert "inf" not in table.lower()
    assert "alpha_1.7976931348623157e+308" in table
    logs = [p.read_text() for p in (workdir / "results/logs").rglob("*.log")]
    assert logs and not [t for t in logs if "Traceback" in t or "Warning" in t]


# ---- the machine: a full disk, Ctrl-C ---------------------------------------------------------
def test_a_full_disk_ends_each_job_in_one_line(workdir):
    """results/runs on a 96 kB file system: the solver jobs that cannot write end in
    one line each (in their logs, which live elsewhere), with no traceback and no
    temporary file left behind."""
    runs = workdir / "results" / "runs"
    runs.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(runs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()})")
    try:
        use_config(workdir)  # quadratic's runs alone (148 kB) fill the 96 kB
        only = ("--config", "only=quadratic")
        proc = snakemake(workdir, "--cores", "2", "--keep-going", *only, check=False)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stdout
        logs = {p: p.read_text() for p in (workdir / "results/logs/solve").rglob("*.log")}
        full = {p: t for p, t in logs.items() if "No space left on device" in t}
        assert full, "no job ran out of space: the file system was not small enough"
        for path, text in full.items():
            assert len(text.strip().splitlines()) == 1, (path, text)
            assert text.startswith("gdlab.solve: cannot write results/runs/"), text
        assert not [p for p, t in logs.items() if "Traceback" in t]
        assert not list(runs.rglob(".*.tmp"))  # no temporary file left behind
        # the end-of-run summary names the cause, as the jobs' logs do
        assert "gdlab: the run FAILED: what did not hold:" in proc.stdout, proc.stdout[-2000:]
        assert "No space left on device" in proc.stdout.split("the run FAILED")[1]
    finally:
        subprocess.run(["umount", str(runs)], check=False)


# A solver job that cannot end before the signal: α = 2 keeps |θ_k| = |θ_0| forever, so
# it runs to a budget of 10^9 steps.  Each case waits for an observable state of the
# process (/proc), never for a delay: the same outcome on a fast or a loaded machine.
LONG = {"max_steps": 10**9, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 1}
SOLVE = ["-m", "gdlab.solve", "--problem", "quadratic", "--setting", "alpha_2.0", "--seeds", "0-1"]
INTERRUPTED = "gdlab.solve: interrupted; Snakemake removes its incomplete outputs"
SIGINT_BIT = 1 << (signal.SIGINT - 1)


def _group(pgid: int) -> list[int]:
    """The live processes of process group ``pgid``."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(d.name))
    return found


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1], 16)
    raise KeyError(key)


def _comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def _maps(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def _wait_for(proc, pgid: int, state, what: str) -> None:
    """Poll (0.5 ms) until some process of the group is in ``state``."""
    deadline = time.monotonic() + 60
    while True:
        for pid in _group(pgid):
            try:
                if state(pid):
                    return
            except (OSError, KeyError):  # it exited or exec'd meanwhile
                continue
        assert proc.poll() is None, f"the job ended before {what}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.0005)


def _interrupt(command, env: dict, state, what: str, tmp_path: Path, shell=False) -> None:
    """Start ``command(out)`` in a new session, wait for ``state``, SIGINT the whole
    group (as a terminal does); the job must end with the one line and status 130.
    ``shell``: the command is bash running the job, which gets the signal too: bash
    ends 130 when it was already waiting for the job, or dies of SIGINT itself when
    the signal reached it before it did (it forks, then waits); the job's one line
    is the promise either way."""
    out = tmp_path / "x.parquet"
    proc = subprocess.Popen(
        command(out), stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        _wait_for(proc, proc.pid, state, what)
        os.killpg(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    statuses = (130, -signal.SIGINT) if shell else (130,)
    assert err.splitlines() == [INTERRUPTED] and proc.returncode in statuses, (
        what,
        proc.returncode,
        err,
    )
    assert not out.exists() and not list(tmp_path.glob(".*.tmp")), what


def test_ctrl_c_while_the_solver_imports_or_runs_is_one_line(tmp_path):
    """Once gdlab.solve's handler is set (it is set before NumPy is imported), a Ctrl-C
    in the imports or in the run ends the job in the one line, with no file."""

    def command(out: Path) -> list[str]:
        return [sys.executable, *SOLVE, "--settings", json.dumps(LONG), "--out", str(out)]

    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for lib, what in (("numpy", "NumPy loaded"), ("pyarrow", "pyarrow loaded")):
        _interrupt(command, env, lambda pid, lib=lib: f"/{lib}/" in _maps(pid), what, tmp_path)


def test_ctrl_c_during_python_start_up_is_one_line_as_the_rule_starts_it(tmp_path):
    """The workflow's shell prefix starts every job's ``python`` with SIGINT blocked:
    a Ctrl-C that arrives before Python runs a line of gdlab (site, runpy, the
    package import) waits for the job's handler, and the handler raises nothing (an
    exception raised inside NumPy's import becomes an ImportError).  The command runs
    under bash as Snakemake runs it; the signal goes to the job's process group as a
    terminal sends it: (1) at once, before anything may have started: the one line, or
    the shell killed before Python started with nothing printed; (2) while a process of
    the job holds SIGINT blocked (env, then Python starting up): the one line, always;
    (3) once NumPy is loading: the one line."""
    from gdlab import interrupt

    prefix = interrupt.shell_prefix()
    if sys.platform.startswith("linux"):  # GNU coreutils >= 8.31: every supported Linux
        assert "env --block-signal=INT python" in prefix, prefix
    args = ["python", *SOLVE, "--settings", json.dumps(LONG)]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
    }

    def bash(out: Path) -> list[str]:
        return [
            "bash",
            "-c",
            f"set -euo pipefail; {prefix} {shlex.join([*args, '--out', str(out)])}",
        ]

    # (1) at once: either outcome the race allows
    out = tmp_path / "x.parquet"
    proc = subprocess.Popen(
        bash(out), stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "Error" not in err, err
    assert (proc.returncode, err.splitlines()) in ((130, [INTERRUPTED]), (-signal.SIGINT, [])), (
        proc.returncode,
        err,
    )
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))

    for state, what in (
        (
            # the job's process (env, then Python), not the shell waiting for it
            lambda pid: _comm(pid) != "bash" and _status(pid, "SigBlk") & SIGINT_BIT,
            "SIGINT blocked in the job",
        ),
        (lambda pid: "/numpy/" in _maps(pid), "NumPy loaded"),
    ):
        _interrupt(bash, env, state, what, tmp_path, shell=True)
