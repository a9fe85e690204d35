"""Validate a configuration before any job runs, with messages that name the key,
the bad value and what is allowed.

Three layers, all run at parse time (``workflow/rules/preflight.smk`` and
``workflow/rules/common.smk``), before Snakemake creates a job or ``results/``:

1. the config *files*: YAML syntax errors with their line and column (Snakemake's
   own message names neither), and keys written twice in one mapping (YAML
   silently keeps the last one) — :func:`check_files` (in :mod:`gdlab.config_files`);
2. the JSON schema ``workflow/schemas/config.schema.yaml`` with every problem's
   fragment (``SPEC.schema``) merged in: types, ranges,
   unknown keys (with a "did you mean"), required keys — :func:`validate` (its
   messages: :mod:`gdlab.config_schema`);
3. what a schema cannot express: non-finite numbers, grid values that collide
   once canonicalised, each problem's own rules (``SPEC.validate``: e.g. N ≥ p of
   a shape, :mod:`gdlab.limits`), and the number of solver jobs — here.

Every problem found is listed at once; :func:`fail` prints the list alone (no
Snakemake traceback) and exits with status 1.  Pure Python plus jsonschema and
PyYAML (both Snakemake dependencies): no NumPy at parse time.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Mapping
from pathlib import Path

from gdlab import config_files, grid, problems
from gdlab.config_files import describe, key_name
from gdlab.config_schema import _schema_messages
from gdlab.limits import job_bytes, megabytes, seeds_within, size_messages
from gdlab.spec import canonical_float

# layer 1, the files, as the rules call it (gdlab.config_files)
check_files = config_files.check_files
default_configfile = config_files.default_configfile
sources = config_files.sources


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


def workplace_messages(root: str | Path = ".") -> list[str]:
    """What in the working directory keeps a run from writing its results: a
    ``results`` (or one of the folders gdlab writes into) that is not a folder."""
    out = []
    for name in ("results", "results/runs", "results/logs"):
        path = Path(root) / name
        if path.exists() and not path.is_dir():
            out.append(
                f"{name}: is a file, not a folder; gdlab writes every result under "
                f"{name}/: move or delete that file"
            )
            break
    return out


def fail_workplace(messages: list[str]) -> None:
    """One line a fault of the working directory, on stderr, and exit 1."""
    for m in messages:
        print(f"Error: {m}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# ---- 3. what a schema cannot say ---------------------------------------------------
def _non_finite(value, path=()) -> list[tuple[tuple, str]]:
    if isinstance(value, float) and not math.isfinite(value):
        return [
            (
                path,
                f"{key_name(path)}: {value!r} is not a finite number; allowed: finite numbers only",
            )
        ]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e308:
        return [(path, f"{key_name(path)}: {value} is too large to be a floating-point number")]
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _non_finite(v, (*path, k))]
    if isinstance(value, list):
        return [m for i, v in enumerate(value) for m in _non_finite(v, (*path, i))]
    return []


def selection(config: dict, key: str = "only") -> list[str] | None:
    """The problems named by ``key`` (``only`` by default, or ``study``: a comma-separated
    string), in the order given, or None when the key is absent.  :func:`names_messages`
    checks each name; :func:`gdlab.plan.study` and :func:`gdlab.plan.configured` use it."""
    value = config.get(key)
    if value is None:
        return None
    return list(dict.fromkeys(n.strip() for n in str(value).split(",") if n.strip()))


def in_study(config: dict) -> list[str]:
    """The problems of the study: the sections under ``problems``, narrowed to the
    ``study`` key when it is set (a config file's own study, e.g. config/large.yaml)."""
    study = selection(config, "study")
    return [p for p in config["problems"] if study is None or p in study]


def selected(config: dict) -> list[str]:
    """The problems the run computes: the study's, narrowed to ``only`` (a subset, which
    never alters the study's files: docs/deploying.md)."""
    only = selection(config)
    return [p for p in in_study(config) if only is None or p in only]


def names_messages(config: dict, key: str) -> list[str]:
    """The ``study`` key (each name a problem with a section under ``problems``) or the
    ``only`` key (``--config only=a,b``: each name a problem of the study); one message."""
    if key not in config:
        return []
    sections = [p for p in problems.names() if p in config["problems"]]
    narrowed = key == "only" and "study" in config
    allowed = [p for p in sections if not narrowed or p in in_study(config)]
    whose = "the study's problems" if narrowed else "the problems under problems"
    what = f"allowed: a comma-separated list of {whose} ({', '.join(allowed)})"
    names = selection(config, key)
    if not names:
        return [f"{key}: {describe(config[key])} names no problem; {what}"]
    unknown = [n for n in names if n not in allowed]
    if not unknown:
        return []
    parts = []
    for n in unknown:
        close = difflib.get_close_matches(n, allowed, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        if n in problems.names() and n not in sections:
            hint = " (it has no section under problems)"
        elif n in sections:
            hint = " (the study key leaves it out)"
        parts.append(f"{n!r}{hint}")
    if len(parts) == 1:
        name, _, hint = parts[0].partition(" ")
        return [
            f"{key}: {name} is not a problem of this configuration{' ' * bool(hint)}{hint}; {what}"
        ]
    return [f"{key}: {', '.join(parts)} are not problems of this configuration; {what}"]


def only_messages(config: dict) -> list[str]:
    """:func:`names_messages` of ``study``, then (when the study is valid) of ``only``."""
    return names_messages(config, "study") or names_messages(config, "only")


def _semantic_messages(config: dict, invalid: list[tuple] = ()) -> list[str]:
    """The checks a schema cannot express, of every key the schema found valid
    (``invalid``: the paths of the schema's messages; a check reading a key at, below or
    above one of them is skipped), so that every fault is named in one go."""

    def reachable(*path) -> bool:  # no fault at the key or above it: it is what it says
        return not any(p == path[: len(p)] for p in invalid)

    def valid(*path) -> bool:  # no fault at, above or below the key
        return reachable(*path) and not any(p[: len(path)] == path for p in invalid)

    problems_ok = reachable("problems") and isinstance(config.get("problems"), dict)
    messages = only_messages(config) if valid("only") and valid("study") and problems_ok else []
    for name, cfg in config["problems"].items() if problems_ok else ():
        if name not in problems.names() or not isinstance(cfg, dict):
            continue  # the schema named it
        s = problems.spec(name)
        for key in s.grid.config_keys if s.grid.kind == "pair" else (s.grid.key,):
            spelled: dict[str, object] = {}
            for v in cfg[key] if valid("problems", name, key) else ():
                point = _spelling(s.grid, key, name, v)
                if point in spelled:
                    messages.append(
                        f"problems.{name}.{key}: {v!r} and {spelled[point]!r} are the same grid "
                        f"point ({point}); list each value once"
                    )
                spelled[point] = v
        for key in ("sweep", "window"):
            if valid("problems", name, key) and cfg.get(key) and cfg[key]["min"] > cfg[key]["max"]:
                messages.append(
                    f"problems.{name}.{key}: min {cfg[key]['min']!r} > max "
                    f"{cfg[key]['max']!r}; allowed: min <= max"
                )
        if "threshold" in cfg and valid("problems", name, "threshold"):
            lo, hi = cfg["threshold"]["bracket"]
            if not lo < hi:
                messages.append(
                    f"problems.{name}.threshold.bracket: [{lo!r}, {hi!r}] is empty; allowed: "
                    "[lo, hi] with 0 < lo < hi, GD stable at lo and unstable at hi"
                )
        if s.validate is not None and not invalid:  # it may read any key of the config
            messages += s.validate(cfg, config)
    if not messages and not invalid:
        messages += [m for p in selected(config) for m in memory_messages(config, p)]
    if not messages and not invalid:
        total = count_jobs(config)
        if total > config["max_jobs"]:
            messages.append(
                f"the grid would create {total:,} solver jobs, more than max_jobs = "
                f"{config['max_jobs']:,} ({_jobs_breakdown(config)}); raise seeds_per_job or "
                "points_per_job, shrink the grid, or raise max_jobs if you mean it"
            )
    return messages


def _spelling(g, key: str, name: str, v) -> str:
    """How value ``v`` of grid key ``key`` is written in a grid point's name (a pair's
    name or one of its numbers, :meth:`gdlab.spec.Grid.point`)."""
    if g.kind != "pair":
        return grid.setting(name, v)
    return str(v) if key == g.keys[0] else canonical_float(v)


def memory_messages(config: dict, problem: str) -> list[str]:
    """A solver job of ``problem`` the memory model says would need more than
    ``max_job_memory_mb``: one message naming the key to lower."""
    budget, footprint, rows = grid.job_memory(config, problem)
    per_job = grid.seeds_per_job(config, problem)
    need = job_bytes(footprint, per_job, rows)
    if need <= budget:
        return []
    fit = seeds_within(budget, footprint, rows)
    limit = (
        f"more than max_job_memory_mb = {budget // 2**20} (the memory model, docs/performance.md)"
    )
    if fit == 0:
        return [
            f"problems.{problem}: one seed needs about "
            f"{megabytes(job_bytes(footprint, 1, rows))} in a solver job, "
            f"{limit}; allowed: a smaller problem size or a larger max_job_memory_mb"
        ]
    section = config["problems"][problem]
    key = f"problems.{problem}.seeds_per_job" if "seeds_per_job" in section else "seeds_per_job"
    return [
        f"{key}: a solver job of {per_job:,} {problem} seeds needs about {megabytes(need)}, "
        f"{limit}; allowed: seeds_per_job <= {fit:,} for {problem}, or a larger "
        "max_job_memory_mb"
    ]


def problem_jobs(config: dict, problem: str) -> int:
    """Number of solver jobs of one problem, without listing them."""
    cfg = config["problems"][problem]
    runs = [grid.runs_at(problem, cfg, v) for v in grid.grid_values(problem, cfg)]
    return grid.count_batches(
        runs, grid.seeds_per_job(config, problem), grid.points_per_job(config, problem)
    )


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
        return [f"(top level): the configuration is {describe(config)}, not a mapping of keys"]
    size = size_messages(config)
    if size:  # checked first: every later check walks the whole configuration
        return size
    non_finite = _non_finite(config)
    found = non_finite + _schema_messages(config, schema, cli or {}, {p for p, _m in non_finite})
    # in the order of the keys, then what the schema cannot check of the keys it found valid
    ordered = [m for _p, m in sorted(found, key=lambda item: list(map(str, item[0])))]
    return ordered + _semantic_messages(config, [tuple(map(str, p)) for p, _m in found])


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
