"""The report in a real headless Chromium (tests/support/browser.py): every figure,
table and interactive chart opens from the landing page, as a reader clicks, with no
page error; the charts with the network off."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from support import browser
from support.report import (
    CHARTS,
    CHARTS_OF,
    FIGURES,
    PROBLEMS,
    chart_spec,
    embedded,
    hoverable,
    pixels,
    png_size,
)


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        return browser.ensure_chromium()
    except browser.ChromiumUnavailable as exc:
        pytest.skip(str(exc))


HELPERS = """
window.gd = {
  menu(text) {  // click a menu entry (category, subcategory) by its text
    const a = [...document.querySelectorAll('nav a')].find(a => a.textContent.trim() === text);
    if (!a) return false;
    a.click();
    return true;
  },
  open(label, button) {  // click a result's eye (0) or info (1) button by its label
    const tr = [...document.querySelectorAll('nav tr')].find(
      tr => tr.querySelector('td') && tr.querySelector('td').textContent.trim() === label);
    if (!tr) return false;
    tr.querySelectorAll('a')[button].click();
    return true;
  },
  image() {  // the figure shown in the content pane, once decoded
    const img = [...document.querySelectorAll('img')].find(i => i.src.startsWith('data:image/png'));
    return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;
  },
  frame() {  // the HTML result shown in the content pane
    const f = document.querySelector('iframe');
    return f ? f.src.slice(0, 14) : null;
  },
  nav() { return document.querySelector('nav').innerText; },
};
true
"""


def _start(page, url):
    page.open(url)
    page.wait_for(
        "document.querySelector('nav') && document.querySelector('nav').innerText.includes('sharp_wide')",
        what="the report's menu",
    )
    page.js(HELPERS)


@pytest.mark.browser
def test_report_renders_in_chromium(report, test_study, chromium, tmp_path):
    url = report.resolve().as_uri()
    html = report.read_text()
    results = embedded(html, "results")
    categories = embedded(html, "categories")
    with browser.Browser(chromium) as page:
        _start(page, url)
        landing = page.screenshot()
        for name in FIGURES:
            path = f"results/figures/{name}.png"
            category = next(c for c, subs in categories.items() if path in subs.get("figures", []))
            label = next(iter(results[path]["labels"].values()))
            _start(page, url)  # from the landing page, as a reader would
            assert page.js(f"gd.menu({json.dumps(category)})"), category
            page.wait_for("gd.menu('figures')", what=f"{category} > figures")
            page.wait_for(f"gd.open({json.dumps(label)}, 0)", what=f"the entry of {name}")
            shown = page.wait_for("gd.image()", what=f"{name} to be displayed")
            assert tuple(shown) == png_size((test_study / path).read_bytes()), name
            shot = page.screenshot()
            (tmp_path / f"{name}.png").write_bytes(shot)
            assert pixels(shot).std() > 0.1, f"screenshot of {name} looks blank"
            page.wait_for(f"gd.open({json.dumps(label)}, 1)", what=f"the caption of {name}")
            page.wait_for("gd.nav().includes('What the theory predicts')", what=f"{name}'s caption")
        for problem in PROBLEMS:
            _start(page, url)
            assert page.js(f"gd.menu({json.dumps(problem)})")
            # a problem with its table alone has no submenu: the report lists it at once
            page.wait_for(
                "gd.menu('tables') || document.querySelector('nav tr') !== null",
                what=f"{problem} > tables",
            )
            page.wait_for(
                "gd.open('convergence table: runs vs theory', 0)", what=f"{problem}'s table"
            )
            assert page.wait_for("gd.frame()", what="the table's frame") == "data:text/html"
            deadline = time.monotonic() + 30
            while "Every run agrees with the theory" not in (text := page.frame_text()):
                assert time.monotonic() < deadline, f"{problem}'s table page shows: {text[:500]}"
                time.sleep(0.1)
        errors = page.page_errors()
    assert not errors, "\n".join(errors)
    first = pixels(landing)
    assert first.std() > 0.1, "the report's landing page looks blank"
    # more than a background and a few colours: text, menu, rule graph
    assert len(np.unique((first * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 50


@pytest.mark.browser
def test_the_landing_page_verdict_opens_every_result(report, chromium):
    """The verdict leads the landing page, and each of its links opens that result's
    entry (its caption) in the menu, as a reader clicks."""
    url = report.resolve().as_uri()
    results = embedded(report.read_text(), "results")
    with browser.Browser(chromium) as page:
        _start(page, url)
        text = page.js("document.body.innerText")
        assert text.index("The verdict") < text.index("How to read this report")
        assert "Every claim holds" in text
        links = page.js(
            "[...document.querySelectorAll('a[href^=\"javascript:app.showResultInfo\"]')]"
            ".map(a => a.getAttribute('href').split(\"'\")[1])"
        )
        assert len(links) >= len(PROBLEMS) and set(links) <= set(results)
        for path in links:
            _start(page, url)
            label = next(iter(results[path]["labels"].values()))
            assert label not in page.js("gd.nav()"), label  # shown only once opened
            page.js(f"document.querySelector('a[href*={json.dumps(path)}]').click(); true")
            page.wait_for(f"gd.nav().includes({json.dumps(label)})", what=f"{path}'s entry")
        errors = page.page_errors()
    assert not errors, "\n".join(errors)


@pytest.mark.browser
def test_a_wide_table_scrolls_inside_its_page(test_study, chromium):
    """The widest convergence table, in a window narrower than it: the table scrolls
    inside its box; the page itself never scrolls sideways."""
    pages = {p: test_study / f"results/report/tables/{p}.html" for p in PROBLEMS}
    widest = max(pages, key=lambda p: pages[p].read_text().count("<th>"))
    with browser.Browser(chromium, width=700, height=700) as page:
        page.open(pages[widest].resolve().as_uri())
        box = page.js(
            "(() => { const d = document.querySelector('div.scroll');"
            " return [d.scrollWidth, d.clientWidth, document.documentElement.scrollWidth,"
            " window.innerWidth]; })()"
        )
        errors = page.page_errors()
    table, shown, document, window = box
    assert table > shown, f"{widest}'s table fits in 700 px: the test shows nothing"
    assert document <= window, f"the page of {widest} scrolls sideways: {box}"
    assert not errors, "\n".join(errors)


# In a chart's frame: the client points over the first mark of one layer (its centre,
# and points along its outline or line: a dashed rule is hit on a dash only), the
# tooltip shown, the marks drawn.
SPOTS = """(() => {
  const el = document.querySelector('.vega-embed svg g.%s_marks > *');
  if (!el) return [];
  const r = el.getBoundingClientRect();
  const out = [[r.left + r.width / 2, r.top + r.height / 2]];
  if (el.getTotalLength) {
    const length = el.getTotalLength(), m = el.getScreenCTM();
    for (let i = 1; i < 24; i++) {
      const p = el.getPointAtLength(length * i / 24).matrixTransform(m);
      out.push([p.x, p.y]);
    }
  }
  return out;
})()"""
TOOLTIP = """(() => {
  const t = document.getElementById('vg-tooltip-element');
  return t && t.classList.contains('visible') ? t.innerText : null;
})()"""
MARKS = "document.querySelectorAll('.vega-embed svg g.role-mark > *').length"


def _hover(page, layer: str, titles: list[str]) -> str:
    """Move the mouse over spots of the first mark of ``layer`` until the tooltip shows
    ``titles`` (another layer's mark may lie on top at one spot); the last text seen."""
    frame = page.js(
        "(() => { const r = document.querySelector('iframe').getBoundingClientRect();"
        " return [r.left, r.top]; })()"
    )
    text = ""
    for x, y in page.frame_js(SPOTS % layer, []):
        page.mouse_move(1, 1)  # off the chart: the last tooltip hides
        page.mouse_move(frame[0] + x, frame[1] + y)
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            if shown := page.frame_js(TOOLTIP):
                text = shown
                if all(t in text for t in titles):
                    return text
            time.sleep(0.05)
    return text


@pytest.mark.browser
def test_charts_render_offline_and_show_values_on_hover(report, chromium):
    """Each problem's chart, opened from the report as a reader clicks, with the network
    off: the Vega view draws its marks, and hovering a mark of each named layer (the
    theory's among them) shows its tooltip with a value; no page error, no request."""
    assert CHARTS, "no problem declares a chart"
    url = report.resolve().as_uri()
    with browser.Browser(chromium) as page:
        page.offline()
        for problem, charts in CHARTS_OF.items():
            for chart in charts:
                spec = chart_spec((report.parent / f"report/charts/{chart.name}.html").read_text())
                targets = hoverable(spec)
                assert any(n.startswith("theory") for n in targets), (chart.name, list(targets))
                _start(page, url)
                assert page.js("navigator.onLine") is False  # the emulation holds
                assert page.js(f"gd.menu({json.dumps(problem)})"), problem
                page.wait_for("gd.menu('charts')", what=f"{problem} > charts")
                page.wait_for(f"gd.open({json.dumps(chart.label)}, 0)", what=chart.name)
                assert page.wait_for("gd.frame()", what="the chart's frame") == "data:text/html"
                deadline = time.monotonic() + 30
                while not page.frame_js(MARKS, 0):
                    assert time.monotonic() < deadline, f"{chart.name}: no Vega marks drawn"
                    time.sleep(0.1)
                assert page.frame_js("navigator.onLine") is False
                for layer, titles in targets.items():
                    text = _hover(page, layer, titles)
                    assert text, f"{chart.name}: hovering layer {layer} shows no tooltip"
                    missing = [t for t in titles if t not in text]
                    assert not missing, f"{chart.name}, {layer}: tooltip {text!r} lacks {missing}"
                    assert re.search(r"\d", text), f"{chart.name}, {layer}: no value in {text!r}"
        errors = page.page_errors()
        remote = [u for u in page.requests() if not u.startswith(("file:", "data:"))]
    assert not errors, "\n".join(errors)
    assert not remote, f"the charts asked the network for {remote}"
