"""Bad configuration through the real Snakemake: a mistake is rejected before any job
runs, by a message that comes first and names the key, the bad value and what is
allowed, with a non-zero exit, no traceback and no results/ directory.

The words of every case of ``support.bad_configs`` (config/config.yaml, ``--config``,
``--configfile``) are checked in process by ``tests/unit/test_config.py``, which does
with Snakemake's own functions what a run does at parse time.  Here one real run per
path a mistake takes to the user proves the wiring:

* ``malformed_yaml``: a YAML syntax error in config/config.yaml, caught by
  ``workflow/rules/preflight.smk`` before Snakemake reads the file (its line and
  column; no "Configuration read from" line);
* :func:`test_every_problem_is_listed_at_once`: schema errors in config/config.yaml,
  found by ``gdconfig.messages`` in ``workflow/rules/common.smk``, several listed at
  once in the order of the keys;
* ``lsq_gd_N_less_than_p``: a problem section error that only the problem's own rule
  can find (its ``SPEC.validate``, layer 3, run only once the schema passes);
* ``cli_nested_values_are_strings``: a ``--config`` value, parsed by Snakemake,
  merged over the file and checked with the command line's settings
  (``workflow.config_settings.config``: the hint on nested strings);
* :func:`test_bad_overlay_configfile_is_named`: a ``--configfile`` overlay, once a
  bad value (the merged configuration; the message names the overlay as a source)
  and once a mistake of its text (``check_files(workflow.configfiles)`` in
  common.smk);
* :func:`test_malformed_overlay_is_reported_by_snakemake`: a malformed
  ``--configfile``, which Snakemake reads itself before the Snakefile runs.

A problem folder that lacks a piece (``problems.problems_missing()``, the first check
of common.smk) is tested in ``tests/workflow/test_new_problem.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import copy_workflow, snakemake
from support.bad_configs import (
    CASE,
    HEADER,
    OVERLAY,
    OVERLAY_CASES,
    SNAKEMAKE_PREAMBLE,
    TEST_YAML,
    several_mistakes,
)

# one case of the table per path (see the module docstring)
REPRESENTATIVES = ["malformed_yaml", "lsq_gd_N_less_than_p", "cli_nested_values_are_strings"]


@pytest.fixture(scope="module")
def bad_workdir(tmp_path_factory) -> Path:
    return copy_workflow(tmp_path_factory.mktemp("bad") / "gdlab")


def message_lines(output: str) -> list[str]:
    return [
        line
        for line in output.splitlines()
        if line.strip() and not line.startswith(SNAKEMAKE_PREAMBLE)
    ]


def assert_rejected(proc, workdir: Path, fragments, ours: bool = True) -> None:
    out = proc.stdout
    assert proc.returncode != 0, out
    assert not (workdir / "results").exists(), f"results/ was created:\n{out}"
    assert "Traceback" not in out, out
    if ours:
        first = message_lines(out)[0]
        assert first.startswith(HEADER), out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


@pytest.mark.parametrize("case", REPRESENTATIVES)
def test_bad_config_is_rejected_before_any_job(bad_workdir, case):
    _id, text, args, fragments = CASE[case]
    (bad_workdir / "config/config.yaml").write_text(text)
    shutil.rmtree(bad_workdir / "results", ignore_errors=True)
    proc = snakemake(bad_workdir, "--cores", "1", *args, check=False)
    assert_rejected(proc, bad_workdir, fragments)
    sources = [x for x in message_lines(proc.stdout) if x.startswith("Configuration read from:")]
    if case == "malformed_yaml":  # preflight.smk: before any configuration is read
        assert sources == [], proc.stdout
    else:
        assert sources[0].startswith(
            "Configuration read from: config/config.yaml" + (", then --config " if args else "")
        ), proc.stdout


def test_every_problem_is_listed_at_once(bad_workdir):
    """Several mistakes: one run reports all of them, in the order of the keys."""
    text, keys = several_mistakes()
    (bad_workdir / "config/config.yaml").write_text(text)
    proc = snakemake(bad_workdir, "--cores", "1", check=False)
    assert_rejected(proc, bad_workdir, ["Configuration read from: config/config.yaml\n"])
    bullets = [line for line in message_lines(proc.stdout) if line.startswith("  - ")]
    assert [b.split(":")[0].strip("- ") for b in bullets] == keys


@pytest.mark.parametrize(
    ("overlay", "fragments"),
    [c[1:] for c in OVERLAY_CASES],
    ids=[c[0] for c in OVERLAY_CASES],
)
def test_bad_overlay_configfile_is_named(bad_workdir, overlay, fragments):
    """A mistake in a --configfile overlay: the message says where the config came from."""
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    (bad_workdir / OVERLAY).write_text(overlay)
    proc = snakemake(bad_workdir, "--cores", "1", "--configfile", OVERLAY, check=False)
    assert_rejected(proc, bad_workdir, fragments)


def test_malformed_overlay_is_reported_by_snakemake(bad_workdir):
    """Snakemake reads --configfile before the Snakefile runs: its own message (no line
    number, see docs/bad-input.md), a non-zero exit and nothing written."""
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    (bad_workdir / "config/broken.yaml").write_text("problems: {quadratic: [\n")
    proc = snakemake(bad_workdir, "--cores", "1", "--configfile", "config/broken.yaml", check=False)
    assert_rejected(proc, bad_workdir, ["Config file is not valid JSON or YAML"], ours=False)


def test_the_shipped_config_is_accepted(bad_workdir):
    """No false alarm: the workflow plans the test study's jobs (a dry run)."""
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    out = snakemake(bad_workdir, "--cores", "1", "-n").stdout
    assert "Error" not in out and "solve" in out
