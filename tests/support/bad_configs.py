"""The table of bad configurations: each case is one mistake in config/config.yaml (or
given with ``--config``), and the fragments the message must contain.

``tests/unit/test_config.py`` checks every case's message in process;
``tests/workflow/test_bad_input.py`` runs the real Snakemake on one representative
case per path a mistake takes to the user.  Also the overlay (``--configfile``) cases
and the injection payloads that configuration validation refuses.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from gdlab import problems

REPO = Path(__file__).resolve().parents[2]
TEST_YAML = (REPO / "config/test.yaml").read_text()
SCHEMA_PATH = REPO / "workflow/schemas/config.schema.yaml"
# What Snakemake prints before the Snakefile is parsed (not ours, not an error).
SNAKEMAKE_PREAMBLE = ("Using workflow specific profile", "Config file ")
# The first line of every message of gdlab.config.
HEADER = "Error: invalid configuration: nothing was run"


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
    (
        "points_per_job_zero",
        edited(setp("points_per_job", 0)),
        [],
        ["points_per_job", "0 is out of range (must be >= 1)", "allowed: grid points one solver"],
    ),
    (
        "points_per_job_too_large_in_a_problem",
        edited(setp("problems.sharp_wide.points_per_job", 10**5)),
        [],
        ["problems.sharp_wide.points_per_job", "100000", "must be <= 10000"],
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
        "fractal_wavelength_zero",
        edited(setp("problems.fractal.setups.additive.wavelength", 0.0)),
        [],
        ["problems.fractal.setups.additive.wavelength", "0.0", "must be > 0", "λ > 0"],
    ),
    (
        "fractal_grid_wavelength_negative",
        edited(
            setp(
                "problems.fractal.grids",
                {
                    "g": {
                        "form": "additive",
                        "delta": {"min": 0.0, "max": 0.2, "count": 3},
                        "wavelength": {"min": -0.5, "max": 1.0, "count": 3},
                        "x0": 5.0,
                        "k": 4,
                    }
                },
            )
        ),
        [],
        ["problems.fractal.grids.g.wavelength", "λ <= 0", "min > 0 and max > 0"],
    ),
    (
        "fractal_form_unknown",
        edited(setp("problems.fractal.setups.additive.form", "cubic")),
        [],
        ["problems.fractal.setups.additive.form", "'cubic'", "additive", "multiplicative"],
    ),
    (
        "fractal_k_above_the_job_limit",
        edited(setp("problems.fractal.setups.additive.k", 30)),
        [],
        ["problems.fractal.setups.additive.k", "2^30 + 1 runs", "max_jobs = 2,000", "k <= 19"],
    ),
    (
        "fractal_k_above_the_memory_limit",
        edited(
            lambda cfg: (
                setp("problems.fractal.seeds_per_job", 2**24)(cfg),
                setp("problems.fractal.setups.multiplicative.k", 24)(cfg),
                setp("max_job_memory_mb", 1000)(cfg),
            )
        ),
        [],
        [
            "problems.fractal.setups.multiplicative.k",
            "2^24 + 1 runs",
            "max_job_memory_mb = 1,000",
            "k <= 22",
        ],
    ),
    (
        "fractal_k_above_the_schema",
        edited(setp("problems.fractal.setups.flat.k", 41)),
        [],
        ["problems.fractal.setups.flat.k", "41", "must be <= 40"],
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
    # ---- momentum (docs/theory.md, "Momentum")
    (
        "beta_one",
        edited(setp("problems.momentum_lsq.betas", [0.5, 1.0])),
        [],
        ["problems.momentum_lsq.betas[1]", "1.0", "must be < 1", "0 <= β < 1"],
    ),
    (
        "beta_negative",
        edited(setp("problems.momentum_quadratic.betas", [-0.1])),
        [],
        ["problems.momentum_quadratic.betas[0]", "-0.1", "must be >= 0", "0 <= β < 1"],
    ),
    (
        "method_unknown",
        edited(setp("problems.momentum_lsq.methods", ["heavy_ball", "adam"])),
        [],
        ["problems.momentum_lsq.methods[1]", "adam", "heavy_ball or nesterov"],
    ),
    (
        "momentum_grid_without_stable_point",
        edited(setp("problems.momentum_quadratic.alpha_lambda_max", [3.0, 4.5])),
        [],
        [
            "problems.momentum_quadratic.alpha_lambda_max: no value below nesterov's threshold",
            "(2 + 2β)/(1 + 2β) = 1.5 at β = 0.5",
            "allowed: at least one value 0 < αλ_max < 1.5",
        ],
    ),
    # ---- the memory model (docs/performance.md, "Memory of a job")
    (
        "job_beyond_memory",
        edited(
            lambda cfg: cfg["problems"]["lsq_gd"].update(
                shape=[1000, 1000], seeds=100, seeds_per_job=100
            )
        ),
        [],
        [
            "problems.lsq_gd.seeds_per_job: a solver job of 100 lsq_gd seeds needs about 7,176 MB",
            "more than max_job_memory_mb = 2048",
            "allowed: seeds_per_job <= 26 for lsq_gd, or a larger max_job_memory_mb",
        ],
    ),
    (
        "seed_beyond_memory",
        edited(
            lambda cfg: cfg["problems"]["conv_huber"].update(
                n=2000, max_steps=20000, record_per_decade=100
            )
        ),
        ["--config", "max_job_memory_mb=256"],
        [
            "problems.conv_huber: one seed needs about 263 MB in a solver job",
            "more than max_job_memory_mb = 256",
        ],
    ),
    (
        "job_memory_too_small",
        edited(setp("max_job_memory_mb", 100)),
        [],
        ["max_job_memory_mb", "must be >= 256"],
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

CASE = {c[0]: c for c in CASES}

# A mistake in a --configfile overlay (config/mine.yaml, given after config/config.yaml
# holds config/test.yaml): (id, the overlay's text, fragments the message must contain)
OVERLAY = "config/mine.yaml"
OVERLAY_CASES = [
    (
        # a bad value: checked with the merged configuration (common.smk, messages())
        "overlay_value",
        "problems:\n  quadratic:\n    alphas: [1e-3, 0.5]\n",
        [
            "config/config.yaml, then config/mine.yaml (--configfile)",
            "problems.quadratic.alphas[0]: '1e-3' (a string)",
        ],
    ),
    (
        # a mistake of the file's text: common.smk's check_files(workflow.configfiles)
        "overlay_key_written_twice",
        "seeds_per_job: 2\nseeds_per_job: 3\n",
        ["config/mine.yaml: key 'seeds_per_job' is written twice"],
    ),
]

# ---- injection: shell metacharacters and ../ in values and keys of the configuration
# (label, where in config/config.yaml, payload); each is refused by the validation,
# its name or value quoted in the message
PAYLOADS = [
    ("problem name with shell metacharacters", "problems", {"quadratic; touch PWNED": {}}),
    ("problem name with command substitution", "problems", {"$(touch PWNED)": {}}),
    ("problem name with path traversal", "problems", {"../../PWNED": {"alphas": [0.5]}}),
    ("problem name absolute path", "problems", {"/tmp/PWNED": {}}),
    ("alpha with shell metacharacters", "alphas", ["0.5; touch PWNED", "`touch PWNED`"]),
    ("alpha with path traversal", "alphas", ["../../../PWNED"]),
]


def with_payloads(payloads) -> str:
    """config/test.yaml with the ``payloads`` (items of :data:`PAYLOADS`), all of them
    at once, as YAML text: problem names added, quadratic's step sizes replaced by the
    payloads' values."""
    cfg = base()
    alphas = []
    for _label, where, payload in payloads:
        if where == "problems":
            cfg["problems"].update(payload)
        else:
            alphas += payload
    if alphas:
        cfg["problems"]["quadratic"]["alphas"] = alphas
    return yaml.safe_dump(cfg, sort_keys=False)


def payload_name(where: str, payload) -> str:
    """The name or value of a payload the message must quote."""
    return next(iter(payload)) if where == "problems" else payload[0]


# The same through --config: (a `--config` entry, a fragment of the message)
CLI_PAYLOADS = [
    ("problems={quadratic; touch PWNED: {}}", "unknown key"),
    ('problems={"../../PWNED": {alphas: [0.5]}}', "'../../PWNED'"),
    ("root_seed=$(touch PWNED)", "'$(touch PWNED)' (a string)"),
    ("seeds_per_job=1; touch PWNED", "'1; touch PWNED' (a string)"),
]


def several_mistakes() -> tuple[str, list[str]]:
    """config/config.yaml with three mistakes, and the keys its message names, in the
    order of the keys."""
    text = edited(
        lambda c: (
            setp("problems.quadratic.alphas", [0.0])(c),
            setp("problems.lsq_gd.tolerance", -1.0)(c),
            setp("seeds_per_job", "two")(c),
        )
    )
    return text, ["problems.lsq_gd.tolerance", "problems.quadratic.alphas[0]", "seeds_per_job"]
