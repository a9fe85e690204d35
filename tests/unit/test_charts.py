"""The report's interactive charts (gdlab.charts, each problem's chart module), built in
process from the test config's real runs: the theory they draw is the theory, every
layer has tooltips, the page's JavaScript is inline, the same data give the same bytes."""

from __future__ import annotations

import json
import re
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from gdlab import charts, plan, problems, spec, tables
from support import verdicts
from support.report import chart_spec, layers

CONFIG = "test.yaml"
CHARTS = [(p, c) for p in problems.names() for c in problems.spec(p).charts]


@cache
def _data(problem: str, kind: str) -> pd.DataFrame:
    """What the chart job reads, computed in process as the workflow computes it."""
    if kind == "trace":
        return pd.concat(verdicts.study(problem, CONFIG), ignore_index=True)
    if kind == "runs":
        return pa.concat_tables(verdicts.summaries(problem, CONFIG)).to_pandas()
    table, report = verdicts.verdict(problem, file=CONFIG)
    assert report["passed"], report
    return table


def _read_back(table: pd.DataFrame, tmp_path) -> pd.DataFrame:
    """The table as the chart job reads it: written as the table job writes it."""
    path = tmp_path / "table.csv"
    table.to_csv(path, index=False, float_format="%.17g")
    return tables.read_csv(str(path))


def build(problem: str, chart, tmp_path):
    df = _data(problem, chart.data)
    if chart.data == "table":
        df = _read_back(df, tmp_path)
    params = json.loads(plan.job_params(verdicts.config(CONFIG), chart))
    return problems.function(problem, chart.function)(problem, df, **params)


def theory(chart) -> dict[str, list[dict]]:
    """name -> rows of every theory layer of a built chart."""
    found = {n: lay["rows"] for n, lay in layers(chart.to_dict()).items()}
    return {n: rows for n, rows in found.items() if n.startswith(charts.THEORY)}


# ---- every chart ----------------------------------------------------------------------
@pytest.mark.parametrize(("problem", "chart"), CHARTS, ids=[c.name for _p, c in CHARTS])
def test_chart_has_theory_tooltips_and_inline_javascript(problem, chart, tmp_path):
    assert CHARTS  # a problem may declare none; these do
    built = build(problem, chart, tmp_path)
    named = layers(built.to_dict())
    assert theory(built), f"{chart.name}: no layer named {charts.THEORY}…"
    for name, layer in named.items():
        assert layer["rows"], f"{chart.name}: layer {name} draws nothing"
        tips = layer.get("encoding", {}).get("tooltip", [])
        assert tips and all(t.get("title") for t in tips), f"{chart.name}: {name} has no tooltip"
        fields = {t["field"] for t in tips}
        assert fields <= set(layer["rows"][0]) | {"rate"}, (name, fields)  # rate: computed
    html = charts.page(built)
    assert not re.findall(r"<script[^>]*\bsrc\s*=", html, re.I), "a script loaded from a URL"
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"cdn\.|unpkg|jsdelivr", html, re.I), "a CDN reference"
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, re.S)
    # the bundle: vega, vega-lite and vega-embed defined in the page itself
    assert any("window.vegaEmbed=" in s and len(s) > 500_000 for s in scripts)
    assert chart_spec(html) == json.loads(json.dumps(built.to_dict()))  # the spec it shows
    # deterministic: the same data give the same bytes (no timestamp, no counter)
    assert charts.page(build(problem, chart, tmp_path)) == html


def test_records_turn_nan_and_infinity_into_null():
    df = charts.records(pd.DataFrame({"a": [1.0, np.nan, np.inf], "b": ["x", "y", "z"]}))
    assert df["a"].tolist() == [1.0, None, None]
    assert df["b"].tolist() == ["x", "y", "z"]


def test_a_chart_with_another_data_kind_or_a_shared_name_is_refused():
    with pytest.raises(ValueError, match="data must be"):
        spec.Chart("x", "chart:chart", "x", data="rows")
    base = problems.spec("quadratic")
    fig = base.figures[0]
    with pytest.raises(ValueError, match="share a name"):
        spec.Problem(
            name=base.name,
            title=base.title,
            order=base.order,
            grid=base.grid,
            schema=base.schema,
            theory=base.theory,
            figures=(fig,),
            charts=(spec.Chart(fig.name, "chart:chart", "x"),),
        )


# ---- each chart's theory is the theory ------------------------------------------------
def _one(problem: str):
    (chart,) = problems.spec(problem).charts
    return chart


def test_quadratic_chart_draws_one_minus_alpha_and_the_threshold(tmp_path):
    built = build("quadratic", _one("quadratic"), tmp_path)
    t = theory(built)
    curve = pd.DataFrame(t["theory_curve"])
    np.testing.assert_array_equal(curve["rate"], np.abs(1.0 - curve["alpha"]))
    assert 0.0 in curve["rate"].tolist()  # through the kink at α = 1
    ticks = pd.DataFrame(t["theory_run"])
    assert len(ticks) == len(_data("quadratic", "runs"))  # one per run
    np.testing.assert_array_equal(ticks["rate_theory"], np.abs(1.0 - ticks["alpha"]))
    (rule,) = t["theory_threshold"]
    assert rule["alpha"] == problems.theory("quadratic").threshold == 2.0


def test_lsq_gd_chart_draws_each_seeds_own_rate(tmp_path):
    from gdlab.problems.lsq_gd import numerics

    cfg = verdicts.config(CONFIG)
    n_samples, n_features = cfg["problems"]["lsq_gd"]["shape"]
    built = build("lsq_gd", _one("lsq_gd"), tmp_path)
    t = theory(built)
    ticks = pd.DataFrame(t["theory_run"])
    assert len(ticks) == len(_data("lsq_gd", "runs"))
    for row in ticks.itertuples():  # max_i |1 − ασ_i²| from the seed's own X, anew
        X, _y, _theta = numerics.draw(row.seed, cfg["root_seed"], n_samples, n_features)
        sigma2 = numerics.spectrum(X)
        assert row.alpha == pytest.approx(row.c * 2.0 / sigma2[0], rel=1e-15)
        assert row.rate_theory == pytest.approx(np.max(np.abs(1 - row.alpha * sigma2)), rel=1e-12)
        assert row.rate_theory >= abs(1 - 2 * row.c) * (1 - 1e-12)  # the drawn lower bound
    curve = pd.DataFrame(t["theory_curve"])
    np.testing.assert_array_equal(curve["rate"], np.abs(1.0 - 2.0 * curve["c"]))
    (rule,) = t["theory_threshold"]
    assert rule["c"] == problems.theory("lsq_gd").threshold == 1.0


def test_sharp_wide_chart_marks_two_over_f_second_and_gradient_flow(tmp_path):
    from gdlab.problems.sharp_wide import numerics

    built = build("sharp_wide", _one("sharp_wide"), tmp_path)
    t = theory(built)
    drawn = sorted(r["alpha"] for r in t["theory_thresholds"])
    expected = sorted(2.0 / numerics.fsecond(x) for x, _f2 in numerics.critical_points().values())
    # the two minima's 2/f''(x*), not the maximum's (negative f'')
    assert drawn == pytest.approx([a for a in expected if a > 0], rel=1e-12)
    assert drawn[0] == pytest.approx(0.0995, abs=5e-4) and drawn[1] == pytest.approx(2.0, abs=1e-3)
    (flow,) = t["theory_gradient_flow"]
    interval = verdicts.config(CONFIG)["problems"]["sharp_wide"]["start_interval"]
    assert flow["share"] == pytest.approx(numerics.sharp_basin_share(interval), rel=1e-12)
    (monotone,) = t["theory_monotone"]
    assert monotone["alpha"] == pytest.approx(numerics.alpha_monotone(), rel=1e-12)
    # the shares are the table's: every run in one class, shares summing to 1
    shares = pd.DataFrame(layers(built.to_dict())["shares"]["rows"])
    totals = shares.groupby("alpha")["share"].sum()
    np.testing.assert_allclose(totals, 1.0, rtol=1e-12)


def test_conv_huber_chart_marks_the_reference_value_and_this_runs(tmp_path):
    cfg = verdicts.config(CONFIG)
    ref = cfg["checks"]["conv_huber"]
    step = cfg["problems"]["conv_huber"]["reference_step"]
    built = build("conv_huber", _one("conv_huber"), tmp_path)
    t = theory(built)
    (rule,) = t["theory_reference"]
    assert rule["loss"] == ref["value"]
    points = {r["label"]: r for r in t["theory_reference_point"]}
    assert points["the homework's value"]["loss"] == ref["value"]
    trace = _data("conv_huber", "trace")
    at = trace[(trace["alpha"] == ref["alpha"]) & (trace["seed"] == ref["seed"])]
    computed = float(at.loc[at["step"] == step, "loss"].iloc[0])
    mine = points["this run's value"]
    assert (mine["step"], mine["loss"]) == (step, computed)
    assert mine["error"] == pytest.approx(abs(computed - ref["value"]) / ref["value"], rel=1e-12)
    assert mine["error"] <= ref["rtol"]


def test_lsq_gradient_chart_draws_every_error_against_its_tolerance(tmp_path):
    cfg = verdicts.config(CONFIG)
    built = build("lsq_gradient", _one("lsq_gradient"), tmp_path)
    (tolerances,) = theory(built).values()
    assert {r["error"]: r["tolerance"] for r in tolerances} == cfg["checks"]["lsq_gradient"]
    points = pd.DataFrame(layers(built.to_dict())["errors"]["rows"])
    summary = _data("lsq_gradient", "runs")
    assert len(points) == 3 * len(summary)
    for name in ("err_sum", "err_fd", "err_sample"):
        drawn = points[points["error"] == name].sort_values(["shape", "seed"])["value"]
        assert sorted(drawn) == sorted(summary[name])
        assert (drawn <= cfg["checks"]["lsq_gradient"][name]).all()


def test_a_page_too_large_for_the_report_draws_the_first_seeds_and_says_so(monkeypatch):
    """Each chart of a study whose page would pass the limit: it is kept under it by
    drawing the runs of the first seeds, and its subtitle says how many."""
    for problem, chart in CHARTS:
        if chart.data == "table":
            continue  # one row per grid point: its size does not grow with the seeds
        df = _data(problem, chart.data)
        draw = problems.function(problem, chart.function)
        params = json.loads(plan.job_params(verdicts.config(CONFIG), chart))

        def fit(part, d=draw, p=problem, kw=params):
            return d(p, part, **kw)

        full = charts.page(fit(df))
        seeds = df["seed"].nunique()
        # a limit the whole study's page passes by a little: fewer seeds must be drawn
        monkeypatch.setattr(charts, "MAX_PAGE_BYTES", len(full.encode()) - 1)
        html = charts.fitted(fit, df)
        assert len(html.encode()) <= len(full.encode()) - 1, chart.name
        shown = chart_spec(html)
        kept = seeds // 2
        assert shown["title"]["subtitle"].startswith(
            f"the runs of the first {kept} of {seeds} seeds"
        )
        drawn = {r["seed"] for lay in layers(shown).values() for r in lay["rows"] if "seed" in r}
        assert drawn and max(drawn) < sorted(df["seed"].unique())[kept], chart.name
        monkeypatch.undo()
        assert charts.fitted(fit, df) == full


def test_a_page_is_altairs_own_inline_page_with_its_bundle_made_once(monkeypatch, tmp_path):
    """The page equals Altair's ``to_html(inline=True)`` byte for byte; the bundle is
    made once, then read from the cache; a damaged copy is made again; a cache that
    cannot be written still gives the page."""
    import vl_convert

    made = []
    real = vl_convert.javascript_bundle
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda **kw: made.append(1) or real(**kw))
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(tmp_path / "cache"))
    chart = pd.DataFrame({"x": [1, 2]}).pipe(lambda d: charts.alt.Chart(d).mark_point())
    chart = chart.encode(x="x")
    own = chart.to_html(inline=True, output_div="chart", embed_options=charts.EMBED)
    assert len(made) == 1
    assert charts.page(chart) == own and len(made) == 2  # made, and kept
    assert charts.page(chart) == own and len(made) == 2  # read back
    (kept,) = (tmp_path / "cache").glob("vega-bundle-*.js")
    kept.write_text(kept.read_text()[:-100])  # damaged: its checksum no longer holds
    assert charts.page(chart) == own and len(made) == 3
    assert charts.page(chart) == own and len(made) == 3
    monkeypatch.setenv("GDLAB_CACHE_DIR", str(kept))  # a file: no folder can be made there
    assert charts.page(chart) == own and len(made) == 4
