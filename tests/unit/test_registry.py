"""The problem registry: it finds every folder, both configs cover every problem, and
generic code names none.  What each problem must be (complete, its fingerprints its
own) is checked for every problem by the contract (tests/contract/checks.py)."""

from __future__ import annotations

import re

import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import problems

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
