"""One line per JSON-schema error of a configuration, naming the key, the bad value
and what is allowed (layer 2 of :mod:`gdlab.config`)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from gdlab.config_files import describe, key_name

_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
}


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


def _type_hint(value, want: str, nested_cli: bool) -> str:
    """Why a value of the wrong type may have been written so, and how to write it."""
    if isinstance(value, str) and nested_cli:
        return (
            " (Snakemake reads every value nested inside --config as a string: put nested "
            "settings in a YAML file and pass it with --configfile)"
        )
    if isinstance(value, str) and _looks_numeric(value) and want in ("number", "integer"):
        return (
            " (YAML reads 1e-5 as a string: write 1.0e-5)"
            if "e" in value.lower() and "." not in value.lower().split("e")[0]
            else " (remove the quotes)"
        )
    if isinstance(value, float) and want == "integer" and value.is_integer():
        return f" (write {int(value)} without a decimal point)"
    return ""


def _duplicates(values) -> list:
    """The values listed more than once (as first seen), in linear time: a list of
    10^5 values is checked at once."""
    seen, dups = set(), {}
    for v in values:
        k = _same(v)
        if k in seen:
            dups.setdefault(k, v)
        seen.add(k)
    return list(dups.values())


def _schema_message(err, cli: Mapping) -> str:
    path = list(err.absolute_path)
    key, value = key_name(path), err.instance
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
        hint = _type_hint(value, want, from_cli and len(path) > 1)
        return f"{key}: {describe(value)} is not {words}{hint}{_allowed(err)}"
    if err.validator in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{key}: {describe(value)} is out of range ({_bound(err)}){_allowed(err)}"
    if err.validator == "uniqueItems":
        return (
            f"{key}: {', '.join(map(repr, _duplicates(value)))} listed more than once in "
            f"{describe(value)}; "
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
    return f"{key}: {describe(value)} is invalid ({err.message}){_allowed(err)}"


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
