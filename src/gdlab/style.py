"""The project's one matplotlib style: Agg backend, colour-blind-safe colours, sizes
readable at print size.  Every figure function calls :func:`use` first.

Figures are drawn at their print size: ``WIDTH`` (a page's text width) for the
multi-panel figures, so 8–9 pt text stays 8–9 pt on paper; PNGs (README, report)
are rendered from the same figure at ``plots.dpi``.  The font is matplotlib's
bundled DejaVu Sans, so a figure looks the same on every machine.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display needed, ever

import matplotlib.pyplot as plt

# Okabe & Ito (2008), the colour-blind-safe palette
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
PURPLE, SKY, YELLOW, BLACK, GREY = "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#7F7F7F"
OKABE_ITO = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK]

# Where a step size lies relative to the theory's threshold (the convergence figures)
REGIME_COLORS = {"below": BLUE, "at": ORANGE, "above": VERMILLION}
THEORY = {"color": BLACK, "ls": "--", "lw": 1.2}  # every "what the theory predicts" line

WIDTH = 7.0  # inches: a page's text width; multi-panel figures use it
COLUMN = 3.4  # inches: one column of a two-column page

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.04,
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "lines.linewidth": 1.5,
    "lines.markersize": 4,
    "legend.frameon": False,
    "svg.hashsalt": "gdlab",  # deterministic SVG ids
    "svg.fonttype": "none",
    "path.simplify": True,
}


def use() -> None:
    plt.rcParams.update(RC)


def save(fig, paths: list[str], dpi: int = 150) -> None:
    """Save to every path (format from the suffix) without a timestamp in the file."""
    for p in paths:
        metadata = {"Date": None} if p.endswith((".svg", ".pdf")) else {"Software": None}
        if p.endswith(".pdf"):
            metadata["CreationDate"] = None
            metadata.pop("Date")
        fig.savefig(p, metadata=metadata, dpi=dpi)
    plt.close(fig)


def label_right(ax, y: float, text: str, color=None, dx: float = 6) -> None:
    """``text`` beside the panel's right edge at data height ``y`` (a threshold's or
    a minimum's name next to its line)."""
    ax.annotate(
        text,
        (1.0, y),
        xycoords=("axes fraction", "data"),
        xytext=(dx, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=7.5,
        color=color,
        annotation_clip=False,
    )
