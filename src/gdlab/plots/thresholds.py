"""The thresholds figure: every measured bracket [lo, hi] against its theory α*.

One row per case (minimum or seed), grouped by problem.  Left: how far below the
theory the bracket starts, (α* − lo)/α*; right: how far above it ends,
(hi − α*)/α*; both on log axes, so a bracket of relative width 1e-6 around the
theory shows as two marks left of the dashed line at rtol.  A theory outside its
bracket has a negative deviation on one side: it is drawn at the axis' inner edge
as a red cross, and the title says so.  A deviation of exactly 0 (the theory on an
end of the bracket) is drawn at that edge as an open mark.
"""

from __future__ import annotations

import math

from gdlab import style

FLOOR = 1e-16  # relative deviations below this are rounding: drawn at the edge


def _deviations(rows: list[dict[str, str]]) -> tuple[list[float], list[float]]:
    below, above = [], []
    for r in rows:
        theory, lo, hi = float(r["theory"]), float(r["lo"]), float(r["hi"])
        below.append((theory - lo) / theory)
        above.append((hi - theory) / theory)
    return below, above


def _side(ax, y, values, color: str, what: str, limits, rtol: float) -> int:
    """One panel: each case's deviation as a bar from the inner edge and a mark (open
    at the edge where it is 0, a red cross there where the theory is outside), the
    rtol line; returns how many theories lie outside their bracket."""
    lo_lim, hi_lim = limits
    ax.set_xscale("log")
    ax.set_xlim(lo_lim, hi_lim)
    good = [(yi, v) for yi, v in zip(y, values, strict=True) if v > FLOOR]
    zero = [yi for yi, v in zip(y, values, strict=True) if 0 <= v <= FLOOR]
    bad = [yi for yi, v in zip(y, values, strict=True) if not v >= 0]
    ax.hlines([g[0] for g in good], lo_lim, [g[1] for g in good], color=color, lw=1.2)
    ax.plot([g[1] for g in good], [g[0] for g in good], "o", color=color, ms=4, label=what)
    if zero:
        ax.plot([lo_lim] * len(zero), zero, "o", mfc="white", color=color, ms=5, clip_on=False)
    if bad:
        ax.plot(
            [lo_lim] * len(bad),
            bad,
            "x",
            color=style.VERMILLION,
            ms=8,
            mew=2,
            clip_on=False,
            label="theory outside the bracket",
        )
    ax.axvline(rtol, **style.THEORY)
    ax.annotate(
        f"rtol = {rtol:g}",
        (rtol, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        va="top",
        fontsize=7.5,
    )
    return len(bad)


def _cases(fig, left, right, rows: list[dict[str, str]], y: list[int]) -> None:
    """The axes' labels, one legend for both panels, each case's name, and a line
    between problems."""
    n = len(rows)
    left.invert_xaxis()  # the deviations grow away from the theory, in the middle
    left.set_xlabel("(α* − lo)/α*: lo below the theory (log)")
    right.set_xlabel("(hi − α*)/α*: hi above the theory (log)")
    handles = {}
    for ax in (left, right):
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, h)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=3)
    left.set_yticks(y, [_label(r) for r in rows], fontsize=7)
    left.set_ylim(-0.8, n - 0.2)
    for i in range(1, n):
        if rows[i]["problem"] != rows[i - 1]["problem"]:
            for ax in (left, right):
                ax.axhline(y[i] + 0.5, color=style.GREY, lw=0.6)


def _label(row: dict[str, str]) -> str:
    """A row's case, with its method and β where it is not plain GD."""
    text = f"{row['problem']}  {row['case']}"
    if row.get("method") not in (None, "", "gd"):
        text += f"  {row['method']} β={float(row['beta']):g}"
    return text


def figure(rows: list[dict[str, str]], paths: list[str], dpi: int) -> None:
    import matplotlib.pyplot as plt

    style.use()
    n = len(rows)
    below, above = _deviations(rows)
    rtol = max((float(r["rtol"]) for r in rows), default=1e-6)
    fig, (left, right) = plt.subplots(
        1,
        2,
        figsize=(style.WIDTH, 1.5 + 0.17 * max(n, 4)),
        sharey=True,
        constrained_layout=True,
    )
    y = list(range(n))[::-1]  # first row on top
    finite = [abs(v) for v in below + above if math.isfinite(v) and abs(v) > FLOOR]
    limits = (min([*finite, rtol]) / 30, max([*finite, rtol]) * 3)
    outside = _side(left, y, below, style.BLUE, "lo: GD stable (growth ≤ 1)", limits, rtol)
    outside += _side(
        right, y, above, style.VERMILLION, "hi: GD unstable (growth > 1)", limits, rtol
    )
    _cases(fig, left, right, rows, y)
    verdict = (
        f"all {n} brackets hold the theory"
        if n and not outside
        else f"{outside} of {n} theories lie OUTSIDE their bracket"
    )
    fig.suptitle(
        "stability thresholds by bisection: the measured bracket [lo, hi] vs the theory "
        f"α* = h*/λ_max(∇²f(x*))\n{verdict}; every bracket narrower than rtol",
        fontsize=9,
    )
    style.save(fig, paths, dpi=dpi)
