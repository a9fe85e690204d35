"""The basin map: where GD ends, over the whole (α, x₀) plane.

One cell per step size α of the grid (columns, log axis) and bin of starts x₀
(rows); each cell is coloured by the class most of the runs that started in it
ended in (sharp, wide, cycle, aperiodic, diverged, not converged; ties go to the
earlier class of that list), and left white where no run started: a cell shows
what its own runs did, never a neighbour's.  The bins are as fine as the starts
allow: about :data:`RUNS_PER_BIN` runs a cell where an α has at least
:data:`RUNS_PER_BIN` × :data:`MIN_BINS` starts (at most :data:`MAX_BINS` bins), else
:data:`SPARSE_BINS` bins, most of them white.  The stability thresholds 2/f''(x*) of
both minima are vertical lines, the minima and the local maximum (the basin boundary
of gradient flow) horizontal ones, at their exact places, so the map reads against
the theory: left of 2/f''(x*_sharp) the boundary between the sharp and the wide
colour sits at the local maximum, between the thresholds no cell is sharp, right of
2/f''(x*_wide) no cell converged.  The legend counts runs, not cells.

With 10⁶ runs (``config/large.yaml``: 4000 starts per α) the map resolves the
fractal-looking boundary of large steps; the default 50 starts per α leave most
cells white.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdlab import style
from gdlab.frames import last_rows
from gdlab.problems.sharp_wide import numerics
from gdlab.problems.sharp_wide.ends import CATEGORIES, COLORS, categorize, position_scale

MAX_BINS = 400  # x₀ bins at most (the figure stays far below 2000 px)
RUNS_PER_BIN = 10  # starts per cell (per α) a majority is taken over
MIN_BINS = 50  # fewer starts than RUNS_PER_BIN × MIN_BINS per α: SPARSE_BINS bins
SPARSE_BINS = 200  # x₀ bins of a map of few starts (each run fills its own cell)


def _per_run(df: pd.DataFrame) -> pd.DataFrame:
    """One row per run with ``x_start`` and ``x_final``: ``df`` itself when it already is
    (it has ``x_start``), else built from the per-row frame (its step-0 and last rows)."""
    if "x_start" in df:
        return df
    runs = last_rows(df)
    key = pd.MultiIndex.from_frame(runs[["setting", "seed"]])
    start = df[df["step"] == 0].drop_duplicates(["setting", "seed"]).set_index(["setting", "seed"])
    runs = runs.assign(
        x_start=start["x"].reindex(key).to_numpy(),
        x_final=runs["x"].to_numpy(),
        minimum=runs["minimum"].where(runs["outcome"] == "converged", None),
    )
    return runs.drop(columns=["step", "x"])


def bins(runs: pd.DataFrame) -> int:
    """The number of x₀ bins, from the starts per α (the median over α): about
    :data:`RUNS_PER_BIN` runs per cell, at most :data:`MAX_BINS` bins, where there are
    at least :data:`RUNS_PER_BIN` × :data:`MIN_BINS` starts; else :data:`SPARSE_BINS`
    (the default study's 50 starts: each run fills its own cell, the rest stay
    white rather than take a neighbour's class)."""
    per_alpha = float(runs.groupby("alpha").size().median()) if len(runs) else 0.0
    if per_alpha >= RUNS_PER_BIN * MIN_BINS:
        return int(min(per_alpha // RUNS_PER_BIN, MAX_BINS))
    return SPARSE_BINS


def cells(runs: pd.DataFrame, interval, n_bins: int) -> tuple[np.ndarray, ...]:
    """Per (x₀ bin, α): the class most of the runs that started in the cell ended in
    (index into :data:`CATEGORIES`; ties: the earlier class; −1 for a cell where no
    run started) and the share of the cell's runs in it.  Returns (alphas, classes,
    shares, counts): the middle two of shape (n_bins, len(alphas)), ``counts`` the
    runs of each class drawn (runs outside ``interval`` are left out)."""
    lo, hi = float(interval[0]), float(interval[1])
    alphas = np.sort(runs["alpha"].astype(float).unique())
    x = runs["x_start"].to_numpy(dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        where = (x - lo) / (hi - lo) * n_bins  # hi − lo is finite (the config's check)
    inside = np.isfinite(where) & (where >= 0) & (where < n_bins)
    col = np.searchsorted(alphas, runs["alpha"].to_numpy(dtype=float))
    code = {c: i for i, c in enumerate(CATEGORIES)}
    cls = np.array([code.get(c, -1) for c in categorize(runs)], dtype=np.int64)
    keep = inside & (cls >= 0)  # a run converged to the local maximum has no class here
    row = np.minimum(np.floor(np.where(inside, where, 0)).astype(np.int64), n_bins - 1)
    counts = np.zeros((n_bins, len(alphas), len(CATEGORIES)), dtype=np.int64)
    np.add.at(counts, (row[keep], col[keep], cls[keep]), 1)
    total = counts.sum(axis=2)
    classes = np.where(total > 0, counts.argmax(axis=2), -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(total > 0, counts.max(axis=2) / np.maximum(total, 1), np.nan)
    return alphas, classes, shares, counts.sum(axis=(0, 1))


def _log_edges(alphas: np.ndarray) -> np.ndarray:
    """Cell edges in log₁₀ α: midway between neighbours, half a step beyond the ends."""
    la = np.log10(alphas)
    if la.size == 1:
        return np.array([la[0] - 0.5, la[0] + 0.5])
    mid = (la[1:] + la[:-1]) / 2
    return np.concatenate([[2 * la[0] - mid[0]], mid, [2 * la[-1] - mid[-1]]])


def _decade_ticks(ax, lo: float, hi: float) -> None:
    """A log₁₀ α axis: ticks 10^k at the decades (at most about 8), minor ticks between."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    first, last = int(np.ceil(lo)), int(np.floor(hi))
    step = max(1, int(np.ceil((last - first + 1) / 8)))
    decades = np.arange(first, last + 1, step)
    ax.xaxis.set_major_locator(FixedLocator(decades))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"$10^{{{round(v)}}}$"))
    if step == 1 and last - first < 30:
        minor = [d + np.log10(m) for d in range(first - 1, last + 1) for m in range(2, 10)]
        ax.xaxis.set_minor_locator(FixedLocator([m for m in minor if lo <= m <= hi]))
    else:
        ax.xaxis.set_minor_locator(NullLocator())


def _thresholds(ax, a_edges: np.ndarray) -> tuple[float, float]:
    """The α axis: every α of the grid and both thresholds 2/f''(x*) inside it."""
    thresholds = numerics.thresholds()
    t_lo, t_hi = np.log10(min(thresholds.values())), np.log10(max(thresholds.values()))
    x_lo = float(min(a_edges[0], t_lo - 0.1))
    x_hi = float(max(a_edges[-1], t_hi + 0.1))
    ax.set_xlim(x_lo, x_hi)
    return x_lo, x_hi


def _marks(ax, x_edges: np.ndarray, x_lo: float, x_hi: float, k: float = 1.0) -> None:
    """Decade ticks, the thresholds (thin white dashes: visible on every class's
    colour, and their gaps show the cells beneath, a column being ~3 px wide at 250 α)
    with their values on a top axis, and the critical points as horizontal lines."""
    thresholds = numerics.thresholds()
    cp = numerics.critical_points()
    _decade_ticks(ax, x_lo, x_hi)
    for t in thresholds.values():
        ax.axvline(np.log10(t), color="white", ls=(0, (3, 3)), lw=0.9)
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        [np.log10(thresholds["sharp"]), np.log10(thresholds["wide"])],
        [
            rf"$2/f''(x^*_{{\rm sharp}}) = {thresholds['sharp']:.4f}$",
            rf"$2/f''(x^*_{{\rm wide}}) = {thresholds['wide']:.2f}$",
        ],
    )
    top.tick_params(length=5, width=1.2, labelsize=7.5)
    top.minorticks_off()
    marks = {  # name: (label, line style)
        "sharp": ("sharp minimum", (0, (8, 2))),
        "maximum": ("local maximum", (0, (1.5, 1.5))),
        "wide": ("wide minimum", (0, (8, 2))),
    }
    for name, (label, ls) in marks.items():
        xs = cp[name][0]
        if not x_edges[0] <= xs <= x_edges[-1]:
            continue
        ax.axhline(xs / k, color="white", ls=ls, lw=0.8)
        star = "" if name == "maximum" else "*"  # a maximum is no x*
        text = f"{label}  x{star} = {xs:.{5 if name == 'sharp' else 2}f}"
        style.label_right(ax, xs / k, text.replace("-", "−"), dx=4)


def figure(
    problem: str,
    df: pd.DataFrame,
    paths: list[str],
    dpi: int,
    start_interval: list[float],
) -> pd.DataFrame:
    """Draw the map from the runs of ``sharp_wide`` (per row, or one row per run); returns
    its cells: one row per (α, x₀ bin) with the majority ``category`` and its ``share``."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    style.use()
    runs = _per_run(df)
    lo, hi = float(start_interval[0]), float(start_interval[1])
    n_bins = bins(runs)
    x_edges = np.linspace(lo, hi, n_bins + 1)
    if not np.all(np.diff(x_edges) > 0):  # an interval a few ulps wide: one bin
        n_bins, x_edges = 1, np.array([lo, hi])
    alphas, classes, shares, drawn = cells(runs, (lo, hi), n_bins)
    a_edges = _log_edges(alphas)

    k, note = position_scale(lo, hi)
    fig, ax = plt.subplots(figsize=(style.WIDTH, 4.6), constrained_layout=True)
    ax.pcolormesh(
        a_edges,
        x_edges / k,
        np.ma.masked_less(classes, 0),
        cmap=ListedColormap([COLORS[c] for c in CATEGORIES]),
        vmin=-0.5,
        vmax=len(CATEGORIES) - 0.5,
        shading="flat",
        rasterized=True,  # one image in the SVG, not a path per cell
        zorder=1,
    )
    ax.grid(False)
    x_lo, x_hi = _thresholds(ax, a_edges)
    ax.set_ylim(x_edges[0] / k, x_edges[-1] / k)
    _marks(ax, x_edges, x_lo, x_hi, k)
    ax.set_xlabel(f"step size α (log scale; {len(alphas)} values)")
    ax.set_ylabel(f"start x₀ ({n_bins} bins){note}")
    ax.set_title(
        f"Where GD ends on the sharp/wide landscape: {len(runs):,} runs, "
        f"{len(alphas)} α × {n_bins} x₀ bins\n({int((classes >= 0).sum()):,} cells hold a "
        "start; each shows what most of the runs that started in it did)",
        fontsize=8.5,
    )
    fig.legend(
        [Patch(color=COLORS[c]) for c in CATEGORIES],
        [f"{c} ({int(drawn[i]):,} runs)" for i, c in enumerate(CATEGORIES)],
        loc="outside lower center",
        ncol=3,
        title=f"where GD from x₀ ~ U[{lo:g}, {hi:g}) ended (white: no start)".replace("-", "−"),
        title_fontsize=8,
    )
    style.save(fig, paths, dpi=dpi)
    return _cell_frame(alphas, x_edges, classes, shares)


def _cell_frame(alphas, x_edges, classes, shares) -> pd.DataFrame:
    """One row per (α, x₀ bin): its edges, majority ``category`` (None: no start) and
    ``share``."""
    a_idx, x_idx = np.meshgrid(np.arange(len(alphas)), np.arange(classes.shape[0]))
    return pd.DataFrame(
        {
            "alpha": alphas[a_idx.ravel()],
            "x_lo": x_edges[x_idx.ravel()],
            "x_hi": x_edges[x_idx.ravel() + 1],
            "category": [CATEGORIES[c] if c >= 0 else None for c in classes.ravel()],
            "share": shares.ravel(),
        }
    )
