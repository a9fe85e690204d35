"""What the report tests read: the test config's problems and figures (from the
registry), and the report's embedded data, PNG sizes and pixels."""

from __future__ import annotations

import io
import json
import re
import struct

import numpy as np
import yaml

from gdlab import plan, problems
from support.checkout import REPO

# What the test config runs, from the registry: its problems, and each problem's
# figures (each made by the rule named after the figure).
PROBLEMS = tuple(plan.configured(yaml.safe_load((REPO / "config/test.yaml").read_text())))
FIGURES_OF = {p: tuple(f.name for f in problems.spec(p).figures) for p in PROBLEMS}
FIGURES = tuple(name for p in PROBLEMS for name in FIGURES_OF[p])
FIGURE_RULES = set(FIGURES)
# each problem's interactive charts (each made by the rule chart_<name>)
CHARTS_OF = {p: problems.spec(p).charts for p in PROBLEMS}
CHARTS = tuple(c for p in PROBLEMS for c in CHARTS_OF[p])
# the figures drawn by the generic convergence plot (gdlab.plots.convergence)
CONVERGENCE_FIGURES = {
    f.name: 1
    for p in PROBLEMS
    for f in problems.spec(p).figures
    if f.function.startswith("gdlab.plots.convergence:")
}


def embedded(html: str, name: str):
    """A JSON document the report embeds as ``var <name> = {...};``."""
    match = re.search(rf"var {name} = (\{{.*?\}});\n", html, re.S)
    assert match, f"the report has no '{name}' data"
    return json.loads(match.group(1))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def pixels(data: bytes) -> np.ndarray:
    import matplotlib.image

    return matplotlib.image.imread(io.BytesIO(data), format="png")[..., :3]


def chart_spec(html: str) -> dict:
    """The Vega-Lite spec a chart page (gdlab.charts.page) hands to vega-embed."""
    match = re.search(r"^\s*const spec = (\{.*\});$", html, re.M)
    assert match, "the chart page has no Vega-Lite spec"
    return json.loads(match.group(1))


def layers(spec: dict) -> dict[str, dict]:
    """name -> layer of a chart's spec, every named layer (nested ones too), each with
    its ``rows``: the data it draws (from the spec's ``datasets``)."""
    out = {}

    def walk(node):
        for layer in node.get("layer", []):
            if "name" in layer:
                data = layer.get("data", {})
                rows = spec["datasets"][data["name"]] if "name" in data else data.get("values")
                out[layer["name"]] = {**layer, "rows": rows}
            walk(layer)

    walk(spec)
    return out


def hoverable(spec: dict) -> dict[str, list[str]]:
    """name -> tooltip titles of every named layer a reader can hover on one mark
    (points, ticks, rules; a line's tooltips are on its points, which have no name)."""
    out = {}
    for name, layer in layers(spec).items():
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        tips = layer.get("encoding", {}).get("tooltip", [])
        if mark != "line" and tips:
            out[name] = [t["title"] for t in tips]
    return out
