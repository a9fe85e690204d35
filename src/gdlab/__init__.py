"""gdlab: the numerical experiments of a homework on gradient descent, as a pipeline."""


def _version() -> str:
    """The version in pyproject.toml, its one place: read from the checkout's file when
    gdlab runs from a checkout (the workflow's jobs do), else from the installed
    package's metadata."""
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        with open(pyproject, "rb") as f:
            project = tomllib.load(f).get("project", {})
        if project.get("name") == "gdlab":
            return project["version"]
    from importlib.metadata import version

    return version("gdlab")


__version__ = _version()
