"""The report: built from the test config by the one command of docs/report.md, rendered in a
real (headless) Chromium, and what reruns when a figure or a caption changes."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import time

import numpy as np
import pytest
import yaml

from conftest import REPO, snakemake
from gdlab import plan, problems
from support import browser

pytestmark = pytest.mark.workflow

TEST_CONFIG = ("--configfile", "config/test.yaml")
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


# ---- helpers ---------------------------------------------------------------------
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


def planned_jobs(workdir, *args) -> dict[str, int]:
    """rule -> job count of a dry run (empty when there is nothing to do)."""
    out = snakemake(workdir, "-n", *TEST_CONFIG, *args).stdout
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:", 1)[1].split("total", 1)[0]
    rows = [line.split() for line in table.splitlines()[3:] if line.strip()]
    jobs = {rule: int(count) for rule, count in rows}
    jobs.pop("all", None)
    return jobs


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        return browser.ensure_chromium()
    except browser.ChromiumUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def report(test_study):
    """``snakemake --report results/report.html`` on the finished test study."""
    proc = snakemake(test_study, *TEST_CONFIG, "--report", "results/report.html")
    assert "Report created" in proc.stdout
    return test_study / "results/report.html"


@pytest.fixture
def study_copy(test_study, tmp_path):
    """A writable copy of the finished test study (results and Snakemake's records)."""
    dest = tmp_path / "study"
    shutil.copytree(test_study, dest, symlinks=True, ignore=shutil.ignore_patterns("report.html"))
    assert planned_jobs(dest) == {}
    return dest


# ---- the figures -----------------------------------------------------------------
def test_every_figure_is_made_as_png_and_svg(test_study):
    for name in FIGURES:
        png = (test_study / f"results/figures/{name}.png").read_bytes()
        width, height = png_size(png)
        assert 500 <= width <= 2500 and 250 <= height <= 2000, (name, width, height)
        assert pixels(png).std() > 0.05, f"{name}.png looks blank"
        svg = (test_study / f"results/figures/{name}.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for problem in PROBLEMS:
        page = (test_study / f"results/report/tables/{problem}.html").read_text()
        assert "Every run agrees with the theory" in page, problem


# ---- the report, built and read as a file -----------------------------------------
def test_report_holds_every_table_and_figure_with_a_caption(report, test_study):
    html = report.read_text()
    results = embedded(html, "results")
    categories = embedded(html, "categories")
    assert set(PROBLEMS) <= set(categories)
    for name in FIGURES:
        path = f"results/figures/{name}.png"
        assert path in results, path
        entry = results[path]
        assert entry["mime_type"] == "image/png"
        assert "What the theory predicts" in entry["caption"], path
        assert "Do the runs agree" in entry["caption"], path
    for problem in PROBLEMS:
        for path in (f"results/tables/{problem}.csv", f"results/report/tables/{problem}.html"):
            assert path in categories[problem]["tables"], path
            assert results[path]["caption"].strip(), path
    for problem, names in FIGURES_OF.items():  # each figure under its problem
        for name in names:
            assert f"results/figures/{name}.png" in categories[problem]["figures"], name
    assert "System Message" not in html  # no reStructuredText error in any caption


# ---- the report in a browser -------------------------------------------------------
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


# ---- what reruns ----------------------------------------------------------------------
def test_editing_one_figure_reruns_only_that_figure(study_copy):
    module = study_copy / "src/gdlab/problems/sharp_wide/landscape.py"
    # a real edit (a comment alone reruns nothing: gdlab.codedeps hashes the syntax tree)
    module.write_text(module.read_text() + "\nDOT_SIZE_ASKED_BY_A_READER = 2\n")
    assert planned_jobs(study_copy) == {"sharp_wide_landscape": 1}
    # the generic convergence plot: every figure drawn by it, and nothing else
    assert len(CONVERGENCE_FIGURES) >= 2, CONVERGENCE_FIGURES
    module = study_copy / "src/gdlab/plots/convergence.py"
    module.write_text(module.read_text() + "\nBAND_WIDTH_ASKED_BY_A_READER = 0.5\n")
    assert planned_jobs(study_copy) == {"sharp_wide_landscape": 1, **CONVERGENCE_FIGURES}


def test_a_plot_setting_reruns_the_figures_only(study_copy):
    config = study_copy / "config/test.yaml"
    text = config.read_text()
    assert "\n  dpi: 100\n" in text
    config.write_text(text.replace("\n  dpi: 100\n", "\n  dpi: 120\n"))
    jobs = planned_jobs(study_copy)
    # the problems' figures and, where some problem has a threshold experiment, its figure
    extra = {"threshold_figure"} if plan.with_thresholds(yaml.safe_load(text)) else set()
    assert set(jobs) == FIGURE_RULES | extra
    assert sum(jobs.values()) == len(FIGURES) + len(extra)


def test_editing_a_caption_reruns_nothing_and_reaches_the_report(study_copy):
    """Captions are read by `snakemake --report`, never by a job: an edit needs no rerun
    (the figure is unchanged) and the next report shows it."""
    caption = study_copy / problems.caption("sharp_wide", "sharp_wide_landscape").relative_to(REPO)
    caption.write_text(caption.read_text() + "\nA sentence added by the caption test.\n")
    assert planned_jobs(study_copy) == {}
    snakemake(study_copy, *TEST_CONFIG, "--report", "results/report.html")
    results = embedded((study_copy / "results/report.html").read_text(), "results")
    assert (
        "A sentence added by the caption test."
        in (results["results/figures/sharp_wide_landscape.png"]["caption"])
    )
    assert "A sentence added" not in results["results/figures/basin_ratio.png"]["caption"]
