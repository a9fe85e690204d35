"""The pip path (pyproject.toml) and the conda path (environment.yml) agree."""

import re
import tomllib

import yaml

from conftest import REPO


def _name(spec: str) -> str:
    return re.split(r"[\s<>=!~\[;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip = {_name(d) for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pip |= {_name(d) for d in extra}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python"}
    assert pip == conda, f"only in pyproject: {pip - conda}; only in environment.yml: {conda - pip}"


def test_pinned_versions_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins_pip = {
        _name(d): d.split("==")[1]
        for d in [
            *project["dependencies"],
            *(x for e in project["optional-dependencies"].values() for x in e),
        ]
        if "==" in d
    }
    pins_conda = {
        _name(d): d.split("==")[1].strip()
        for d in env["dependencies"]
        if isinstance(d, str) and "==" in d
    }
    assert pins_pip == pins_conda


def test_the_version_lives_in_pyproject_alone():
    """gdlab.__version__ is pyproject.toml's version (read as a line of text, so no TOML
    parser joins every job's start-up; held here to what a TOML parser reads)."""
    import gdlab

    with open(REPO / "pyproject.toml", "rb") as f:
        assert gdlab.__version__ == tomllib.load(f)["project"]["version"]
    assert "0.1.0" not in (REPO / "src/gdlab/__init__.py").read_text()
