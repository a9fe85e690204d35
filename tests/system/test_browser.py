"""The report in a real headless Chromium (tests/support/browser.py): every figure and
table opens from the landing page, as a reader clicks, with no page error."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from support import browser
from support.report import FIGURES, PROBLEMS, embedded, pixels, png_size


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
            page.wait_for("gd.menu('tables')", what=f"{problem} > tables")
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
