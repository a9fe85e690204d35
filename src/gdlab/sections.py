"""The schema of a problem's config section, in pieces a problem's ``SPEC`` composes
(``Problem.schema``); :mod:`gdlab.spec` hands them out (``from gdlab.spec import
gd_section, ref, section, threshold_key``).  The base schema
(workflow/schemas/config.schema.yaml) defines what :func:`ref` names under ``$defs``."""

from __future__ import annotations


def ref(name: str, description: str | None = None) -> dict:
    """``{"$ref": "#/$defs/<name>"}`` (with its own description, if given)."""
    out: dict = {"$ref": f"#/$defs/{name}"}
    if description:
        out["description"] = description
    return out


def threshold_key(unit: str = "step sizes α") -> dict:
    """``{"threshold": schema}``: the optional key of a problem with a threshold
    experiment, ``threshold: {bracket: [lo, hi], window: N}`` (pass it as ``optional``)."""
    return {
        "threshold": {
            "type": "object",
            "additionalProperties": False,
            "required": ["bracket"],
            "description": "the threshold experiment (docs/thresholds.md): bisect between a "
            "stable lo and an unstable hi",
            "properties": {
                "bracket": {
                    "type": "array",
                    "items": ref("step_size"),
                    "minItems": 2,
                    "maxItems": 2,
                    "description": f"[lo, hi] in {unit}, 0 < lo < hi, with GD stable at lo and "
                    "unstable at hi at every minimum (or seed) of the experiment",
                },
                "window": ref("threshold_window", "overrides thresholds.window for this problem"),
            },
        }
    }


def section(description: str, properties: dict, required: list[str]) -> dict:
    """The schema of one problem's config section (no other keys allowed)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "description": description,
        "properties": properties,
    }


def gd_section(
    description: str,
    grid: tuple[str, dict],
    optional: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> dict:
    """The section of a problem run by GD: its grid key, ``seeds``, ``seeds_per_job``,
    its own keys ``before`` the step budget, ``max_steps``, ``tolerance``,
    ``divergence_factor``, the optional orbit test (``cycle_max_period``,
    ``cycle_rtol``), the optional ``record_per_decade``, then ``after``; ``optional``
    keys follow the grid key."""
    key, grid_schema = grid
    before, after, optional = before or {}, after or {}, optional or {}
    properties = {
        key: grid_schema,
        **optional,
        "seeds": ref("seeds"),
        "seeds_per_job": ref("seeds_per_job"),
        "points_per_job": ref("points_per_job"),
        **before,
        "max_steps": ref("max_steps"),
        "tolerance": ref("tolerance"),
        "divergence_factor": ref("divergence_factor"),
        "cycle_max_period": ref("cycle_max_period"),
        "cycle_rtol": ref("cycle_rtol"),
        "record_per_decade": ref("record_per_decade"),
        **after,
    }
    required = [key, "seeds", *before, "max_steps", "tolerance", "divergence_factor", *after]
    return section(description, properties, required)
