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
