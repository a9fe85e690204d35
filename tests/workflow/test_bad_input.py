"""Bad configuration: every mistake is rejected before any job runs, by a message
that comes first and names the key, the bad value and what is allowed, with a
non-zero exit, no traceback and no results/ directory.

The cases run the real Snakemake on a copy of the workflow whose
config/config.yaml (or --config / --configfile) holds one mistake each; the unit
tests at the end check gdlab.config directly.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, copy_workflow, snakemake
from gdlab import config as gdconfig
from gdlab import grid, plan, problems

pytestmark = pytest.mark.workflow

TEST_YAML = (REPO / "config/test.yaml").read_text()
SCHEMA = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")
# What Snakemake prints before the Snakefile is parsed (not ours, not an error).
SNAKEMAKE_PREAMBLE = ("Using workflow specific profile", "Config file ")


def base() -> dict:
    return yaml.safe_load(TEST_YAML)


def edited(change) -> str:
    """test.yaml with ``change(config)`` applied, as YAML text."""
    cfg = base()
    change(cfg)
    return yaml.safe_dump(cfg, sort_keys=False)


def text_with(old: str, new: str) -> str:
    """test.yaml with one piece of text replaced (for mistakes only YAML text can make)."""
    assert old in TEST_YAML, old
    return TEST_YAML.replace(old, new, 1)


def setp(path: str, value):
    """A change setting one dotted key (``problems.quadratic.seeds``) to ``value``."""

    def change(cfg):
        *parents, last = path.split(".")
        node = cfg
        for p in parents:
            node = node[p]
        node[last] = value

    return change


def delete(path: str):
    def change(cfg):
        *parents, last = path.split(".")
        node = cfg
        for p in parents:
            node = node[p]
        del node[last]

    return change


QUAD_ALPHAS = "alphas: [0.5, 1.99, 2.0, 2.5]"

# (id, config/config.yaml text, extra snakemake args, fragments the message must contain)
CASES = [
    # ---- step sizes
    (
        "alpha_zero",
        edited(setp("problems.quadratic.alphas", [0.5, 0.0])),
        [],
        ["problems.quadratic.alphas[1]", "0.0", "must be > 0", "a step size alpha > 0"],
    ),
    (
        "alpha_negative",
        edited(setp("problems.conv_huber.alphas", [-0.01])),
        [],
        ["problems.conv_huber.alphas[0]", "-0.01", "must be > 0"],
    ),
    (
        "alpha_nan",
        text_with(QUAD_ALPHAS, "alphas: [0.5, .nan]"),
        [],
        ["problems.quadratic.alphas[1]", "nan is not a finite number"],
    ),
    (
        "alpha_inf",
        text_with(QUAD_ALPHAS, "alphas: [.inf, 0.5]"),
        [],
        ["problems.quadratic.alphas[0]", "inf is not a finite number"],
    ),
    (
        "alpha_minus_inf",
        text_with("alpha_multiples: [0.5, 0.99, 1.5]", "alpha_multiples: [-.inf]"),
        [],
        ["problems.lsq_gd.alpha_multiples[0]", "-inf is not a finite number"],
    ),
    (
        "alpha_quoted_string",
        text_with(QUAD_ALPHAS, "alphas: ['0.5', 1.99]"),
        [],
        ["problems.quadratic.alphas[0]", "'0.5' (a string) is not a number", "remove the quotes"],
    ),
    (
        "alpha_yaml_1e-5_is_a_string",
        text_with(QUAD_ALPHAS, "alphas: [1e-5, 0.5]"),
        [],
        [
            "problems.quadratic.alphas[0]",
            "'1e-5' (a string) is not a number",
            "YAML reads 1e-5 as a string: write 1.0e-5",
        ],
    ),
    (
        "alphas_empty",
        edited(setp("problems.sharp_wide.alphas", [])),
        [],
        ["problems.sharp_wide.alphas", "is an empty list", "a non-empty list"],
    ),
    (
        "alphas_duplicate",
        edited(setp("problems.quadratic.alphas", [0.5, 2.5, 0.5])),
        [],
        ["problems.quadratic.alphas", "0.5 listed more than once", "distinct step sizes"],
    ),
    (
        "alphas_duplicate_after_canonicalisation",
        text_with(QUAD_ALPHAS, "alphas: [0.5, 0.50, 5.0e-1]"),
        [],
        ["problems.quadratic.alphas", "0.5 listed more than once"],
    ),
    (
        "alphas_not_a_list",
        edited(setp("problems.quadratic.alphas", 0.5)),
        [],
        ["problems.quadratic.alphas", "0.5 is not a list"],
    ),
    # ---- seeds
    (
        "seeds_zero",
        edited(setp("problems.quadratic.seeds", 0)),
        [],
        ["problems.quadratic.seeds", "0 is out of range (must be >= 1)", "an integer from 1"],
    ),
    (
        "seeds_negative",
        edited(setp("problems.lsq_gradient.seeds", -3)),
        [],
        ["problems.lsq_gradient.seeds", "-3", "must be >= 1"],
    ),
    (
        "seeds_not_an_integer",
        edited(setp("problems.quadratic.seeds", 2.5)),
        [],
        ["problems.quadratic.seeds", "2.5 is not an integer"],
    ),
    (
        "seeds_written_as_float",
        edited(setp("problems.quadratic.seeds", 4.0)),
        [],
        ["problems.quadratic.seeds", "4.0 is not an integer", "write 4 without a decimal point"],
    ),
    (
        "seeds_boolean",
        text_with("seeds: 4\n", "seeds: yes\n"),
        [],
        ["problems.quadratic.seeds", "true (a boolean) is not an integer"],
    ),
    (
        "seeds_per_job_zero",
        edited(setp("seeds_per_job", 0)),
        [],
        ["seeds_per_job", "0 is out of range (must be >= 1)"],
    ),
    (
        "seeds_per_job_negative_in_a_problem",
        edited(setp("problems.sharp_wide.seeds_per_job", -5)),
        [],
        ["problems.sharp_wide.seeds_per_job", "-5", "must be >= 1"],
    ),
    # ---- names and keys
    (
        "unknown_problem",
        edited(setp("problems.quadratik", {"alphas": [0.5]})),
        [],
        [
            "problems: unknown key 'quadratik' (did you mean 'quadratic'?)",
            # every registered problem
            "allowed keys: " + ", ".join(sorted(problems.names())),
        ],
    ),
    (
        "typo_alpah",
        edited(setp("problems.quadratic.alpah", [0.5])),
        [],
        ["problems.quadratic: unknown key 'alpah' (did you mean 'alphas'?)"],
    ),
    (
        "typo_at_top_level",
        edited(setp("seed_per_job", 3)),
        [],
        ["(top level): unknown key 'seed_per_job' (did you mean 'seeds_per_job'?)"],
    ),
    (
        "missing_key",
        edited(delete("problems.lsq_gd.tolerance")),
        [],
        ["problems.lsq_gd: missing key 'tolerance'", "required:"],
    ),
    (
        "problem_section_empty",
        # `conv_huber:` with its lines deleted (YAML reads the section as null)
        TEST_YAML[: TEST_YAML.index("  conv_huber:\n") + 14]
        + TEST_YAML[TEST_YAML.index("\nchecks:") :],
        [],
        ["problems.conv_huber: is empty (null)", "remove 'conv_huber' to skip it"],
    ),
    (
        "problem_section_not_a_mapping",
        edited(setp("problems.quadratic", [0.5, 1.0])),
        [],
        ["problems.quadratic", "is not a mapping", "a mapping with the keys alphas"],
    ),
    (
        "problems_not_a_mapping",
        edited(setp("problems", "quadratic")),
        [],
        ["problems: 'quadratic' (a string) is not a mapping"],
    ),
    (
        "no_problem_at_all",
        edited(setp("problems", {})),
        [],
        ["problems: is empty"],
    ),
    # ---- budgets and tolerances
    (
        "max_steps_zero",
        edited(setp("problems.quadratic.max_steps", 0)),
        [],
        ["problems.quadratic.max_steps", "0 is out of range (must be >= 1)", "step budget"],
    ),
    (
        "max_steps_absurd",
        edited(setp("problems.quadratic.max_steps", 10**12)),
        [],
        ["problems.quadratic.max_steps", "must be <= 10000000"],
    ),
    (
        "tolerance_zero",
        edited(setp("problems.lsq_gd.tolerance", 0.0)),
        [],
        # the smallest tolerance is 1e-300 (below it iterates turn subnormal), not just > 0
        ["problems.lsq_gd.tolerance", "0.0 is out of range (must be >= 1e-300)"],
    ),
    (
        "tolerance_negative",
        edited(setp("problems.sharp_wide.tolerance", -1.0e-6)),
        [],
        ["problems.sharp_wide.tolerance", "-1e-06", "must be >= 1e-300"],
    ),
    (
        "divergence_factor_not_above_one",
        edited(setp("problems.quadratic.divergence_factor", 1.0)),
        [],
        ["problems.quadratic.divergence_factor", "must be > 1"],
    ),
    (
        "check_tolerance_zero",
        edited(setp("checks.conv_huber.rtol", 0)),
        [],
        ["checks.conv_huber.rtol", "must be > 0"],
    ),
    # ---- shapes and sizes
    (
        "lsq_gd_N_less_than_p",
        edited(setp("problems.lsq_gd.shape", [4, 6])),
        [],
        ["problems.lsq_gd.shape", "[4, 6] has N < p", "XᵀX is singular", "allowed: N >= p"],
    ),
    (
        "lsq_gd_shape_too_large",
        edited(setp("problems.lsq_gd.shape", [10**6, 1000])),
        [],
        ["problems.lsq_gd.shape", "too large", "N·p <= 1,000,000"],
    ),
    (
        "shape_wrong_length",
        edited(setp("problems.lsq_gradient.shapes", [[20, 5], [20]])),
        [],
        ["problems.lsq_gradient.shapes[1]", "has 1 item(s), needs 2"],
    ),
    (
        "conv_huber_n_less_than_r",
        edited(setp("problems.conv_huber.r", 30)),
        [],
        ["problems.conv_huber", "r = 30 > signal length n = 20", "allowed: r <= n"],
    ),
    (
        "conv_huber_n_too_large",
        edited(setp("problems.conv_huber.n", 10**6)),
        [],
        ["problems.conv_huber.n", "must be <= 2000"],
    ),
    (
        "start_interval_empty",
        edited(setp("problems.sharp_wide.start_interval", [20.0, -5.0])),
        [],
        ["problems.sharp_wide.start_interval", "[20.0, -5.0] is empty", "lo < hi"],
    ),
    (
        "start_interval_overflows",
        edited(setp("problems.sharp_wide.start_interval", [-1.0e308, 1.0e308])),
        [],
        ["problems.sharp_wide.start_interval", "hi − lo overflows"],
    ),
    (
        "sweep_min_above_max",
        edited(setp("problems.sharp_wide.sweep", {"min": 10.0, "max": 0.01, "count": 4})),
        [],
        ["problems.sharp_wide.sweep", "min 10.0 > max 0.01"],
    ),
    (
        "sweep_count_zero",
        edited(setp("problems.sharp_wide.sweep.count", 0)),
        [],
        ["problems.sharp_wide.sweep.count", "must be >= 1"],
    ),
    # ---- seeds of the random streams and the reference run
    (
        "root_seed_negative",
        edited(setp("root_seed", -1)),
        [],
        ["root_seed", "-1 is out of range (must be >= 0)"],
    ),
    (
        "root_seed_beyond_64_bits",
        edited(setp("root_seed", 2**64)),
        [],
        ["root_seed", str(2**64), "must be <= 9223372036854775807"],
    ),
    (
        "reference_alpha_not_in_the_grid",
        edited(setp("checks.conv_huber.alpha", 0.02)),
        [],
        ["checks.conv_huber.alpha: 0.02 is not in problems.conv_huber.alphas"],
    ),
    (
        "reference_seed_not_among_the_seeds",
        edited(setp("checks.conv_huber.seed", 2)),
        [],
        ["checks.conv_huber.seed: 2 is not among the seeds 0..1"],
    ),
    (
        "reference_step_beyond_the_budget",
        edited(setp("problems.conv_huber.max_steps", 50)),
        [],
        ["problems.conv_huber.reference_step: 100 > max_steps 50"],
    ),
    # ---- absurd grids
    (
        "absurd_grid",
        edited(setp("problems.quadratic.seeds", 100000)),
        ["--config", "seeds_per_job=1"],
        [
            "the grid would create 400,0",
            "solver jobs, more than max_jobs = 2,000",
            "quadratic: 400,000",
        ],
    ),
    (
        "max_jobs_absurd",
        edited(setp("max_jobs", 10**9)),
        [],
        ["max_jobs", "must be <= 1000000"],
    ),
    # ---- the file itself
    (
        "malformed_yaml",
        text_with(QUAD_ALPHAS, "alphas: [0.5, 1.99"),
        [],
        ["config/config.yaml: not valid YAML at line 16", "expected ',' or ']'"],
    ),
    (
        "bad_indentation",
        text_with("root_seed: 20240309\n", "root_seed: 20240309\n  seeds_per_job: 2\n"),
        [],
        ["config/config.yaml: not valid YAML at line 5", "mapping values are not allowed here"],
    ),
    (
        "tab_indentation",
        text_with("  quadratic:\n    alphas", "  quadratic:\n\talphas"),
        [],
        ["config/config.yaml: not valid YAML at line", "tabs"],
    ),
    (
        "key_written_twice",
        text_with("    seeds: 4\n", "    seeds: 4\n    seeds: 40\n"),
        [],
        ["config/config.yaml: key 'seeds' is written twice", "silently keep only the last one"],
    ),
    (
        "empty_file",
        "",
        [],
        ["config/config.yaml: the file is empty"],
    ),
    (
        "top_level_is_a_list",
        "- root_seed: 1\n",
        [],
        ["config/config.yaml: the top level is a list"],
    ),
    # ---- the same mistakes through --config (Snakemake parses its values itself)
    (
        "cli_seeds_per_job_zero",
        TEST_YAML,
        ["--config", "seeds_per_job=0"],
        ["--config seeds_per_job=0", "seeds_per_job: 0 is out of range (must be >= 1)"],
    ),
    (
        "cli_seeds_per_job_not_an_integer",
        TEST_YAML,
        ["--config", "seeds_per_job=2.5"],
        ["seeds_per_job: 2.5 is not an integer"],
    ),
    (
        "cli_root_seed_string",
        TEST_YAML,
        ["--config", "root_seed=twelve"],
        ["root_seed: 'twelve' (a string) is not an integer"],
    ),
    (
        "cli_root_seed_nan",
        TEST_YAML,
        ["--config", "root_seed=nan"],
        ["root_seed: nan is not a finite number"],
    ),
    (
        "cli_typo",
        TEST_YAML,
        ["--config", "alpah=0.5"],
        ["(top level): unknown key 'alpah'"],
    ),
    (
        "cli_problems_not_a_mapping",
        TEST_YAML,
        ["--config", "problems=foo"],
        ["problems: 'foo' (a string) is not a mapping"],
    ),
    (
        "cli_problems_empty",
        TEST_YAML,
        ["--config", "problems="],
        ["problems: empty (null) is not a mapping"],
    ),
    (
        "cli_nested_values_are_strings",
        TEST_YAML,
        ["--config", "problems={quadratic: {alphas: [0.5, 2.5]}}"],
        [
            "problems.quadratic.alphas[0]: '0.5' (a string) is not a number",
            "Snakemake reads every value nested inside --config as a string",
            "--configfile",
        ],
    ),
    (
        "cli_nested_empty_alphas",
        TEST_YAML,
        ["--config", "problems={quadratic: {alphas: []}}"],
        ["problems.quadratic.alphas: is an empty list"],
    ),
    (
        "cli_problem_null",
        TEST_YAML,
        ["--config", "problems={lsq_gd: null}"],
        ["problems.lsq_gd: 'null' (a string) is not a mapping"],
    ),
    (
        "cli_absurd_grid",
        TEST_YAML,
        ["--config", "max_jobs=5"],
        ["the grid would create", "solver jobs, more than max_jobs = 5"],
    ),
]


# Checked at the unit level only (gdlab.config, below), to keep the suite fast; every
# other case runs the real Snakemake (and is checked at the unit level too).
UNIT_ONLY = {
    "alpha_minus_inf",
    "alphas_duplicate_after_canonicalisation",
    "alphas_not_a_list",
    "seeds_negative",
    "seeds_written_as_float",
    "seeds_boolean",
    "seeds_per_job_negative_in_a_problem",
    "typo_at_top_level",
    "missing_key",
    "problem_section_not_a_mapping",
    "problems_not_a_mapping",
    "no_problem_at_all",
    "max_steps_absurd",
    "tolerance_negative",
    "divergence_factor_not_above_one",
    "check_tolerance_zero",
    "lsq_gd_shape_too_large",
    "shape_wrong_length",
    "conv_huber_n_too_large",
    "start_interval_overflows",
    "sweep_min_above_max",
    "sweep_count_zero",
    "root_seed_negative",
    "root_seed_beyond_64_bits",
    "reference_seed_not_among_the_seeds",
    "reference_step_beyond_the_budget",
    "max_jobs_absurd",
    "bad_indentation",
    "empty_file",
    "top_level_is_a_list",
}
REAL = [c for c in CASES if c[0] not in UNIT_ONLY]


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
        assert first.startswith("Error: invalid configuration: nothing was run"), out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


@pytest.mark.parametrize(
    ("text", "args", "fragments"), [c[1:] for c in REAL], ids=[c[0] for c in REAL]
)
def test_bad_config_is_rejected_before_any_job(bad_workdir, text, args, fragments):
    (bad_workdir / "config/config.yaml").write_text(text)
    shutil.rmtree(bad_workdir / "results", ignore_errors=True)
    proc = snakemake(bad_workdir, "--cores", "1", *args, check=False)
    assert_rejected(proc, bad_workdir, fragments)


def test_there_are_at_least_twenty_cases():
    assert len(REAL) >= 20
    assert len({c[0] for c in CASES}) == len(CASES)
    assert UNIT_ONLY <= {c[0] for c in CASES}


FILE_CASES = [c for c in CASES if not c[2]]


@pytest.mark.parametrize(
    ("text", "fragments"), [(c[1], c[3]) for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_bad_config_file_unit(text, fragments):
    """What common.smk does with config/config.yaml, without Snakemake."""
    found = gdconfig.check_text(text, "config/config.yaml") or gdconfig.messages(
        yaml.load(text, Loader=yaml.FullLoader), SCHEMA
    )
    assert found
    out = gdconfig.format_messages(found)
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"


def test_every_problem_is_listed_at_once(bad_workdir):
    """Several mistakes: one run reports all of them, in the order of the keys."""
    text = edited(
        lambda c: (
            setp("problems.quadratic.alphas", [0.0])(c),
            setp("problems.lsq_gd.tolerance", -1.0)(c),
            setp("seeds_per_job", "two")(c),
        )
    )
    (bad_workdir / "config/config.yaml").write_text(text)
    proc = snakemake(bad_workdir, "--cores", "1", check=False)
    assert_rejected(proc, bad_workdir, [])
    bullets = [line for line in message_lines(proc.stdout) if line.startswith("  - ")]
    assert [b.split(":")[0].strip("- ") for b in bullets] == [
        "problems.lsq_gd.tolerance",
        "problems.quadratic.alphas[0]",
        "seeds_per_job",
    ]


def test_bad_overlay_configfile_is_named(bad_workdir, tmp_path):
    """A mistake in a --configfile overlay: the message says where the config came from."""
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    overlay = bad_workdir / "config/mine.yaml"
    overlay.write_text("problems:\n  quadratic:\n    alphas: [1e-3, 0.5]\n")
    proc = snakemake(bad_workdir, "--cores", "1", "--configfile", "config/mine.yaml", check=False)
    assert_rejected(
        proc,
        bad_workdir,
        [
            "config/config.yaml, then config/mine.yaml (--configfile)",
            "problems.quadratic.alphas[0]: '1e-3' (a string)",
        ],
    )
    overlay.write_text("seeds_per_job: 2\nseeds_per_job: 3\n")
    proc = snakemake(bad_workdir, "--cores", "1", "--configfile", "config/mine.yaml", check=False)
    assert_rejected(proc, bad_workdir, ["config/mine.yaml: key 'seeds_per_job' is written twice"])


def test_malformed_overlay_is_reported_by_snakemake(bad_workdir):
    """Snakemake reads --configfile before the Snakefile runs: its own message (no line
    number, see docs/bad-input.md), a non-zero exit and nothing written."""
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    (bad_workdir / "config/broken.yaml").write_text("problems: {quadratic: [\n")
    proc = snakemake(bad_workdir, "--cores", "1", "--configfile", "config/broken.yaml", check=False)
    assert_rejected(proc, bad_workdir, ["Config file is not valid JSON or YAML"], ours=False)


def test_the_shipped_configs_are_valid(bad_workdir):
    for name in ("config.yaml", "test.yaml"):
        cfg = yaml.safe_load((REPO / "config" / name).read_text())
        assert gdconfig.messages(cfg, SCHEMA) == [], name
        assert gdconfig.check_files([REPO / "config" / name]) == []
    (bad_workdir / "config/config.yaml").write_text(TEST_YAML)
    out = snakemake(bad_workdir, "--cores", "1", "-n").stdout
    assert "Error" not in out and "solve" in out


# ---- unit level: gdlab.config without Snakemake
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
        gdconfig.validate(cfg, REPO / "workflow/schemas/config.schema.yaml")
    assert exc.value.messages == [
        "seeds_per_job: 0 is out of range (must be >= 1); allowed: seeds computed by one solver "
        "job (one Parquet file), an integer from 1 to 10000"
    ]
