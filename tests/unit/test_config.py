"""Bad configuration, in process: every case of ``support.bad_configs`` (config/config.yaml,
``--config``, ``--configfile``) gets its message, first, with the fragments it must
contain; and gdlab.config's own functions.

:func:`at_parse_time` does what a ``snakemake`` run does with a configuration before
any job exists, with Snakemake's own functions (imported, not run): it parses
``--config`` and loads each ``--configfile`` (``snakemake.cli.parse_config``,
``ConfigSettings``), runs ``workflow/rules/preflight.smk``'s check of
config/config.yaml, merges as the Snakefile's ``configfile:`` does
(``snakemake.utils.update_config``) and runs ``workflow/rules/common.smk``'s checks.
``tests/workflow/test_bad_input.py`` runs the real Snakemake on one case per path.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from snakemake.cli import parse_config
from snakemake.common.configfile import load_configfile
from snakemake.exceptions import WorkflowError
from snakemake.settings.types import ConfigSettings
from snakemake.utils import update_config

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import grid, plan, problems
from support.bad_configs import (
    CASES,
    CLI_PAYLOADS,
    HEADER,
    OVERLAY,
    OVERLAY_CASES,
    PAYLOADS,
    SCHEMA_PATH,
    TEST_YAML,
    base,
    payload_name,
    several_mistakes,
    with_payloads,
)

SCHEMA = gdconfig.load_schema(SCHEMA_PATH)


def split_args(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """The ``--config`` entries and ``--configfile`` paths of Snakemake arguments."""
    entries: list[str] = []
    files: list[str] = []
    into = None
    for arg in args:
        if arg == "--config":
            into = entries
        elif arg == "--configfile":
            into = files
        elif into is None or arg.startswith("-"):
            raise ValueError(f"at_parse_time reads only --config and --configfile: {arg!r}")
        else:
            into.append(arg)
    return entries, files


def at_parse_time(workdir: Path, args: Sequence[str] = ()) -> str | None:
    """What ``snakemake *args`` in ``workdir`` prints before any job, or None when the
    configuration is valid (in process; see the module docstring)."""
    entries, files = split_args(args)
    with contextlib.chdir(workdir):
        # the command line, as snakemake.cli hands it to the workflow
        settings = ConfigSettings(config=parse_config(entries), configfiles=list(map(Path, files)))
        # preflight.smk: config/config.yaml's text, before Snakemake reads it
        default = gdconfig.default_configfile(REPO)
        syntax = gdconfig.check_files([default])
        if syntax:
            return gdconfig.format_messages(syntax)
        # Workflow(): the command line's config; then the Snakefile's `configfile:`
        config = copy.deepcopy(settings.overwrite_config)
        configfiles = list(settings.configfiles)
        assert os.path.exists(default)
        configfiles.append(default)
        update_config(config, load_configfile(default))
        if settings.overwrite_config:
            update_config(config, settings.overwrite_config)
        # common.smk
        cli = dict(settings.config)
        found = (
            problems.problems_missing()
            or gdconfig.check_files(configfiles)
            or gdconfig.messages(config, gdconfig.load_schema(SCHEMA_PATH), cli)
        )
        if not found:
            return None
        return gdconfig.format_messages(
            found, gdconfig.sources(configfiles, settings.configfiles, cli)
        )


def workdir_with(tmp_path: Path, text: str, **files: str) -> Path:
    """A working directory whose config/config.yaml is ``text``, plus ``files``
    (relative path -> text)."""
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config/config.yaml").write_text(text)
    for rel, content in files.items():
        (tmp_path / rel).write_text(content)
    return tmp_path


def assert_refused(out: str | None, fragments) -> None:
    assert out is not None, "accepted"
    assert out.splitlines()[0].startswith(HEADER), out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


# ---- every case of the table, through what the workflow does at parse time
def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20
    ids = [c[0] for c in CASES] + [c[0] for c in OVERLAY_CASES]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("text", "args", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_config_is_refused_with_its_message(tmp_path, text, args, fragments):
    """Every case, also those given with --config: its message, first."""
    assert_refused(at_parse_time(workdir_with(tmp_path, text), args), fragments)


@pytest.mark.parametrize(
    ("overlay", "fragments"),
    [c[1:] for c in OVERLAY_CASES],
    ids=[c[0] for c in OVERLAY_CASES],
)
def test_bad_overlay_configfile_is_named(tmp_path, overlay, fragments):
    wd = workdir_with(tmp_path, TEST_YAML, **{OVERLAY: overlay})
    assert_refused(at_parse_time(wd, ["--configfile", OVERLAY]), fragments)


def test_a_malformed_overlay_is_snakemakes_to_report(tmp_path):
    """Snakemake reads --configfile itself, before the Snakefile: its own error."""
    wd = workdir_with(tmp_path, TEST_YAML, **{"config/broken.yaml": "problems: {quadratic: [\n"})
    with pytest.raises(WorkflowError, match="Config file is not valid JSON or YAML"):
        at_parse_time(wd, ["--configfile", "config/broken.yaml"])


def test_the_source_line_names_the_command_line(tmp_path):
    """The example of docs/bad-input.md, line for line."""
    out = at_parse_time(workdir_with(tmp_path, TEST_YAML), ["--config", "seeds_per_job=0"])
    assert out.splitlines()[:3] == [
        "Error: invalid configuration: nothing was run and results/ was not touched.",
        "Configuration read from: config/config.yaml, then --config seeds_per_job=0",
        "  - seeds_per_job: 0 is out of range (must be >= 1); allowed: seeds computed by one "
        "solver job (one Parquet file), an integer from 1 to 100000",
    ]


def test_every_problem_is_listed_at_once(tmp_path):
    """Several mistakes: all of them, in the order of the keys."""
    text, keys = several_mistakes()
    out = at_parse_time(workdir_with(tmp_path, text))
    assert_refused(out, [])
    bullets = [line for line in out.splitlines() if line.startswith("  - ")]
    assert [b.split(":")[0].strip("- ") for b in bullets] == keys


def test_the_shipped_configs_are_valid(tmp_path):
    for name in ("config.yaml", "test.yaml"):
        cfg = yaml.safe_load((REPO / "config" / name).read_text())
        assert gdconfig.messages(cfg, SCHEMA) == [], name
        assert gdconfig.check_files([REPO / "config" / name]) == []
        assert at_parse_time(workdir_with(tmp_path, (REPO / "config" / name).read_text())) is None
    # and the test study's command line (config/config.yaml, then config/test.yaml)
    wd = workdir_with(tmp_path, (REPO / "config/config.yaml").read_text())
    (wd / "config/test.yaml").write_text(TEST_YAML)
    assert at_parse_time(wd, ["--configfile", "config/test.yaml"]) is None


# ---- injection: shell metacharacters and ../ in the configuration are refused by the
# validation, before any job (tests/workflow/test_bad_files.py runs all of them at once
# through the real Snakemake, and shows that nothing is written)
@pytest.mark.parametrize(
    ("where", "payload"), [p[1:] for p in PAYLOADS], ids=[p[0] for p in PAYLOADS]
)
def test_injection_through_the_config_file_is_refused(tmp_path, where, payload):
    out = at_parse_time(workdir_with(tmp_path, with_payloads([("", where, payload)])))
    assert_refused(out, [repr(payload_name(where, payload))])


@pytest.mark.parametrize(("entry", "fragment"), CLI_PAYLOADS, ids=[p[0] for p in CLI_PAYLOADS])
def test_injection_through_config_values_is_refused(tmp_path, entry, fragment):
    out = at_parse_time(workdir_with(tmp_path, TEST_YAML), ["--config", entry])
    assert_refused(out, [fragment])


def test_every_injection_is_named_at_once(tmp_path):
    """What tests/workflow/test_bad_files.py gives the real Snakemake: all payloads in
    one configuration (or one command line), each named."""
    out = at_parse_time(workdir_with(tmp_path, with_payloads(PAYLOADS)))
    assert_refused(out, [repr(payload_name(where, p)) for _label, where, p in PAYLOADS])
    entries = [entry for entry, _fragment in CLI_PAYLOADS]
    out = at_parse_time(workdir_with(tmp_path, TEST_YAML), ["--config", *entries])
    assert_refused(out, [fragment for _entry, fragment in CLI_PAYLOADS])


def test_a_config_key_that_is_not_an_identifier_is_refused_by_snakemake():
    with pytest.raises(ValueError, match="Config entry must start with a valid identifier"):
        parse_config(["../PWNED=1"])


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


# ---- gdlab.config's functions
def test_count_jobs_matches_the_job_list_without_building_it():
    cfg = base()
    assert gdconfig.count_jobs(cfg) == sum(len(grid.jobs(cfg, p)) for p in plan.configured(cfg))
    cfg["problems"]["quadratic"]["seeds"] = 100000
    cfg["seeds_per_job"] = 1
    assert gdconfig.problem_jobs(cfg, "quadratic") == 4 * 100000


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (float("nan"), "nan is not a finite number"),
        (10**400, "too large to be a floating-point number"),
        (True, "true (a boolean) is not a number"),
        (None, "empty (null) is not a number"),
        ([0.5], "is not a number"),
        ("1.0e-5", "(remove the quotes)"),
        (1.0e-320, None),  # subnormal but positive and finite: allowed
        (1.0e300, None),
    ],
)
def test_alpha_values(value, fragment):
    cfg = base()
    cfg["problems"]["quadratic"]["alphas"] = [0.5, value]
    found = gdconfig.messages(cfg, SCHEMA)
    if fragment is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith("problems.quadratic.alphas[1]: ")
        assert fragment in found[0], found


def test_not_a_mapping_at_all():
    assert gdconfig.messages(["a"], SCHEMA) == [
        "(top level): the configuration is a list ['a'], not a mapping of keys"
    ]


def test_json_config_files_are_checked_too(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"seeds_per_job": 2, "seeds_per_job": 3}')
    assert gdconfig.check_files([path]) == [
        f"{path}: key 'seeds_per_job' is written twice in one mapping; JSON would silently "
        "keep only the last one"
    ]
    path.write_text('{"root_seed": NaN}')
    assert gdconfig.check_files([path]) == []  # parses; NaN is caught by messages()
    cfg = base()
    cfg["root_seed"] = math.nan
    assert "root_seed: nan is not a finite number" in gdconfig.messages(cfg, SCHEMA)[0]


def test_a_missing_file_is_left_to_snakemake(tmp_path):
    assert gdconfig.check_files([tmp_path / "absent.yaml"]) == []


def test_fail_prints_the_message_alone(capsys):
    with pytest.raises(SystemExit) as exc:
        gdconfig.fail(["seeds_per_job: 0 is out of range"], ["config/config.yaml"])
    assert exc.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Error: invalid configuration")
    assert err[1] == "Configuration read from: config/config.yaml"
    assert err[2] == "  - seeds_per_job: 0 is out of range"


def test_validate_raises_config_error():
    cfg = base()
    cfg["seeds_per_job"] = 0
    with pytest.raises(gdconfig.ConfigError) as exc:
        gdconfig.validate(cfg, SCHEMA_PATH)
    assert exc.value.messages == [
        "seeds_per_job: 0 is out of range (must be >= 1); allowed: seeds computed by one solver "
        "job (one Parquet file), an integer from 1 to 100000"
    ]


def test_every_fault_is_named_in_one_go_schema_and_beyond():
    """A fault the schema cannot express (an empty bracket, a window with min > max)
    is named beside the schema's own, not only once those are fixed; a key the schema
    refused is not checked again (its value may be of any type)."""
    cfg = base()
    cfg["problems"]["quadratic"]["seeds"] = -1  # the schema's
    cfg["problems"]["lsq_gd"]["threshold"] = {"bracket": [1.6, 0.5]}  # beyond it
    cfg["problems"]["sharp_wide"]["window"] = {"min": 0.2, "max": 0.1, "count": 3}
    cfg["problems"]["conv_huber"]["threshold"] = {"bracket": "wide"}  # the schema's
    found = gdconfig.messages(cfg, SCHEMA)
    keys = [m.split(":")[0] for m in found]
    assert keys == [
        "problems.conv_huber.threshold.bracket",
        "problems.quadratic.seeds",
        "problems.lsq_gd.threshold.bracket",
        "problems.sharp_wide.window",
    ], found
    assert "is empty" in found[2] and "min 0.2 > max 0.1" in found[3]


def test_a_results_that_is_not_a_folder_is_named(tmp_path):
    assert gdconfig.workplace_messages(tmp_path) == []
    (tmp_path / "results").mkdir()
    (tmp_path / "results/runs").write_text("x")
    assert gdconfig.workplace_messages(tmp_path) == [
        "results/runs: is a file, not a folder; gdlab writes every result under results/runs/: "
        "move or delete that file"
    ]


# study config -> (its problem, runs, blocks of one grid point, solver jobs:
# points_per_job of those blocks a job)
SHIPPED_STUDIES = {
    "large.yaml": ("sharp_wide", 253 * 4000, 253, 16),
    "sharp_wide_1e7.yaml": ("sharp_wide", 101 * 100_000, 101, 8),
    # two k = 22 setups in 8 blocks each (8 jobs of both), δ = 0 at k = 14, and 200
    # grid setups of k = 10 (8 jobs of 25)
    "fractal.yaml": ("fractal", 2 * (2**22 + 1) + 2**14 + 1 + 200 * (2**10 + 1), 217, 17),
}


@pytest.mark.parametrize("name", list(SHIPPED_STUDIES))
def test_a_shipped_study_is_valid_and_as_large_as_it_says(name):
    """The study configs, merged over config/config.yaml as `--configfile` merges them:
    valid (the memory model included), one problem alone, and of the size their
    comments and docs state."""
    problem, *size = SHIPPED_STUDIES[name]
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    update_config(cfg, yaml.safe_load((REPO / "config" / name).read_text()))
    gdconfig.validate(cfg, SCHEMA_PATH)
    assert plan.configured(cfg) == [problem]
    jobs = list(grid.jobs(cfg, problem))
    runs = sum(job.last - job.first + 1 for job in jobs)
    assert [runs, len(jobs), gdconfig.count_jobs(cfg)] == size
