"""Which source files a job runs, and a fingerprint of each that ignores formatting.

Snakemake's code trigger sees only the text of ``shell:``/``run:`` blocks and the
mtime of ``script:`` files: an edit to a module under
``src/gdlab`` reruns nothing by itself, and a ``touch`` of a script reruns its rule.
So every rule of the workflow is a ``shell:`` rule and carries, as a param,
:func:`fingerprint` of the code it runs: ``{path: digest}`` for every file of the
static import closure of its entry points (``gdlab.solve`` or a ``gdlab.jobs``
module, and the problem's modules that it reaches through the registry).  Snakemake's params trigger then reruns exactly the jobs whose
code changed, whatever the files' mtimes.

The digest is a hash of the module's syntax tree (``ast.dump``, no line numbers),
so it ignores everything that cannot change what the code does: comments, blank
lines, spaces, line breaks, quote style — whatever ``ruff format`` does.  Any other
edit (docstrings included) changes it.  The dump's format belongs to the Python
minor version: a new Python reruns every job once.

Only ``import`` statements are followed (anywhere in a module, also inside
functions).  Code reached through ``importlib`` — a problem's modules, picked by
the registry :mod:`gdlab.problems` — is named as an extra entry point by
:mod:`gdlab.plan`, so no problem's code is in another problem's fingerprint.
Pure standard library: the Snakefile calls it at parse time.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
from functools import cache
from pathlib import Path

from gdlab.cache import root as cache_root

PACKAGE = "gdlab"


@cache  # the files of a checkout do not come and go while a workflow is parsed
def _module_file(src: Path, name: str) -> Path | None:
    """``gdlab.problems.NAME.numerics`` -> its file under ``src``, or None if no such module."""
    base = src.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(src: Path, path: Path) -> str | None:
    """The dotted name of a file under ``src`` (None for a file outside, e.g. a script)."""
    try:
        parts = list(path.relative_to(src).with_suffix("").parts)
    except ValueError:
        return None
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.AST, name: str | None, is_package: bool, path: Path) -> set[str]:
    """Every module name an ``import`` statement of ``tree`` names (relative ones
    resolved against the module ``name``), with ``from a import b``'s ``a.b`` too."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                if name is None:
                    raise ValueError(f"{path}: relative import outside the {PACKAGE} package")
                package = name.split(".")
                if not is_package:
                    package.pop()
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from gdlab import tables`: tables is a submodule, not an attribute
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


# ---- what a file's text says, parsed once per text on this machine ------------------------
# Parsing every module of the workflow at every Snakemake start cost ~0.8 s of CPU a run,
# a third of a dry run's.  What a file imports and its digest depend only on its bytes,
# its module name and the Python version, so they are kept under that key, one small
# file each, in :func:`cache_dir` (~/.cache/gdlab/code by default; safe to delete).
# A missing, unreadable or malformed entry is computed again; an unwritable cache is
# skipped.  Entries are never wrong for their key, so no run depends on what is cached.
_CACHE_FORMAT = f"gdlab-code-1 python-{sys.version_info[0]}.{sys.version_info[1]}"


def cache_dir() -> Path:
    """The code cache: ``code`` in gdlab's cache (:func:`gdlab.cache.root`)."""
    return cache_root() / "code"


def forget() -> None:
    """Drop what this process remembers (not the cache on disk): for a caller that
    changes files under the same paths and asks again."""
    for f in (_module_file, _analysis, _imports, _fingerprint):
        f.cache_clear()


def _read_entry(entry: Path) -> tuple[tuple[str, ...], str] | None:
    try:
        found, digest = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not (isinstance(digest, str) and isinstance(found, list)):
        return None
    if not all(isinstance(m, str) for m in found):
        return None
    return tuple(found), digest


def _write_entry(entry: Path, value: tuple[tuple[str, ...], str]) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([list(value[0]), value[1]]), encoding="utf-8")
        os.replace(tmp, entry)  # readers see the old entry or the whole new one
    except OSError:
        pass


@cache
def _analysis(src: Path, path: Path) -> tuple[tuple[str, ...], str]:
    """(the module names ``path`` imports, its digest: a hash of its syntax tree)."""
    data = path.read_bytes()
    name = _module_name(src, path)
    is_package = path.name == "__init__.py"
    key = hashlib.sha256(f"{_CACHE_FORMAT}\0{name}\0{is_package}\0".encode() + data)
    entry = cache_dir() / f"{key.hexdigest()}.json"
    hit = _read_entry(entry)
    if hit is not None:
        return hit
    tree = ast.parse(data, filename=str(path))
    value = (
        tuple(sorted(_imported(tree, name, is_package, path))),
        hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:16],
    )
    _write_entry(entry, value)
    return value


def _digest(src: Path, path: Path) -> str:
    return _analysis(src, path)[1]


@cache
def _imports(src: Path, path: Path) -> frozenset[str]:
    """The ``gdlab`` modules that ``path`` imports (submodules resolved, parents included)."""
    out = set()
    for module in _analysis(src, path)[0]:
        parts = module.split(".")
        if parts[0] != PACKAGE:
            continue
        # importing a.b.c runs a/__init__.py and a/b/__init__.py too
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(m for m in out if _module_file(src, m) is not None)


def closure(root: str | Path, *entries: str) -> list[str]:
    """Every file (relative to ``root``) that running ``entries`` (paths relative to
    ``root``: scripts or modules under ``src/``) can import from ``gdlab``, entries included."""
    root = Path(root)
    src = root / "src"
    todo = [root / e for e in entries]
    for path in list(todo):
        if not path.is_file():
            raise FileNotFoundError(f"code entry point {path} does not exist")
        parts = (_module_name(src, path) or "").split(".")
        for i in range(1, len(parts)):  # a module's parent packages run first
            if parent := _module_file(src, ".".join(parts[:i])):
                todo.append(parent)
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += [_module_file(src, m) for m in _imports(src, path)]
    return sorted(p.relative_to(root).as_posix() for p in seen)


@cache
def _fingerprint(root: str, entries: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f, _digest(Path(root) / "src", Path(root) / f)) for f in closure(root, *entries))


def fingerprint(root: str | Path, *entries: str) -> dict[str, str]:
    """``{path: digest}`` over :func:`closure` of ``entries``: a builtin dict of relative
    paths, so Snakemake's params trigger tracks it and a moved checkout keeps it."""
    return dict(_fingerprint(str(root), tuple(entries)))
