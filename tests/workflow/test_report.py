"""The report: built from the test config by the one command of docs/report.md, read as a
file, and what reruns when a figure or a caption changes (Chromium: tests/system/)."""

from __future__ import annotations

import re

from conftest import REPO, snakemake
from gdlab import plan as gdplan
from gdlab import problems
from support.report import (
    CHARTS,
    CHARTS_OF,
    CONVERGENCE_FIGURES,
    FIGURES,
    FIGURES_OF,
    PROBLEMS,
    embedded,
    pixels,
    png_size,
)

TEST_CONFIG = ("--configfile", "config/test.yaml")


def planned_jobs(workdir, *args) -> dict[str, int]:
    """rule -> job count of a dry run (empty when there is nothing to do)."""
    out = snakemake(workdir, "-n", *TEST_CONFIG, *args).stdout
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:", 1)[1].split("total", 1)[0]
    rows = [line.split() for line in table.splitlines()[3:] if line.strip()]
    jobs = {rule: int(count) for rule, count in rows}
    jobs.pop("all", None)
    assert jobs.pop("job_costs", 0) == (1 if jobs else 0), jobs  # remade after any job
    return jobs


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
    for problem, charts in CHARTS_OF.items():  # each chart under its problem, captioned
        for chart in charts:
            path = gdplan.chart_path(chart.name)
            assert path in categories[problem]["charts"], path
            assert results[path]["mime_type"] == "text/html"
            assert "What the theory predicts" in results[path]["caption"], path
            assert "Do the runs agree" in results[path]["caption"], path
    assert CHARTS, "no problem declares a chart"
    for problem, names in FIGURES_OF.items():  # each figure under its problem
        for name in names:
            assert f"results/figures/{name}.png" in categories[problem]["figures"], name
    assert "System Message" not in html  # no reStructuredText error in any caption


def landing(html: str) -> str:
    """The landing page's HTML (Snakemake embeds it as a JavaScript string)."""
    text = html.replace('\\"', '"').replace("\\n", "\n")
    start = text.index('<div class="document"')
    return text[start : text.index("How to read this report", start)]


def test_the_landing_page_leads_with_the_verdict_and_links_every_result(report, test_study):
    html = report.read_text()
    results = embedded(html, "results")
    page = landing(html)
    checks = sorted(p.name for p in (test_study / "results/checks").glob("*.json"))
    first = re.search(r"<h1[^>]*>The verdict</h1>\s*<p>(.*?)</p>", page, re.S)
    assert first, page[:2000]
    assert first[1] == (
        f"<strong>Every claim holds</strong>: {len(PROBLEMS)} convergence tables agree"
        f" with the theory and {len(checks)} checks pass."
    )
    links = re.findall(r"javascript:app.showResultInfo\('([^']+)'\)", page)
    assert sorted(links) == sorted(
        [f"results/report/tables/{p}.html" for p in PROBLEMS]
        + [f"results/checks/{c}" for c in checks]
    )
    assert set(links) <= set(results)  # no dead reference
    for problem in PROBLEMS:  # the summary's words, from the table itself
        table = (test_study / f"results/tables/{problem}.csv").read_text().splitlines()
        assert f"{len(table) - 1}/{len(table) - 1} grid points agree with the theory" in page
    assert "System Message" not in html


# ---- what reruns ----------------------------------------------------------------------
def test_editing_one_figure_reruns_only_that_figure(study):
    module = study / "src/gdlab/problems/sharp_wide/landscape.py"
    # a real edit (a comment alone reruns nothing: gdlab.codedeps hashes the syntax tree)
    module.write_text(module.read_text() + "\nDOT_SIZE_ASKED_BY_A_READER = 2\n")
    assert planned_jobs(study) == {"sharp_wide_landscape": 1}
    # the generic convergence plot: every figure drawn by it, and nothing else
    assert len(CONVERGENCE_FIGURES) >= 2, CONVERGENCE_FIGURES
    module = study / "src/gdlab/plots/convergence.py"
    module.write_text(module.read_text() + "\nBAND_WIDTH_ASKED_BY_A_READER = 0.5\n")
    assert planned_jobs(study) == {"sharp_wide_landscape": 1, **CONVERGENCE_FIGURES}


def test_editing_a_caption_reruns_nothing_and_reaches_the_report(study):
    """Captions are read by `snakemake --report`, never by a job: an edit needs no rerun
    (the figure is unchanged) and the next report shows it."""
    caption = study / problems.caption("sharp_wide", "sharp_wide_landscape").relative_to(REPO)
    caption.write_text(caption.read_text() + "\nA sentence added by the caption test.\n")
    assert planned_jobs(study) == {}
    snakemake(study, *TEST_CONFIG, "--report", "results/report.html")
    results = embedded((study / "results/report.html").read_text(), "results")
    assert (
        "A sentence added by the caption test."
        in (results["results/figures/sharp_wide_landscape.png"]["caption"])
    )
    assert "A sentence added" not in results["results/figures/basin_ratio.png"]["caption"]
