"""Validate a configuration before any job runs, with messages that name the key,
the bad value and what is allowed.

Three layers, all run at parse time (``workflow/rules/preflight.smk`` and
``workflow/rules/common.smk``), before Snakemake creates a job or ``results/``:

1. the config *files*: YAML syntax errors with their line and column (Snakemake's
   own message names neither), and keys written twice in one mapping (YAML
   silently keeps the last one) — :func:`check_files`;
2. the JSON schema ``workflow/schemas/config.schema.yaml`` with every problem's
   fragment (``SPEC.schema``) merged in: types, ranges,
   unknown keys (with a "did you mean"), required keys — :func:`validate`;
3. what a schema cannot express: non-finite numbers, grid values that collide
   once canonicalised, each problem's own rules (``SPEC.validate``: e.g. N ≥ p of
   a shape), and the number of solver jobs.

Every problem found is listed at once; :func:`fail` prints the list alone (no
Snakemake traceback) and exits with status 1.  Pure Python plus jsonschema and
PyYAML (both Snakemake dependencies): no NumPy at parse time.
"""

from __future__ import annotations

import difflib
import json
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from gdlab import grid, problems


class ConfigError(ValueError):
    """The configuration is invalid; ``messages`` lists every problem found."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__(format_messages(self.messages))


HEADER = "invalid configuration: nothing was run and results/ was not touched"
FOOTER = (
    "Fix the values above and run snakemake again.  Every key is described in "
    "config/README.md and workflow/schemas/config.schema.yaml."
)


def format_messages(messages: list[str], sources: list[str] | None = None) -> str:
    lines = [f"Error: {HEADER}."]
    if sources:
        lines.append("Configuration read from: " + ", then ".join(sources))
    lines += [f"  - {m}" for m in messages]
    lines.append(FOOTER)
    return "\n".join(lines)


def fail(messages: list[str], sources: list[str] | None = None) -> None:
    """Print the messages (and where the configuration came from) on stderr and exit 1.

    Used instead of raising ``WorkflowError``, which Snakemake prints after a line
    naming ``common.smk`` and followed by a traceback line: a user who mistyped a
    value in ``config/config.yaml`` should see only what is wrong and where."""
    print(format_messages(messages, sources), file=sys.stderr, flush=True)
    raise SystemExit(1)


# ---- 1. the files ------------------------------------------------------------------
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
    return found or [f"{name}: {m}" for m in _size_messages(doc)]


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
            f"{name}: the top level is {_describe(doc)}; it must be a mapping of keys "
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
        out.append("--config " + " ".join(f"{k}={_short(v)}" for k, v in cli.items()))
    return out


def _short(value) -> str:
    if value is None:
        return ""
    text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---- 2. the schema -----------------------------------------------------------------
_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
}


def _key(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _describe(value) -> str:
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


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _validator(schema: dict):
    import jsonschema

    base = jsonschema.Draft202012Validator
    # JSON Schema counts 10.0 as an integer; range(10.0) does not: integers must be ints.
    checker = base.TYPE_CHECKER.redefine(
        "integer", lambda _c, v: isinstance(v, int) and not isinstance(v, bool)
    )
    return jsonschema.validators.extend(base, type_checker=checker)(schema)


def _allowed(err) -> str:
    schema = err.schema if isinstance(err.schema, dict) else {}
    desc = schema.get("description")
    if err.validator == "type" and err.validator_value == "object" and schema.get("required"):
        optional = [k for k in schema.get("properties", {}) if k not in schema["required"]]
        desc = "a mapping with the keys " + ", ".join(schema["required"])
        desc += f" (optional: {', '.join(optional)})" if optional else ""
    return f"; allowed: {' '.join(desc.split())}" if desc else ""


def _bound(err) -> str:
    op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}
    return f"must be {op[err.validator]} {err.validator_value}"


def _same(value):
    """A hashable key under which JSON Schema's equal values (1 == 1.0, [1, 2]) coincide."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", float(value))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_same(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _same(v)) for k, v in value.items())))
    return ("other", repr(value))


def _schema_message(err, cli: Mapping) -> str:
    path = list(err.absolute_path)
    key, value = _key(path), err.instance
    from_cli = bool(path) and path[0] in cli
    if err.validator == "additionalProperties":
        known = sorted(err.schema.get("properties", {}))
        extra = sorted(set(value) - set(known), key=str)
        parts = []
        for k in extra:
            close = difflib.get_close_matches(str(k), known, n=1, cutoff=0.6)
            parts.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return f"{key}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(parts)}; allowed keys: {', '.join(known)}"
    if err.validator == "required":
        missing = [k for k in err.validator_value if k not in value]
        return f"{key}: missing key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} (required: {', '.join(err.validator_value)})"
    if err.validator == "minProperties":
        return f"{key}: is empty{_allowed(err)}"
    if err.validator == "type":
        want = err.validator_value
        words = _TYPE_WORDS.get(want, want)
        if value is None and want == "object" and err.schema.get("required"):
            name = path[-1] if path else "it"
            return (
                f"{key}: is empty (null); give its keys ({', '.join(err.schema['required'])}) "
                f"or remove {name!r} to skip it"
            )
        hint = ""
        if isinstance(value, str) and from_cli and len(path) > 1:
            hint = (
                " (Snakemake reads every value nested inside --config as a string: put nested "
                "settings in a YAML file and pass it with --configfile)"
            )
        elif isinstance(value, str) and _looks_numeric(value) and want in ("number", "integer"):
            hint = (
                " (YAML reads 1e-5 as a string: write 1.0e-5)"
                if "e" in value.lower() and "." not in value.lower().split("e")[0]
                else " (remove the quotes)"
            )
        elif isinstance(value, float) and want == "integer" and value.is_integer():
            hint = f" (write {int(value)} without a decimal point)"
        return f"{key}: {_describe(value)} is not {words}{hint}{_allowed(err)}"
    if err.validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{key}: {_describe(value)} is out of range ({_bound(err)}){_allowed(err)}"
    if err.validator == "uniqueItems":
        seen, dups = set(), {}  # linear: a list of 10^5 values is checked at once
        for v in value:
            k = _same(v)
            if k in seen:
                dups.setdefault(k, v)
            seen.add(k)
        dups = list(dups.values())
        return (
            f"{key}: {', '.join(map(repr, dups))} listed more than once in {_describe(value)}; "
            f"list each value once{_allowed(err)}"
        )
    if err.validator == "minItems":
        what = (
            "is an empty list"
            if not value
            else f"has {len(value)} item(s), needs {err.validator_value}"
        )
        return f"{key}: {what}{_allowed(err)}"
    if err.validator == "maxItems":
        return (
            f"{key}: has {len(value)} items, at most {err.validator_value} allowed{_allowed(err)}"
        )
    return f"{key}: {_describe(value)} is invalid ({err.message}){_allowed(err)}"


def _schema_messages(config: dict, schema: dict, cli: Mapping, skip: set) -> list[tuple]:
    errors = sorted(
        _validator(schema).iter_errors(config), key=lambda e: list(map(str, e.absolute_path))
    )
    out = []
    for err in errors:
        if tuple(err.absolute_path) in skip:
            continue  # already reported as not finite
        item = (tuple(err.absolute_path), _schema_message(err, cli))
        if item not in out:
            out.append(item)
    return out


# ---- 3. what a schema cannot say ---------------------------------------------------
def _non_finite(value, path=()) -> list[tuple[tuple, str]]:
    if isinstance(value, float) and not math.isfinite(value):
        return [
            (path, f"{_key(path)}: {value!r} is not a finite number; allowed: finite numbers only")
        ]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e308:
        return [(path, f"{_key(path)}: {value} is too large to be a floating-point number")]
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _non_finite(v, (*path, k))]
    if isinstance(value, list):
        return [m for i, v in enumerate(value) for m in _non_finite(v, (*path, i))]
    return []


MAX_VALUES = 1_000_000  # values in the whole configuration, YAML aliases expanded
MAX_DEPTH = 20  # levels of nesting (the deepest valid key is 4 levels down)


def _size_messages(config) -> list[str]:
    """A configuration too large or too deeply nested to check (a few YAML aliases can
    stand for 10^30 values; a few hundred levels overflow Python's recursion): one
    message, found in time linear in the file (each shared node is counted once)."""
    sizes: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    stack = [(config, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = (
            list(node.values())
            if isinstance(node, dict)
            else node
            if isinstance(node, list)
            else []
        )
        if not done:
            if key in sizes or (key in depth_of and depth_of[key] < 0):
                continue
            depth_of[key] = -1  # in progress (a cycle counts as too large)
            stack.append((node, True))
            for child in children:
                if isinstance(child, (dict, list)):
                    if depth_of.get(id(child)) == -1:
                        return [_too_large("contains itself (a recursive YAML alias)")]
                    stack.append((child, False))
            continue
        total, deepest = 1, 0
        for child in children:
            if isinstance(child, (dict, list)):
                total += sizes[id(child)]
                deepest = max(deepest, depth_of[id(child)])
            else:
                total += 1
        sizes[key], depth_of[key] = min(total, MAX_VALUES + 1), deepest + 1
        if depth_of[key] > MAX_DEPTH:
            return [_too_large(f"is nested more than {MAX_DEPTH} levels deep")]
        if sizes[key] > MAX_VALUES:
            return [_too_large(f"holds more than {MAX_VALUES:,} values (YAML aliases expanded)")]
    return []


def _too_large(what: str) -> str:
    return (
        f"(top level): the configuration {what}; allowed: the keys of config/README.md, "
        f"at most {MAX_DEPTH} levels and {MAX_VALUES:,} values"
    )


MAX_MATRIX_ENTRIES = 1_000_000  # N·p of one draw of X
MAX_FEATURES = 1000  # p: the central differences build a p×p matrix


def shape_messages(key: str, shape, need_tall: bool) -> list[str]:
    n_rows, n_cols = shape
    out = []
    if need_tall and n_rows < n_cols:
        out.append(
            f"{key}: [{n_rows}, {n_cols}] has N < p, so XᵀX is singular and the least-squares "
            "solution is not unique; allowed: N >= p"
        )
    if n_cols > MAX_FEATURES or n_rows * n_cols > MAX_MATRIX_ENTRIES:
        out.append(
            f"{key}: [{n_rows}, {n_cols}] is too large for this study; allowed: p <= {MAX_FEATURES} "
            f"and N·p <= {MAX_MATRIX_ENTRIES:,} (X is drawn and kept in memory per seed)"
        )
    return out


def selection(config: dict) -> list[str] | None:
    """The problems named by the ``only`` key (``--config only=a,b``: a comma-separated
    string), in the order given, or None when the key is absent (run every problem).
    :func:`only_messages` checks each name; :func:`gdlab.plan.configured` uses it."""
    only = config.get("only")
    if only is None:
        return None
    return list(dict.fromkeys(n.strip() for n in str(only).split(",") if n.strip()))


def selected(config: dict) -> list[str]:
    """The problems of the configuration the run computes: its sections under
    ``problems``, narrowed to :func:`selection` (as :func:`gdlab.plan.configured`)."""
    only = selection(config)
    return [p for p in config["problems"] if only is None or p in only]


def only_messages(config: dict) -> list[str]:
    """The ``only`` key (``--config only=a,b``): each name must be a problem of this
    configuration (registered, with a section under ``problems``); one message."""
    if "only" not in config:
        return []
    allowed = [p for p in problems.names() if p in config["problems"]]
    what = f"allowed: a comma-separated list of the problems under problems ({', '.join(allowed)})"
    names = selection(config)
    if not names:
        return [f"only: {_describe(config['only'])} names no problem; {what}"]
    unknown = [n for n in names if n not in allowed]
    if not unknown:
        return []
    parts = []
    for n in unknown:
        close = difflib.get_close_matches(n, allowed, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if n in problems.names():
            hint = " (it has no section under problems)"
        parts.append(f"{n!r}{hint}")
    if len(parts) == 1:
        name, _, hint = parts[0].partition(" ")
        return [
            f"only: {name} is not a problem of this configuration{' ' * bool(hint)}{hint}; {what}"
        ]
    return [f"only: {', '.join(parts)} are not problems of this configuration; {what}"]


def _semantic_messages(config: dict) -> list[str]:
    messages = only_messages(config)
    for name, cfg in config["problems"].items():
        s = problems.spec(name)
        key = s.grid.key
        spelled: dict[str, object] = {}
        for v in cfg[key]:
            point = grid.setting(name, v)
            if point in spelled:
                messages.append(
                    f"problems.{name}.{key}: {v!r} and {spelled[point]!r} are the same grid point "
                    f"({point}); list each value once"
                )
            spelled[point] = v
        if "sweep" in cfg and cfg["sweep"]["min"] > cfg["sweep"]["max"]:
            messages.append(
                f"problems.{name}.sweep: min {cfg['sweep']['min']!r} > max {cfg['sweep']['max']!r}; "
                "allowed: min <= max"
            )
        if "threshold" in cfg:
            lo, hi = cfg["threshold"]["bracket"]
            if not lo < hi:
                messages.append(
                    f"problems.{name}.threshold.bracket: [{lo!r}, {hi!r}] is empty; allowed: "
                    "[lo, hi] with 0 < lo < hi, GD stable at lo and unstable at hi"
                )
        if s.validate is not None:
            messages += s.validate(cfg, config)
    if not messages:
        total = count_jobs(config)
        if total > config["max_jobs"]:
            messages.append(
                f"the grid would create {total:,} solver jobs, more than max_jobs = "
                f"{config['max_jobs']:,} ({_jobs_breakdown(config)}); raise seeds_per_job, shrink "
                "the grid, or raise max_jobs if you mean it"
            )
    return messages


def problem_jobs(config: dict, problem: str) -> int:
    """Number of solver jobs of one problem, without listing them."""
    cfg = config["problems"][problem]
    per_job = grid.seeds_per_job(config, problem)
    return len(grid.grid_values(problem, cfg)) * -(-cfg["seeds"] // per_job)


def count_jobs(config: dict) -> int:
    """Solver jobs of the problems the run selects (``only``, else every section)."""
    return sum(problem_jobs(config, p) for p in selected(config))


def _jobs_breakdown(config: dict) -> str:
    return ", ".join(f"{p}: {problem_jobs(config, p):,}" for p in selected(config))


# ---- entry points ------------------------------------------------------------------
def messages(config, schema: dict, cli: Mapping | None = None) -> list[str]:
    """Every problem of ``config`` (empty when it is valid).

    ``cli`` is what was given with ``--config`` (to explain why nested values
    from the command line arrive as strings)."""
    if not isinstance(config, dict):
        return [f"(top level): the configuration is {_describe(config)}, not a mapping of keys"]
    size = _size_messages(config)
    if size:  # checked first: every later check walks the whole configuration
        return size
    non_finite = _non_finite(config)
    found = non_finite + _schema_messages(config, schema, cli or {}, {p for p, _m in non_finite})
    if found:  # in the order of the keys
        return [m for _p, m in sorted(found, key=lambda item: list(map(str, item[0])))]
    return _semantic_messages(config)


def load_schema(schema_path: str | Path) -> dict:
    """The base schema with every registered problem's fragment merged in: its section
    under ``problems``, its keys under ``checks`` (required), and, for a problem run by
    GD, its ``checks.rate_rtol`` tolerance (optional)."""
    import yaml

    schema = yaml.safe_load(Path(schema_path).read_text())
    return with_problems(schema)


def with_problems(schema: dict) -> dict:
    """:func:`load_schema`'s merge, on a base schema already read."""
    props = schema["properties"]
    names = problems.names()
    section = props["problems"]
    section["properties"] = {n: problems.spec(n).schema for n in names}
    section["description"] = (
        f"the problems to run, by name ({', '.join(names)}); leave one out to skip it"
    )
    checks = props["checks"]
    checks["properties"]["rate_rtol"]["properties"] = {
        n: {"$ref": "#/$defs/tol"} for n in names if problems.spec(n).iterative
    }
    for n in names:
        for key, sub in problems.spec(n).check_schema.items():
            checks["properties"][key] = sub
            checks["required"].append(key)
    return schema


def validate(config, schema_path: str | Path, cli: Mapping | None = None) -> None:
    """Raise :class:`ConfigError` listing every problem of ``config``."""
    found = messages(config, load_schema(schema_path), cli)
    if found:
        raise ConfigError(found)
