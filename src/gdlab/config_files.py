"""The configuration *files*, read before their values are checked: YAML syntax errors
with their line and column (Snakemake's own message names neither), keys written
twice in one mapping (YAML silently keeps the last one), and which files a run read
(layer 1 of :mod:`gdlab.config`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from gdlab.limits import MAX_DEPTH, size_messages


def _yaml_loader():
    import yaml

    class _StrictLoader(yaml.FullLoader):  # Snakemake (yte) reads configs with FullLoader
        duplicates: list[tuple[str, int]]

    def construct_mapping(loader, node, deep=False):
        seen: dict[object, int] = {}
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # the constructor reports unhashable keys itself
            line = key_node.start_mark.line + 1
            if key in seen:
                loader.duplicates.append(
                    f"key {key!r} is written twice in one mapping (lines {seen[key]} and "
                    f"{line}); YAML would silently keep only the last one"
                )
            seen[key] = line
        return yaml.FullLoader.construct_mapping(loader, node, deep=deep)

    _StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return _StrictLoader


def check_text(text: str, name: str) -> list[str]:
    """Problems of one config file's text: not JSON/YAML (with line and column),
    not a mapping at the top level, or a key written twice in one mapping."""
    import yaml

    if text.lstrip().startswith("{"):
        duplicates: list[str] = []

        def pairs(items):
            keys = [k for k, _v in items]
            duplicates.extend(
                f"key {k!r} is written twice in one mapping; JSON would silently keep only the last one"
                for k in sorted({k for k in keys if keys.count(k) > 1})
            )
            return dict(items)

        try:
            doc = json.loads(text, object_pairs_hook=pairs)
        except RecursionError:
            return [_too_deep(name)]
        except ValueError:
            pass  # maybe YAML flow style: fall through
        else:
            return [f"{name}: {d}" for d in duplicates] + _top_level(doc, name)
    loader_cls = _yaml_loader()
    loader = loader_cls(text)
    loader.duplicates = []
    try:
        doc = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        lines = text.splitlines()
        if mark and mark.line < len(lines):
            where += f" ({lines[mark.line].strip()!r})"
        what = exc.problem or exc.context or "syntax error"
        hint = (
            " (YAML does not allow tabs for indentation: use spaces)"
            if "\t" in text and "character '\\t'" in str(exc)
            else ""
        )
        return [f"{name}: not valid YAML at {where}: {what}{hint}"]
    except yaml.YAMLError as exc:
        return [f"{name}: not valid YAML: {exc}"]
    except RecursionError:
        return [_too_deep(name)]
    finally:
        loader.dispose()
    found = [f"{name}: {d}" for d in loader.duplicates] + _top_level(doc, name)
    return found or [f"{name}: {m}" for m in size_messages(doc)]


def _too_deep(name: str) -> str:
    return (
        f"{name}: nested too deeply to read (hundreds of levels); allowed: the keys of "
        f"config/README.md, at most {MAX_DEPTH} levels"
    )


def _top_level(doc, name: str) -> list[str]:
    if isinstance(doc, dict) and "__use_yte__" in doc:
        return [
            f"{name}: uses YAML templating (__use_yte__), which runs Python code from the file; "
            "allowed: plain values only (gdlab refuses templated configurations)"
        ]
    if doc is None:
        return [
            f"{name}: the file is empty; it must be a mapping of keys (root_seed, problems, ...)"
        ]
    if not isinstance(doc, dict):
        return [
            f"{name}: the top level is {describe(doc)}; it must be a mapping of keys "
            "(root_seed, problems, ...)"
        ]
    return []


def check_files(paths: Iterable[str | Path]) -> list[str]:
    """:func:`check_text` of every existing file (a missing one is Snakemake's to report)."""
    messages = []
    for p in paths:
        path = Path(p)
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                messages.append(f"{display(path)}: cannot be read ({exc})")
                continue
            messages += check_text(text, display(path))
    return messages


def default_configfile(root: str | Path) -> str:
    """The ``configfile:`` of the Snakefile: ``config/config.yaml`` of the working
    directory when it has one (a deployment's own config, ``--directory``), else the
    default study beside the Snakefile, ``<root>/config/config.yaml``."""
    local = Path("config/config.yaml")
    return str(local) if local.is_file() else str(Path(root) / local)


def display(path: str | Path) -> str:
    """A path relative to the working directory when it is inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sources(
    configfiles: Iterable[str | Path], cli_configfiles: Iterable[str | Path], cli: Mapping | None
) -> list[str]:
    """Where the configuration came from, in the order Snakemake merged it: the
    Snakefile's ``configfile:``, then each ``--configfile``, then ``--config``."""
    given = [Path(f).resolve() for f in cli_configfiles]
    out = [display(f) for f in configfiles if Path(f).resolve() not in given]
    out += [f"{display(f)} (--configfile)" for f in given]
    if cli:
        out.append("--config " + " ".join(f"{k}={short(v)}" for k, v in cli.items()))
    return out


def short(value) -> str:
    if value is None:
        return ""
    text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def key_name(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def describe(value) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        text = "a mapping " + repr(value)
    elif isinstance(value, (list, tuple)):
        text = "a list " + repr(list(value))
    else:
        text = repr(value)
    return text if len(text) < 80 else text[:77] + "..."
