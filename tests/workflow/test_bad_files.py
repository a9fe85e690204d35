"""Bad or stale files under results/, interrupted runs and injection attempts, through
the real workflow: a clear message naming the file and how to recover, nothing
lost, nothing outside results/ touched.

One tiny study (quadratic only, 4 solver jobs) is run once; each test works on its
own copy of it (``.snakemake/`` metadata and mtimes included).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, copy_workflow, snakemake
from gdlab import schema, solve

pytestmark = pytest.mark.workflow

QUADRATIC = {
    "alphas": [0.5, 2.5],
    "seeds": 2,
    "seeds_per_job": 1,
    "max_steps": 3000,
    "tolerance": 1.0e-8,
    "divergence_factor": 1.0e6,
}
RUN = "results/runs/quadratic/alpha_0.5/seeds_0-0.parquet"
OTHER_RUNS = [
    "results/runs/quadratic/alpha_0.5/seeds_1-1.parquet",
    "results/runs/quadratic/alpha_2.5/seeds_0-0.parquet",
    "results/runs/quadratic/alpha_2.5/seeds_1-1.parquet",
]
TABLE = "results/tables/quadratic.csv"


def write_config(workdir: Path, **quadratic) -> None:
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    cfg["problems"] = {"quadratic": {**QUADRATIC, **quadratic}}
    (workdir / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory) -> Path:
    wd = copy_workflow(tmp_path_factory.mktemp("tiny") / "gdlab")
    write_config(wd)
    snakemake(wd, "--cores", "2")
    return wd


@pytest.fixture
def study(tiny_study, tmp_path) -> Path:
    """A private copy of the tiny study (metadata and mtimes kept)."""
    return Path(shutil.copytree(tiny_study, tmp_path / "gdlab", symlinks=True))


def settings(**overrides) -> dict:
    s = {k: v for k, v in QUADRATIC.items() if k not in ("alphas", "seeds", "seeds_per_job")}
    return {**s, "root_seed": 20240309, **overrides}


def quadratic_file(setting="alpha_0.5", first=0, last=0, **overrides) -> pa.Table:
    return solve.solve("quadratic", setting, first, last, settings(**overrides))


def with_metadata(table: pa.Table, **changes) -> pa.Table:
    doc = json.loads(table.schema.metadata[schema.METADATA_KEY])
    doc.update(changes)
    return table.replace_schema_metadata({schema.METADATA_KEY: json.dumps(doc).encode()})


def corrupt(kind: str, path: Path, study: Path) -> None:
    good = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"this is not a Parquet file\n" * 20)
    elif kind == "foreign_parquet":
        pq.write_table(pa.table({"x": [1.0, 2.0]}), path)
    elif kind == "older_schema_version":
        pq.write_table(with_metadata(quadratic_file(), schema_version=0), path)
    elif kind == "metadata_not_json":
        t = quadratic_file()
        pq.write_table(t.replace_schema_metadata({schema.METADATA_KEY: b"{not json"}), path)
    elif kind == "other_problem":
        lsq = solve.solve(
            "lsq_gd",
            "c_0.5",
            0,
            0,
            {
                "shape": [30, 6],
                "max_steps": 100,
                "tolerance": 1e-10,
                "divergence_factor": 1e12,
                "root_seed": 1,
            },
        )
        pq.write_table(lsq, path)
    elif kind == "moved_from_another_grid_point":
        shutil.copyfile(study / "results/runs/quadratic/alpha_2.5/seeds_0-0.parquet", path)
    elif kind == "older_settings":
        schema.write(quadratic_file(max_steps=100), path)
    elif kind == "bit_flipped_in_a_value":  # read unchecked, other losses: refused here
        meta = pq.ParquetFile(path).metadata
        chunk = meta.row_group(0).column(meta.schema.names.index("loss"))
        start = chunk.dictionary_page_offset or chunk.data_page_offset
        loss = pq.read_table(path)["loss"]
        for i in range(start + chunk.total_compressed_size - 1, start, -1):
            damaged = bytearray(good)
            damaged[i] ^= 0x10
            path.write_bytes(bytes(damaged))
            try:
                if not pq.read_table(path)["loss"].equals(loss):
                    break
            except Exception:  # pyarrow noticed this one itself
                continue
        else:
            pytest.fail("no flipped bit of the loss column's pages changes a value")
    else:  # pragma: no cover
        raise ValueError(kind)


KINDS = {
    "truncated": "not a readable Parquet file",
    "empty": "not a readable Parquet file",
    "garbage": "not a readable Parquet file",
    "foreign_parquet": "not a gdlab results file",
    "older_schema_version": "written with results schema version 0, this gdlab reads version "
    f"{schema.SCHEMA_VERSION}",
    "metadata_not_json": "metadata is not JSON",
    "other_problem": "holds problem 'lsq_gd', expected 'quadratic'",
    "moved_from_another_grid_point": "holds setting 'alpha_2.5', expected 'alpha_0.5'",
    "older_settings": "computed with other settings than the current configuration "
    "(max_steps = 100 instead of 3000)",
    "bit_flipped_in_a_value": "not a readable Parquet file",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_bad_run_file_stops_the_table_naming_it(study, kind):
    others = {p: (study / p).read_bytes() for p in OTHER_RUNS}
    corrupt(kind, study / RUN, study)
    proc = snakemake(study, "--cores", "1", "--keep-going", check=False)
    out = proc.stdout
    assert proc.returncode != 0, out
    # every rule that reads the file (the table, the figures) stops with one line
    lines = {x for x in out.splitlines() if x.startswith("ERROR in rule ")}
    assert any(x.startswith(f"ERROR in rule table: {RUN}") for x in lines), out
    # the job was started with SIGINT blocked (gdlab.interrupt): Snakemake prints its command
    assert re.search(
        r"pipefail; python\(\) \{ env --block-signal=INT python \"\$@\"; \}; +python -m gdlab\.jobs\.table ",
        out,
    ), out
    recovery = (
        f"delete {RUN} and rerun snakemake"
        if kind != "older_settings"
        else "delete results/runs/quadratic/ and rerun snakemake"
    )
    for line in lines:
        # rules not given the current settings (figures) see files that disagree
        what = (
            KINDS[kind]
            if "rule table:" in line or kind != "older_settings"
            else ("left from an older configuration")
        )
        assert RUN in line and what in line and recovery in line, line
    assert "Traceback" not in out, out
    # the failed table is removed, not left stale; no other result is touched
    assert not (study / TABLE).exists()
    assert {p: (study / p).read_bytes() for p in OTHER_RUNS} == others


def test_recovery_is_delete_and_rerun(study, tiny_study):
    corrupt("truncated", study / RUN, study)
    assert snakemake(study, "--cores", "1", check=False).returncode != 0
    (study / RUN).unlink()
    out = snakemake(study, "--cores", "1").stdout
    assert (study / RUN).exists(), out
    assert json.loads((study / "results/checks/convergence.json").read_text())["passed"]
    assert (study / RUN).read_bytes() == (tiny_study / RUN).read_bytes()
    assert (study / TABLE).read_text() == (tiny_study / TABLE).read_text()


@pytest.mark.parametrize(
    "path", [RUN, "results/summaries/quadratic.parquet", "results/thresholds/quadratic.csv"]
)
def test_a_deleted_intermediate_file_is_recomputed(study, tiny_study, path):
    """Whichever job a damaged file failed first (the order of ready jobs varies), the
    others' outputs are left up to date: the deleted file must still be a target."""
    (study / path).unlink()
    out = snakemake(study, "--cores", "1").stdout
    assert (study / path).read_bytes() == (tiny_study / path).read_bytes(), out
    assert (study / TABLE).read_text() == (tiny_study / TABLE).read_text()


def test_corrupt_file_older_than_the_table(study):
    """A file damaged without a newer mtime (restored from a backup, bit rot): Snakemake
    sees nothing to do and the table it built earlier stays right; forcing the table
    shows the damage."""
    stat = (study / RUN).stat()
    corrupt("garbage", study / RUN, study)
    os.utime(study / RUN, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "Nothing to be done" in snakemake(study, "--cores", "1").stdout
    proc = snakemake(study, "--cores", "1", "--forcerun", "table", check=False)
    assert proc.returncode != 0
    assert f"ERROR in rule table: {RUN}: not a readable Parquet file" in proc.stdout


def test_tables_hold_only_the_current_grid(study):
    """Files of an old grid (and junk) stay in results/runs/ but are never read: the
    table lists exactly the current grid points."""
    junk = study / "results/runs/quadratic/alpha_9.0/seeds_0-0.parquet"
    junk.parent.mkdir(parents=True)
    junk.write_bytes(b"junk from an old experiment")
    stale = {p: (study / p).read_bytes() for p in OTHER_RUNS if "alpha_2.5" in p}
    write_config(study, alphas=[0.5, 1.5])
    snakemake(study, "--cores", "2")
    table = (study / TABLE).read_text().splitlines()
    assert [row.split(",")[0] for row in table[1:]] == ["alpha_0.5", "alpha_1.5"]
    assert {p: (study / p).read_bytes() for p in stale} == stale  # nothing lost
    assert junk.read_bytes() == b"junk from an old experiment"


def test_stale_settings_without_snakemake_metadata(study):
    """With .snakemake/ deleted Snakemake cannot see that max_steps changed (it says
    so: "missing provenance/metadata"); forcing the table then refuses the old files."""
    shutil.rmtree(study / ".snakemake")
    write_config(study, max_steps=2000)
    out = snakemake(study, "--cores", "1", "-n").stdout
    assert "Nothing to be done" in out and "missing provenance/metadata" in out
    proc = snakemake(study, "--cores", "1", "--forcerun", "table", check=False)
    assert proc.returncode != 0
    assert "computed with other settings than the current configuration" in proc.stdout
    assert "max_steps = 3000 instead of 2000" in proc.stdout
    assert "delete results/runs/quadratic/ and rerun snakemake" in proc.stdout


def solver_cpu_seconds(marker: str) -> float:
    """Most CPU time used by a running `python -m gdlab.solve` whose command line has ``marker``."""
    best = 0.0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"gdlab.solve" in cmd and any(marker.encode() in c for c in cmd):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                best = max(best, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
        except (OSError, IndexError, ValueError):
            continue
    return best


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_interrupted_run_leaves_a_clean_state(study, tiny_study):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while solver
    jobs run: one line per interrupted job, no partial file, and the next run
    computes exactly what is missing."""
    write_config(
        study, alphas=[0.5, 2.5, 1.0e-300], max_steps=10_000_000
    )  # the schema's largest budget
    shutil.rmtree(study / "results/runs/quadratic/alpha_0.5")
    slow = [study / f"results/logs/solve/quadratic/alpha_1e-300/seeds_{s}-{s}.log" for s in (0, 1)]
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=study,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    # interrupt once a slow job is iterating (1 s of CPU: past Python's start-up)
    while solver_cpu_seconds("alpha_1e-300") < 1.0 and proc.poll() is None:
        assert time.monotonic() < deadline, "the slow solver jobs never started"
        time.sleep(0.1)
    assert proc.poll() is None, (
        "the run ended before it could be interrupted: " + proc.stdout.read()
    )
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode != 0, out
    started = [log for log in slow if log.exists()]
    assert started
    for log in started:
        text = log.read_text()
        assert "gdlab.solve: interrupted;" in text and "Traceback" not in text, text
    runs = sorted((study / "results/runs").rglob("*.parquet"))
    for path in runs:  # every file there is complete and ours
        schema.read(path, "quadratic")
    assert not list((study / "results").rglob("*.tmp"))
    assert not (study / "results/runs/quadratic/alpha_1e-300/seeds_0-0.parquet").exists()
    plan = snakemake(study, "-n", "--cores", "2", "--quiet", "host").stdout  # the job blocks
    assert "results/runs/quadratic/alpha_1e-300/seeds_0-0.parquet" in plan, plan
    write_config(study)  # the slow grid point is dropped: the study completes as before
    snakemake(study, "--cores", "2")
    for p in (RUN, *OTHER_RUNS):
        assert (study / p).read_bytes() == (tiny_study / p).read_bytes(), p


# ---- injection
PAYLOADS = [
    ("problem name with shell metacharacters", "problems", {"quadratic; touch PWNED": {}}),
    ("problem name with command substitution", "problems", {"$(touch PWNED)": {}}),
    ("problem name with path traversal", "problems", {"../../PWNED": {"alphas": [0.5]}}),
    ("problem name absolute path", "problems", {"/tmp/PWNED": {}}),
    ("alpha with shell metacharacters", "alphas", ["0.5; touch PWNED", "`touch PWNED`"]),
    ("alpha with path traversal", "alphas", ["../../../PWNED"]),
]


# Python's bytecode cache would be the only other write (src/gdlab/__pycache__).
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}


def snapshot(root: Path, skip: Path) -> dict:
    """Every file (size, mtime) and directory under ``root``, except ``skip`` (Snakemake's
    .snakemake/, whose creation is the only change to the workdir's own entry)."""
    out = {}
    for p in root.rglob("*"):
        if skip in p.parents or p == skip:
            continue
        st = p.lstat()
        out[str(p.relative_to(root))] = "dir" if p.is_dir() else (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def sandbox(tmp_path):
    wd = copy_workflow(tmp_path / "gdlab")
    return tmp_path, wd


def test_injection_through_the_config_file_is_rejected(sandbox):
    root, wd = sandbox
    before = snapshot(root, wd / ".snakemake")
    for _label, where, payload in PAYLOADS:
        cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
        if where == "problems":
            cfg["problems"].update(payload)
        else:
            cfg["problems"]["quadratic"]["alphas"] = payload
        text = yaml.safe_dump(cfg, sort_keys=False)
        (wd / "config/config.yaml").write_text(text)
        proc = snakemake(wd, "--cores", "1", check=False, env=NO_BYTECODE)
        assert proc.returncode != 0, proc.stdout
        assert "Error: invalid configuration" in proc.stdout
        name = next(iter(payload)) if where == "problems" else payload[0]
        assert repr(name) in proc.stdout, proc.stdout
        assert not (wd / "results").exists()
        (wd / "config/config.yaml").write_text((REPO / "config/config.yaml").read_text())
    after = snapshot(root, wd / ".snakemake")
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed <= {"gdlab/config", "gdlab/config/config.yaml"}, changed
    assert not list(root.rglob("*PWNED*")) and not Path("/tmp/PWNED").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--config", "problems={quadratic; touch PWNED: {}}"], "unknown key"),
        (["--config", 'problems={"../../PWNED": {alphas: [0.5]}}'], "'../../PWNED'"),
        (["--config", "root_seed=$(touch PWNED)"], "'$(touch PWNED)' (a string)"),
        (["--config", "seeds_per_job=1; touch PWNED"], "'1; touch PWNED' (a string)"),
        # Snakemake itself refuses keys that are not identifiers
        (["--config", "../PWNED=1"], "Config entry must start with a valid identifier"),
        # targets: the wildcard constraints only match what the grid can name
        (["results/runs/quadratic/alpha_0.5;touch PWNED/seeds_0-0.parquet"], "No rule to produce"),
        (["results/runs/../../PWNED/alpha_0.5/seeds_0-0.parquet"], "No rule to produce"),
        (["results/runs/quadratic/alpha=$(touch PWNED)/seeds_0-0.parquet"], "No rule to produce"),
    ],
)
def test_injection_through_the_command_line_is_rejected(sandbox, args, fragment):
    root, wd = sandbox
    (wd / "config/config.yaml").write_text((REPO / "config/test.yaml").read_text())
    before = snapshot(root, wd / ".snakemake")
    proc = snakemake(wd, "--cores", "1", *args, check=False, env=NO_BYTECODE)
    assert proc.returncode != 0, proc.stdout
    assert fragment in proc.stdout, proc.stdout
    assert not (wd / "results").exists()
    assert snapshot(root, wd / ".snakemake") == before
    assert not list(root.rglob("*PWNED*")) and not Path("/tmp/PWNED").exists()


def test_every_shell_command_quotes_its_values():
    """Every placeholder of every shell: command (wildcards, params, paths) is quoted
    with `:q`; only Snakemake's own integers (threads, resources) are not."""
    commands = []
    for smk in sorted((REPO / "workflow/rules").glob("*.smk")):
        # at any depth: the rules generated in loops over the registry are indented more
        for _indent, block in re.findall(r"\n( +)shell:\n((?:\1    .*\n)+)", smk.read_text()):
            commands.append((smk.name, block))
    # the solver, the table, and the generated figure, check and table-page rules
    assert {"solve.smk", "aggregate.smk", "plots.smk", "report.smk"} <= {n for n, _ in commands}
    for name, block in commands:
        for field in re.findall(r"(?<!\{)\{([^{}]+)\}(?!\})", block):
            assert field.endswith(":q") or field == "threads" or field.startswith("resources."), (
                f"{name}: {{{field}}} reaches the shell unquoted"
            )
