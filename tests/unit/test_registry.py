"""The problem registry: it finds every folder, both configs cover every problem, and
generic code names none.  What each problem must be (complete, its fingerprints its
own) is checked for every problem by the contract (tests/contract/checks.py)."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import problems
from gdlab.spec import Check, Figure

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


# What a problem folder may import of gdlab besides its own folder: the spec and the
# core (the iteration, its theory and the drawing helpers), never the generic layer
# that looks problems up (grid, tables, schema, runs, plan, config, ...), so the
# boundary runs one way (docs/adding-a-problem.md).
CORE = {
    "gdlab.spec",
    "gdlab.limits",
    "gdlab.stopping",
    "gdlab.theory",
    "gdlab.methods",
    "gdlab.momentum",
    "gdlab.descent",
    "gdlab.objectives",
    "gdlab.trace",
    "gdlab.orbits",
    "gdlab.seeding",
    "gdlab.stats",
    "gdlab.style",
    "gdlab.frames",
    "gdlab.checks",
    "gdlab.threshold",
    "gdlab.errors",
    "gdlab.cache",
    "gdlab.sections",
    "gdlab.plots.common",
    "gdlab.charts",
}


def _gdlab_imports(path: Path) -> set[str]:
    """Every gdlab module ``path`` imports (``from gdlab import x`` as ``gdlab.x``)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("gdlab")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gdlab"):
            if node.module == "gdlab":
                found |= {f"gdlab.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_problem_folders_import_only_the_spec_and_the_core(name):
    own = f"gdlab.problems.{name}"
    files = sorted((REPO / "src/gdlab/problems" / name).rglob("*.py"))
    assert files, name
    found = {
        f"{path.relative_to(REPO)}: {module}"
        for path in files
        for module in _gdlab_imports(path)
        if module not in CORE and module != own and not module.startswith(own + ".")
    }
    assert found == set()


def test_the_core_imports_no_problem_and_nothing_above_it():
    """The core never reaches up: it imports only the core (and gdlab itself)."""
    found = {
        f"src/gdlab/{module.removeprefix('gdlab.').replace('.', '/')}.py: {imported}"
        for module in CORE
        for imported in _gdlab_imports(REPO / "src" / (module.replace(".", "/") + ".py"))
        if imported not in CORE and imported != "gdlab.__version__"
    }
    assert found == set()


def test_the_registry_hands_out_only_what_answers_the_interface(monkeypatch):
    """problems.numerics and problems.theory return the typed plug-in (gdlab.spec.Numerics,
    gdlab.spec.Theory) of every problem, and refuse a module that lacks a member in one
    line naming the file and the interface."""
    import types

    from gdlab import spec

    for name in NAMES:
        assert isinstance(problems.numerics(name), spec.Numerics)
        assert isinstance(problems.theory(name), spec.Theory)
    broken = types.ModuleType("numerics")
    broken.run = lambda settings, value, seeds: {}  # no data_process
    monkeypatch.setattr(problems, "module", lambda name, module_name="numerics": broken)
    with pytest.raises(problems.ProblemError) as err:
        problems.numerics("quadratic")
    assert str(err.value).startswith("src/gdlab/problems/quadratic/numerics.py lacks run")
    assert "gdlab.spec.Numerics" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(problems.ProblemError, match=r"SPEC.theory lacks .*gdlab.spec.Theory"):
        problems.theory("quadratic")
    # an iteration that cannot be told which seeds keep their rows
    broken.data_process = lambda settings, value=None: {}
    with pytest.raises(problems.ProblemError, match=r"quadratic/numerics.py: run\(.*traced="):
        problems.numerics("quadratic")
    assert problems.numerics("lsq_gradient") is broken  # not iterative: no traced


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"data": "rows"}, "data must be one of 'trace', 'runs'"),
        ({"columns": ("x_final",)}, "columns need data='runs'"),
    ],
    ids=["unknown_data", "columns_of_a_trace_figure"],
)
def test_a_figure_declared_wrong_is_refused_with_its_name(kwargs, words):
    with pytest.raises(ValueError, match=f"Figure landscape: {re.escape(words)}"):
        Figure("landscape", "landscape:figure", "a label", **kwargs)
    with pytest.raises(ValueError, match=f"Check boundary: {re.escape(words)}"):
        Check("boundary", "checks:boundary", "a label", **kwargs)


def test_table_columns_are_refused_for_an_iterative_problem():
    quadratic = problems.spec("quadratic")
    with pytest.raises(ValueError, match="quadratic: table_columns is for a problem that does not"):
        dataclasses.replace(quadratic, table_columns=("outcome",))
    fractal = problems.spec("fractal")
    assert dataclasses.replace(fractal, table_columns=("outcome",)).table_columns == ("outcome",)


# ---- the size and shape of the code (issue 22's lean core) --------------------------------
def _modules() -> dict[str, Path]:
    """Every module of src/gdlab and benchmarks/, by its import name."""
    found = {}
    for path in sorted((REPO / "src").rglob("*.py")):
        name = ".".join(path.relative_to(REPO / "src").with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    for path in sorted((REPO / "benchmarks").glob("*.py")):
        found[path.stem] = path  # run as scripts beside each other: `import harness`
    return found


def test_no_module_over_400_lines_and_no_function_over_60():
    long_modules, long_functions = [], []
    for name, path in _modules().items():
        text = path.read_text()
        if text.count("\n") > 400:
            long_modules.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = node.end_lineno - node.lineno + 1
                if size > 60:
                    long_functions.append(f"{name}.{node.name}: {size} lines")
    assert long_modules == [] and long_functions == []


def test_no_import_cycle_in_the_code_or_the_benchmarks():
    """Every import, at the top or inside a function, as an edge between modules: the
    graph has no cycle (a function-local import does not dodge one)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                return [*path, name, nxt]
            if nxt not in state and (cycle := visit(nxt, [*path, name])):
                return cycle
        state[name] = 2
        return None

    for name in sorted(graph):
        cycle = None if name in state else visit(name, [])
        assert cycle is None, " -> ".join(cycle)
