"""The report's interactive charts: Vega-Lite through Altair, one HTML page each.

A problem declares a chart in its spec (:class:`gdlab.spec.Chart`); the job
(:mod:`gdlab.jobs.chart`) reads its data, calls the problem's function, which builds
an Altair chart from the pieces here, and writes :func:`page`.  Every page holds the
Vega, Vega-Lite and vega-embed JavaScript inline (vl-convert-python's bundle): it
loads nothing from the network and opens offline, also as a data: URL inside the
Snakemake report.  Every layer that draws what the theory predicts is named
``theory…`` (:data:`THEORY`), so a reader's tooltip and a test find it; every mark
that shows a number has a tooltip.

The same data and code give the same bytes: no timestamp, no random id, every
selection named (Altair would number unnamed ones per process).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile

import altair as alt
import pandas as pd
from altair.utils.html import TEMPLATES
from altair.utils.html import vl_version_for_vl_convert as _vl_version

from gdlab import cache

THEORY = "theory"  # the prefix of every theory layer's name

# Okabe & Ito (2008), the colour-blind-safe palette of the figures (gdlab.style, which
# imports matplotlib, is not imported here)
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
PURPLE, SKY, YELLOW, BLACK, GREY = "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#7F7F7F"
OKABE_ITO = [BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK]
OUTCOMES = {  # a run's outcome and its colour, in every chart
    "converged": BLUE,
    "diverged": VERMILLION,
    "cycle": ORANGE,
    "aperiodic": PURPLE,
    "max_steps": GREY,
}

WIDTH, HEIGHT = 620, 340  # pixels: the report's content pane shows it whole
EMBED = {  # vega-embed: SVG (crisp, its marks are elements), no link to an online editor
    "renderer": "svg",
    "actions": {"export": True, "source": True, "compiled": False, "editor": False},
}


def page(chart: alt.TopLevelMixin) -> str:
    """The chart as a self-contained HTML page, its JavaScript inline: Altair's own
    ``to_html(inline=True)``, byte for byte, with the bundle made once per machine."""
    return chart.to_html(output_div="chart", embed_options=EMBED, template=_INLINE)


class _InlineTemplate:
    """Altair's "inline" page template, given vl-convert's JavaScript bundle from
    :func:`bundle` (Altair would make it anew for every page: 1.3 s)."""

    def render(self, **fields) -> str:
        return TEMPLATES["inline"].render(vegaembed_script=bundle(_vl_version()), **fields)


_INLINE = _InlineTemplate()


def bundle(vl_version: str) -> str:
    """vl-convert's bundle of Vega, Vega-Lite and vega-embed for ``vl_version``, kept
    in gdlab's cache (:func:`gdlab.cache.root`, beside its code cache) under
    the versions that make it, with its SHA-256: a damaged copy is made again, and a
    cache that cannot be written only costs the time."""
    import vl_convert

    path = cache.root() / f"vega-bundle-{vl_convert.__version__}-{vl_version}.js"
    try:
        head, text = path.read_text(encoding="utf-8").split("\n", 1)
        if head == f"// sha256 {hashlib.sha256(text.encode()).hexdigest()}":
            return text
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    text = vl_convert.javascript_bundle(vl_version=vl_version)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"// sha256 {hashlib.sha256(text.encode()).hexdigest()}\n{text}")
        os.replace(tmp, path)  # atomic: a parallel job reads the old file or this one
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return text


# The report shows a page as a base64 data: URL (4/3 of its bytes) inside a frame, and
# Chromium opens no URL over 2 MB: a page stays under 1.4 MB.
MAX_PAGE_BYTES = 1_400_000


def fitted(draw, df: pd.DataFrame) -> str:
    """The page of ``draw(df)``, or, when it is over :data:`MAX_PAGE_BYTES`, of the runs
    of the first half of the seeds (then a quarter, ...), its subtitle saying so.  A
    page is its chart's spec plus a fixed part (the inline JavaScript), measured on the
    first page, so each further try costs a JSON dump, not a page."""
    chart = draw(df)
    html = page(chart)
    fixed = len(html.encode()) - _spec_bytes(chart)
    seeds = sorted(df["seed"].dropna().unique()) if "seed" in df.columns else []
    keep = len(seeds)
    size = len(html.encode())
    while keep > 1 and size > MAX_PAGE_BYTES:
        keep //= 2
        chart = draw(df[df["seed"].isin(seeds[:keep])])
        title = chart.title if isinstance(chart.title, str) else ""
        note = f"the runs of the first {keep} of {len(seeds)} seeds (a larger page would not open in the report)"
        chart = chart.properties(title=alt.TitleParams(text=title, subtitle=note))
        size = _spec_bytes(chart) + fixed
    return html if keep == len(seeds) else page(chart)


def _spec_bytes(chart: alt.TopLevelMixin) -> int:
    """The bytes of the chart's spec in its page (which embeds ``json.dumps`` of it)."""
    return len(json.dumps(chart.to_dict()).encode())


def records(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` ready for JSON: NaN and infinities become nulls (Vega shows a null as
    empty, and drops the mark of a null position)."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            values = out[c].astype(object)
            out[c] = values.where(out[c].map(lambda v: math.isfinite(v)), None)
    return out


def tip(field: str, title: str, kind: str = "Q", fmt: str | None = ".6g") -> alt.Tooltip:
    """One line of a tooltip: ``title`` and the value of ``field`` (numbers with six
    significant digits unless ``fmt`` says otherwise)."""
    if kind != "Q" or fmt is None:
        return alt.Tooltip(f"{field}:{kind}", title=title)
    return alt.Tooltip(f"{field}:{kind}", title=title, format=fmt)


def _rules(rules: pd.DataFrame, channel: str, field: str, title: str, name: str, color: str):
    encode = alt.X(f"{field}:Q") if channel == "x" else alt.Y(f"{field}:Q")
    color_by = alt.Color("color:N", scale=None) if "color" in rules.columns else alt.value(color)
    return (
        alt.Chart(records(rules), name=name)
        .mark_rule(strokeDash=[6, 3], strokeWidth=2)
        .encode(
            **{channel: encode},
            color=color_by,
            tooltip=[
                tip("label", "line", "N"),
                tip(field, title, fmt=".10g"),
                tip("note", "meaning", "N"),
            ],
        )
    )


def vertical_rules(
    rules: pd.DataFrame, x: str, title: str, name: str, color: str = BLACK
) -> alt.Chart:
    """A dashed vertical rule at each ``rules[x]`` with its ``label`` and ``note`` as
    tooltip (a theory's threshold when ``name`` starts with :data:`THEORY`); a
    ``color`` column colours each rule."""
    return _rules(rules, "x", x, title, name, color)


def horizontal_rules(
    rules: pd.DataFrame, y: str, title: str, name: str, color: str = BLACK
) -> alt.Chart:
    """A dashed horizontal rule at each ``rules[y]``, as :func:`vertical_rules`."""
    return _rules(rules, "y", y, title, name, color)


def outcome_color(outcomes) -> alt.Color:
    """Colour by outcome, the same colour for the same outcome in every chart."""
    present = [o for o in OUTCOMES if o in set(outcomes)]
    return alt.Color(
        "outcome:N",
        title="outcome",
        scale=alt.Scale(domain=present, range=[OUTCOMES[o] for o in present]),
    )


def rates(
    runs: pd.DataFrame,
    axis: str,
    axis_title: str,
    threshold: float,
    threshold_label: str,
    curve: pd.DataFrame | None = None,
    curve_label: str = "",
    title: str = "",
) -> alt.LayerChart:
    """Each run's measured rate against the grid value, beside what the theory predicts:
    the run's own predicted rate (``rate_theory``, a tick at the run's grid value), a
    curve of the theory if given (``curve``: columns ``axis`` and ``rate``, named
    ``curve_label``), and the threshold, a dashed rule; rate 1 (an error that neither grows
    nor shrinks) dotted.  ``runs`` is a per-run summary (one row per run)."""
    cols = [axis, "alpha", "seed", "setting", "outcome", "steps", "rate_empirical", "rate_theory"]
    cols += [c for c in ("rate_theory_next", "alpha_critical") if c in runs.columns]
    df = runs[list(dict.fromkeys(cols))].copy()
    df["rate_error"] = (df["rate_empirical"] - df["rate_theory"]).abs() / df["rate_theory"]
    df = records(df.sort_values([axis, "seed"]).reset_index(drop=True))
    tooltip = [
        tip("setting", "grid point", "N"),
        tip("alpha", "α", fmt=".10g"),
        tip("seed", "seed", "O"),
        tip("outcome", "outcome", "N"),
        tip("steps", "steps", "Q", fmt="d"),
        tip("rate_empirical", "measured rate"),
        tip("rate_theory", "predicted rate"),
        tip("rate_error", "relative difference", fmt=".2e"),
    ]
    right = 1.05 * max(float(df[axis].max()), threshold)
    x = alt.X(f"{axis}:Q", title=axis_title, scale=alt.Scale(domain=[0.0, right], nice=False))
    y = alt.Y("rate:Q", title="rate: |error| per step, asymptotically")
    measured = (
        alt.Chart(df, name="measured")
        .transform_filter("isValid(datum.rate_empirical)")
        .transform_calculate(rate="datum.rate_empirical")
        .mark_point(filled=True, size=60, opacity=0.8)
        .encode(x=x, y=y, color=outcome_color(df["outcome"]), tooltip=tooltip)
    )
    predicted = (
        alt.Chart(df, name=f"{THEORY}_run")
        .transform_filter("isValid(datum.rate_theory)")
        .transform_calculate(rate="datum.rate_theory")
        .mark_tick(color=BLACK, thickness=2, size=16, orient="horizontal")
        .encode(x=x, y=y, tooltip=tooltip)
    )
    layers = [] if curve is None else [_curve(curve, curve_label, x, axis, axis_title)]
    layers += [*_limits(axis, axis_title, threshold, threshold_label), predicted, measured]
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=title)


def _curve(curve: pd.DataFrame, label: str, x: alt.X, axis: str, axis_title: str) -> alt.Chart:
    """The theory's rate as a curve of the grid value (columns ``axis`` and ``rate``)."""
    return (
        alt.Chart(records(curve.assign(label=label)), name=f"{THEORY}_curve")
        .mark_line(
            color=BLACK,
            strokeWidth=1.2,
            opacity=0.6,
            point=alt.OverlayMarkDef(size=12, opacity=0.0, filled=True),
        )
        .encode(
            x=x,
            y=alt.Y("rate:Q"),
            tooltip=[
                tip("label", "theory", "N"),
                tip(axis, axis_title),
                tip("rate", "predicted rate"),
            ],
        )
    )


def _limits(axis: str, axis_title: str, threshold: float, label: str) -> list[alt.Chart]:
    """The threshold (a dashed rule) and rate 1 (dotted)."""
    limit = pd.DataFrame(
        {axis: [threshold], "label": [label], "note": ["converges below, diverges above"]}
    )
    one = pd.DataFrame(
        {"rate": [1.0], "label": ["rate 1"], "note": ["the error neither shrinks nor grows"]}
    )
    return [
        vertical_rules(limit, axis, axis_title, f"{THEORY}_threshold"),
        alt.Chart(one, name="unit_rate")
        .mark_rule(strokeDash=[2, 2], color=GREY)
        .encode(
            y=alt.Y("rate:Q"), tooltip=[tip("label", "line", "N"), tip("note", "meaning", "N")]
        ),
    ]
