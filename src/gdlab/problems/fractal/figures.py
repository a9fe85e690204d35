"""The figures of ``fractal``: the barcode of outcomes against α (with zooms at three
scales) and log₂ numB(j) against j with the fitted slope, per single setup; the
setups of a (δ, λ) grid as a map of their dimensions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap

from gdlab import style
from gdlab.problems.fractal import boundary
from gdlab.problems.fractal.setups import named

BARS = ListedColormap(["white", style.BLACK])  # bounded white, diverged black
ZOOMS = (4, 8, 12)  # each zoom is 2^-z of the whole axis


def _axes(df: pd.DataFrame, section: dict) -> dict[str, tuple]:
    """(setup, its outcomes over i = 0…2^k) of every single setup with runs."""
    by = dict(iter(df.groupby("setting", sort=False)))
    out = {}
    for name in section["setups"]:
        s = named(section)[name]
        if f"setup_{name}" in by:
            out[name] = (s, boundary.diverged_axis(by[f"setup_{name}"], s, f"setup_{name}"))
    return out


def _window(diverged: np.ndarray, z: int) -> tuple[int, int]:
    """A window of 2^-z of the axis (at least 16 indices) centred on its median
    boundary point."""
    n = diverged.size
    change = np.flatnonzero(diverged[1:] != diverged[:-1])
    centre = int(change[change.size // 2]) if change.size else n // 2
    half = max(8, (n - 1) >> (z + 1))
    lo = max(0, min(centre - half, n - 1 - 2 * half))
    return lo, min(n - 1, lo + 2 * half)


def barcode(problem, df, paths, dpi, section: dict) -> None:
    style.use()
    axes_ = _axes(df, section)
    rows = max(1, len(axes_))
    fig, grid = plt.subplots(
        rows, 1 + len(ZOOMS), figsize=(style.WIDTH, 0.9 + 0.8 * rows), squeeze=False
    )
    for r, (name, (s, diverged)) in enumerate(axes_.items()):
        spans = [(0, diverged.size - 1)] + [_window(diverged, z) for z in ZOOMS]
        for c, (lo, hi) in enumerate(spans):
            ax = grid[r, c]
            ax.imshow(
                diverged[None, lo : hi + 1].astype(np.uint8),
                aspect="auto",
                cmap=BARS,
                vmin=0,
                vmax=1,
                interpolation="nearest",
                extent=(s.alpha(lo - 0.5), s.alpha(hi + 0.5), 0, 1),
            )
            ax.set_yticks([])
            ax.grid(False)
            ax.tick_params(axis="x", labelsize=6)
            ax.set_title(
                f"{name}: α ∈ [0, 1.5]" if c == 0 else f"zoom 2^-{ZOOMS[c - 1]}", fontsize=7
            )
        grid[r, 0].set_ylabel(f"{s.form[:4]}.\nδ={s.delta:g}", fontsize=7)
    for ax in grid[-1]:
        ax.set_xlabel("α")
    fig.suptitle("GD outcome against α (black: the loss passed the bound; white: bounded)")
    fig.tight_layout()
    style.save(fig, paths, dpi)


def dimension(problem, df, paths, dpi, section: dict) -> None:
    style.use()
    axes_ = _axes(df, section)
    grids = list((section.get("grids") or {}).items())
    fig = plt.figure(figsize=(style.WIDTH, 5.4 if grids else 2.8))
    shape = (2, max(1, len(grids))) if grids else (1, 1)
    ax = plt.subplot2grid(shape, (0, 0), colspan=shape[1], fig=fig)
    for name, (s, diverged) in axes_.items():
        numb = boundary.counts(diverged, s.k)
        fit = boundary.dimension(numb)
        j = np.arange(s.k + 1)
        label = f"{name}"
        if fit["j_min"] is not None:
            label += f": slope {fit['dimension']:.3f} ± {fit['dimension_se']:.3f}"
        (line,) = ax.plot(j, np.log2(np.maximum(numb, 1)), "o", ms=3, label=label)
        if fit["j_min"] is not None:
            jj = np.arange(fit["j_min"], s.k + 1)
            y = np.log2(numb[jj].astype(float))
            ax.plot(jj, y.mean() + fit["dimension"] * (jj - jj.mean()), color=line.get_color())
    ax.set_xlabel("j (2^j + 1 step sizes)")
    ax.set_ylabel("log₂ numB(j)")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("boundary points per resolution, and the fitted slope (the dimension)")
    for c, (gname, g) in enumerate(grids):
        _grid_map(plt.subplot2grid(shape, (1, c), fig=fig), df, section, gname, g)
    fig.tight_layout()
    style.save(fig, paths, dpi)


def _grid_map(ax, df, section, gname, g) -> None:
    """A (δ, λ) grid's dimensions as a map (blank where no fit)."""
    nd, nw = g["delta"]["count"], g["wavelength"]["count"]
    found = named(section)
    by = dict(iter(df.groupby("setting", sort=False)))
    dims = np.full((nd, nw), np.nan)
    for i in range(nd):
        for j in range(nw):
            name = f"{gname}-d{i}-w{j}"
            if f"setup_{name}" in by:
                s = found[name]
                numb = boundary.counts(boundary.diverged_axis(by[f"setup_{name}"], s, name), s.k)
                dims[i, j] = boundary.dimension(numb)["dimension"]
    extent = (
        g["wavelength"]["min"],
        g["wavelength"]["max"],
        g["delta"]["min"],
        g["delta"]["max"],
    )
    im = ax.imshow(dims, origin="lower", aspect="auto", extent=extent, cmap="viridis")
    ax.grid(False)
    ax.set_xlabel("λ")
    ax.set_ylabel("δ")
    ax.set_title(f"{gname}: slope (k = {g['k']})", fontsize=8)
    plt.colorbar(im, ax=ax)
    if not np.isfinite(dims).any():
        ax.text(0.5, 0.5, "no fit (numB ≤ 1)", transform=ax.transAxes, ha="center")
