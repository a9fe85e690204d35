"""The per-rule conda environments (workflow/envs/) agree with pyproject.toml and
hold what each rule's code imports; environment.yml stays the whole development
environment."""

from __future__ import annotations

import ast
import re
import sys
import tomllib

import pytest
import yaml

from conftest import REPO
from gdlab import fingerprints, problems

ENVS = {"solver", "aggregate", "figures", "charts"}
# the rule files and the environment their rules use
RULE_FILES = {  # the environments a file's rules use
    "solve.smk": {"solver"},
    "aggregate.smk": {"aggregate"},
    "report.smk": {"aggregate", "charts"},  # table pages; the interactive charts
    "plots.smk": {"figures"},
    "stale.smk": {"aggregate"},  # stale, prune: gdlab.jobs.stale (standard library only)
    # the bisection (NumPy), its table and check, its figure
    "thresholds.smk": {"solver", "aggregate", "figures"},
}
IMPORT_NAMES = {"yaml": "pyyaml", "vl_convert": "vl-convert-python"}  # import -> package
# Imports inside functions that only Snakemake calls, at parse time, never a job:
# gdlab.config validates the configuration with PyYAML and jsonschema (problem specs
# import it for their semantic checks, so it is in every job's import closure).
PARSE_TIME_ONLY = {"src/gdlab/config.py": {"pyyaml", "jsonschema"}}


def _name(spec: str) -> str:
    return re.split(r"[\s<>=!~\[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _version(spec: str) -> str:
    return re.sub(r"\s+", "", spec.strip()[len(_name(spec)) :].split("#")[0])


def env(name: str) -> dict[str, str]:
    doc = yaml.safe_load((REPO / f"workflow/envs/{name}.yaml").read_text())
    assert "conda-forge" in doc["channels"]
    return {_name(d): _version(d) for d in doc["dependencies"]}


PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PIP = {_name(d): _version(d) for d in PYPROJECT["dependencies"]}


@pytest.mark.parametrize("name", sorted(ENVS))
def test_each_environment_pins_as_pyproject_does(name):
    deps = env(name)
    assert deps.pop("python") == PYPROJECT["requires-python"]
    assert deps, name
    for pkg, version in deps.items():
        assert pkg in PIP, f"{name}.yaml: {pkg} is not a dependency in pyproject.toml"
        assert version == PIP[pkg], f"{name}.yaml: {pkg}{version}, pyproject: {pkg}{PIP[pkg]}"


def test_the_solver_environment_is_numpy_and_pyarrow_only():
    assert set(env("solver")) == {"python", "numpy", "pyarrow"}


def test_environment_yml_is_the_whole_development_environment():
    dev = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    dev = {_name(d) for d in dev if isinstance(d, str)}
    for name in ENVS:
        assert set(env(name)) <= dev, name
    assert {"pytest", "ruff", "snakefmt"} <= dev


def test_every_rule_uses_its_environment():
    common = (REPO / "workflow/rules/common.smk").read_text()
    block = re.search(r"^ENVS = \{\n(.*?)^\}", common, re.S | re.M)[1]
    paths = dict(re.findall(r'"(\w+)": "([^"]+)"', block))
    assert set(paths) == ENVS
    for name, path in paths.items():
        assert (REPO / "workflow/rules" / path).resolve() == REPO / f"workflow/envs/{name}.yaml"
    # a rule declaration: `rule name:`, or `rule:` of a rule generated in a loop
    rule = re.compile(r"^\s*rule(\s+\w+)?\s*:", re.M)
    conda = re.compile(r'^\s*conda:\s*\n\s*ENVS\["(\w+)"\]\s*$', re.M)
    with_rules, count = set(), 0
    for smk in sorted((REPO / "workflow/rules").glob("*.smk")):
        text = smk.read_text()
        rules, envs = rule.findall(text), conda.findall(text)
        # a `run:` rule would run in Snakemake's own process: no environment
        in_snakemake = len(re.findall(r"^\s*run:\s*$", text, re.M))
        assert len(rules) == len(envs) + in_snakemake, smk.name
        if envs:
            assert set(envs) == RULE_FILES[smk.name], smk.name
            with_rules.add(smk.name)
            count += len(rules)
    # the patterns found the rules: solve, table, check_convergence and the generated ones
    assert with_rules == set(RULE_FILES) and count >= 5


def _imports(files) -> set[str]:
    """The third-party packages the files import (at the top or inside a function)."""
    found = set()
    for rel in files:
        names = set()
        for node in ast.walk(ast.parse((REPO / rel).read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        names -= set(sys.stdlib_module_names) | {"gdlab", "__future__"}
        found |= {IMPORT_NAMES.get(m, m) for m in names} - PARSE_TIME_ONLY.get(rel, set())
    return found


def _code(kind: str) -> set[str]:
    files: set[str] = set()
    for p in problems.names():
        spec = problems.spec(p)
        has_threshold = spec.thresholds is not None
        if kind == "solver":
            files |= set(fingerprints.solver_code(p))
            files |= set(fingerprints.threshold_code(p)) if has_threshold else set()
        elif kind == "aggregate":
            files |= set(fingerprints.table_code(p)) | set(fingerprints.table_html_code(p))
            files |= {f for c in spec.checks for f in fingerprints.check_code(p, c)}
            files |= set(fingerprints.convergence_code())
            files |= set(fingerprints.threshold_table_code()) | set(
                fingerprints.threshold_check_code()
            )
        elif kind == "charts":
            files |= {f for c in spec.charts for f in fingerprints.chart_code(p, c)}
        else:
            files |= set(fingerprints.threshold_figure_code())
            files |= {f for fig in spec.figures for f in fingerprints.figure_code(p, fig)}
    return files


@pytest.mark.parametrize("name", sorted(ENVS))
def test_each_environment_holds_what_its_jobs_import(name):
    """The files of every job's code fingerprint (its import closure) import nothing
    that its environment lacks."""
    code = _code(name)
    assert code, name
    missing = _imports(code) - set(env(name))
    assert missing == set(), f"{name}.yaml lacks {sorted(missing)}"
