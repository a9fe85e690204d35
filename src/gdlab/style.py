"""The project's one matplotlib style: Agg backend, colour-blind-safe colours, sizes
readable at column width.  Every figure function calls :func:`use` first."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display needed, ever

import matplotlib.pyplot as plt

# Okabe–Ito palette (colour-blind safe)
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
OUTCOME_COLORS = {
    "sharp": "#D55E00",
    "wide": "#0072B2",
    "diverged": "#000000",
    "not converged": "#E69F00",
}

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "svg.hashsalt": "gdlab",  # deterministic SVG ids
    "svg.fonttype": "none",
    "path.simplify": True,
}


def use() -> None:
    plt.rcParams.update(RC)


def save(fig, paths: list[str], dpi: int = 150) -> None:
    """Save to every path (format from the suffix) without a timestamp in the file."""
    for p in paths:
        metadata = {"Date": None} if p.endswith(".svg") else {"Software": None}
        fig.savefig(p, metadata=metadata, dpi=dpi)
    plt.close(fig)
