"""Validate a configuration before any job runs, with messages that name the key,
the bad value and what is allowed.

Two layers: the JSON schema (``workflow/schemas/config.schema.yaml``: types,
ranges, unknown keys) and the checks a schema cannot express (finite numbers,
values that collide once canonicalised, N ≥ p, r ≤ n, the number of jobs).
Pure Python plus jsonschema: the Snakefile calls it at parse time.
"""

from __future__ import annotations

import math
from pathlib import Path

from gdlab import grid


class ConfigError(ValueError):
    """The configuration is invalid; the message lists every problem found."""


def _key(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _describe(value) -> str:
    if isinstance(value, str):
        return f"{value!r} (a string)"
    if isinstance(value, bool):
        return f"{value!r} (a boolean)"
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) < 80 else text[:77] + "..."
    return repr(value)


def _schema_messages(config: dict, schema: dict) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    messages = []
    for err in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path))):
        key = _key(err.absolute_path)
        allowed = err.schema.get("description") if isinstance(err.schema, dict) else None
        if err.validator == "additionalProperties":
            known = sorted(err.schema.get("properties", {}))
            extra = sorted(set(err.instance) - set(known))
            messages.append(
                f"{key}: unknown key(s) {', '.join(map(repr, extra))}; allowed keys: {', '.join(known)}"
            )
            continue
        if err.validator == "required":
            messages.append(f"{key}: {err.message}")
            continue
        if err.validator == "type" and isinstance(err.instance, str):
            hint = (
                " (YAML reads 1e-5 as a string: write 1.0e-5)"
                if _looks_numeric(err.instance)
                else ""
            )
            messages.append(
                f"{key}: {_describe(err.instance)} is not a {err.validator_value}{hint}"
            )
            continue
        if err.validator == "uniqueItems":
            messages.append(
                f"{key}: duplicate values in {_describe(err.instance)}; allowed: {allowed}"
            )
            continue
        desc = f"; allowed: {allowed}" if allowed else ""
        messages.append(f"{key}: value {_describe(err.instance)} is invalid ({err.message}){desc}")
    return messages


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _non_finite(value, path=()) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_key(path)}: value {value!r} is not a finite number"]
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _non_finite(v, (*path, k))]
    if isinstance(value, list):
        return [m for i, v in enumerate(value) for m in _non_finite(v, (*path, i))]
    return []


def _semantic_messages(config: dict) -> list[str]:
    messages = []
    problems = config.get("problems", {})
    for name, cfg in problems.items():
        key, _axis = grid.GRID_AXIS[name]
        spelled: dict[str, object] = {}
        for v in cfg[key]:
            s = grid.setting(name, v)
            if s in spelled:
                messages.append(
                    f"problems.{name}.{key}: {v!r} and {spelled[s]!r} are the same grid point ({s}); "
                    "list each value once"
                )
            spelled[s] = v
        if "sweep" in cfg and cfg["sweep"]["min"] > cfg["sweep"]["max"]:
            messages.append(
                f"problems.{name}.sweep: min {cfg['sweep']['min']!r} > max {cfg['sweep']['max']!r}"
            )
    if "lsq_gd" in problems:
        n_rows, n_cols = problems["lsq_gd"]["shape"]
        if n_rows < n_cols:
            messages.append(
                f"problems.lsq_gd.shape: [{n_rows}, {n_cols}] has N < p, so XᵀX is singular and the "
                "least-squares solution is not unique; allowed: N >= p"
            )
    if "conv_huber" in problems:
        c = problems["conv_huber"]
        if c["r"] > c["n"]:
            messages.append(
                f"problems.conv_huber: filter length r = {c['r']} > signal length n = {c['n']}; allowed: r <= n"
            )
    if "sharp_wide" in problems:
        lo, hi = problems["sharp_wide"]["start_interval"]
        if not lo < hi:
            messages.append(
                f"problems.sharp_wide.start_interval: [{lo}, {hi}] is empty; allowed: lo < hi"
            )
    if not messages:
        total = sum(len(grid.jobs(config, p)) for p in problems)
        if total > config["max_jobs"]:
            messages.append(
                f"the grid would create {total} solver jobs, more than max_jobs = {config['max_jobs']}; "
                "raise seeds_per_job, shrink the grid, or raise max_jobs if you mean it"
            )
    return messages


def validate(config: dict, schema_path: str | Path) -> None:
    """Raise :class:`ConfigError` listing every problem of ``config``."""
    import yaml

    schema = yaml.safe_load(Path(schema_path).read_text())
    messages = _non_finite(config) or _schema_messages(config, schema)
    if not messages:
        messages = _semantic_messages(config)
    if messages:
        raise ConfigError(
            "invalid configuration (nothing was run):\n  - " + "\n  - ".join(messages)
        )


def count_jobs(config: dict) -> int:
    return sum(len(grid.jobs(config, p)) for p in config["problems"])
