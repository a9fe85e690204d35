"""The problem registry: every registered problem is complete, generic code names none,
and a missing piece is reported in one line naming the file to add."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import plan, problems, schema

NAMES = problems.names()
CONFIGS = {
    name: yaml.safe_load((REPO / "config" / name).read_text())
    for name in ("config.yaml", "test.yaml")
}


def test_the_registry_finds_every_folder():
    folders = sorted(
        p.name
        for p in (REPO / "src/gdlab/problems").iterdir()
        if (p / "__init__.py").is_file() and not p.name.startswith("_")
    )
    assert sorted(NAMES) == folders
    assert len(NAMES) >= 5
    orders = [problems.spec(n).order for n in NAMES]
    assert orders == sorted(orders)


@pytest.mark.parametrize("name", NAMES)
def test_every_problem_is_complete(name):
    spec = problems.spec(name)
    assert problems.missing(name) == []
    # its schema fragment, merged into the base schema
    assert spec.schema["type"] == "object" and spec.schema["required"]
    merged = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")
    assert merged["properties"]["problems"]["properties"][name] == spec.schema
    for key in spec.check_schema:
        assert key in merged["properties"]["checks"]["required"]
    assert spec.grid.key in spec.schema["required"]
    # its captions: the table, every figure, every check
    for output in ["table", *(f.name for f in spec.figures), *(c.name for c in spec.checks)]:
        text = problems.caption(name, output).read_text()
        assert text.strip(), output
    # its sections in both configs
    for file, cfg in CONFIGS.items():
        assert name in cfg["problems"], f"config/{file} has no problems.{name} section"
        for key in spec.check_schema:
            assert key in cfg["checks"], f"config/{file} has no checks.{key}"
    # its theory: the one interface
    theory = problems.theory(name)
    assert callable(theory.predict) and callable(theory.table_row)
    assert theory.threshold is None or isinstance(theory.threshold, float)
    # its numerics and every function its spec names import and exist
    assert callable(problems.module(name).run)
    for item in (*spec.figures, *spec.checks):
        assert callable(problems.function(name, item.function))
    # its own columns do not redefine core ones
    assert not set(spec.columns) & set(schema.CORE)


def test_both_configs_are_valid_and_cover_every_problem():
    base = gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml")
    for file, cfg in CONFIGS.items():
        assert gdconfig.messages(cfg, base) == [], file
        assert set(cfg["problems"]) == set(NAMES), file


def test_generic_code_names_no_problem():
    """The Snakefile, workflow/ and every module outside src/gdlab/problems/<name>/
    (comments and docstrings included) name no registered problem."""
    word = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")
    generic = [REPO / "Snakefile", *sorted((REPO / "workflow").rglob("*"))]
    generic += [
        p
        for p in sorted((REPO / "src/gdlab").rglob("*"))
        if "problems" not in p.relative_to(REPO / "src/gdlab").parts[:1]
        or (p.name == "__init__.py" and p.parent.name == "problems")
    ]
    found = []
    for path in generic:
        if (
            path.is_file()
            and path.suffix in ("", ".py", ".smk", ".rst", ".yaml")
            and ".egg-info" not in str(path)
        ):
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if word.search(line):
                    found.append(f"{path.relative_to(REPO)}:{i}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize("name", NAMES)
def test_no_problem_is_in_another_problems_code_fingerprint(name):
    """Adding or editing a problem reruns none of the other problems' jobs."""
    spec = problems.spec(name)
    prints = [plan.solver_code(name), plan.table_code(name), plan.table_html_code(name)]
    prints += [plan.figure_code(name, f) for f in spec.figures]
    prints += [plan.check_code(name, c) for c in spec.checks]
    others = [n for n in NAMES if n != name]
    for fingerprint in prints:
        assert fingerprint, "an empty fingerprint tracks nothing"
        foreign = [f for f in fingerprint if any(f"problems/{o}/" in f for o in others)]
        assert foreign == []
    # the solver job runs the problem's numerics, its spec and the registry
    solver = plan.solver_code(name)
    for f in (
        f"src/gdlab/problems/{name}/numerics.py",
        f"src/gdlab/problems/{name}/__init__.py",
        "src/gdlab/problems/__init__.py",
        "src/gdlab/solve.py",
    ):
        assert f in solver


def _registry_in(src: Path, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(src), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_registry_is_pure_python():
    """The Snakefile reads every spec, the merged schema and every job's params and
    code fingerprint at parse time (again in every cluster job): no NumPy there."""
    schema_path = REPO / "workflow/schemas/config.schema.yaml"
    config_path = REPO / "config/config.yaml"
    proc = _registry_in(
        REPO / "src",
        "import sys, yaml\n"
        "from gdlab import config, plan, problems\n"
        f"cfg = yaml.safe_load(open({str(config_path)!r}))\n"
        f"assert config.messages(cfg, config.load_schema({str(schema_path)!r})) == []\n"
        "outputs = plan.all_outputs(cfg)\n"
        "for n in problems.names():\n"
        "    plan.solver_code(n), plan.table_code(n), plan.runs_of(cfg, n)\n"
        "    [plan.job_params(cfg, f) for f in problems.spec(n).figures]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'pyarrow', 'matplotlib'})\n"
        "print(len(problems.names()), len(outputs) > 0, heavy)",
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{len(NAMES)} True []"


def test_a_missing_piece_is_one_line_naming_the_file(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pdir = src / "gdlab/problems"
    # a folder with a spec but no numerics and no captions
    (pdir / "halfway").mkdir()
    (pdir / "halfway/__init__.py").write_text(
        "from gdlab.spec import Grid, Problem, gd_section, ref\n"
        "from gdlab.theory import Threshold\n"
        "SPEC = Problem(name='halfway', title='t', order=9, grid=Grid('alphas', 'alpha'),\n"
        "               schema=gd_section('d', ('alphas', ref('step_sizes'))),\n"
        "               theory=Threshold(critical=1.0))\n"
    )
    # a folder with no spec at all
    (pdir / "nospec").mkdir()
    (pdir / "nospec/__init__.py").write_text('"""Nothing yet."""\n')
    proc = _registry_in(
        src, "from gdlab import problems\nprint('\\n'.join(problems.problems_missing()))"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines == [
        "src/gdlab/problems/halfway/numerics.py is missing: add run(settings, value, seeds) -> columns",
        "src/gdlab/problems/halfway/captions/table.rst is missing: the report caption of table",
        "src/gdlab/problems/nospec/__init__.py defines no SPEC: add SPEC = gdlab.spec.Problem(...) "
        "(see docs/adding-a-problem.md)",
    ]
