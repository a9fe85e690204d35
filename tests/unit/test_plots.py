"""The figures' logic (src/gdlab/plots, and the problems' own figure modules under
src/gdlab/problems/<name>/) and the report's table pages (src/gdlab/report)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from gdlab import problems, report, tables
from gdlab.plots import common, convergence
from gdlab.problems.conv_huber import objective
from gdlab.problems.sharp_wide import basin_map, basin_ratio, ends


def _runs(rows):
    """A tidy frame like the solver's: (alpha, seed, outcome, minimum, x0, steps) per run,
    with a row at step 0 and one at the last step."""
    out = []
    for alpha, seed, outcome, minimum, x0, steps in rows:
        run = {
            "setting": f"alpha_{alpha!r}",
            "alpha": alpha,
            "seed": seed,
            "outcome": outcome,
            "minimum": minimum,
            "steps": steps,
        }
        out.append({**run, "step": 0, "x": x0})
        out.append({**run, "step": steps, "x": np.nan})
    return pd.DataFrame(out)


def test_basin_shares_count_every_outcome():
    df = _runs(
        [
            (0.01, 0, "converged", "sharp", -1.0, 50),
            (0.01, 1, "converged", "wide", 8.0, 60),
            (0.01, 2, "converged", "wide", 12.0, 70),
            (0.01, 3, "max_steps", "none", 0.5, 100),
            (4.0, 0, "diverged", "none", -1.0, 3),
            (4.0, 1, "diverged", "none", 8.0, 4),
        ]
    )
    shares = basin_ratio.basin_shares(df)
    assert list(shares.index) == [0.01, 4.0]
    assert shares.loc[0.01, ["sharp", "wide", "diverged", "not converged"]].tolist() == [
        0.25,
        0.5,
        0.0,
        0.25,
    ]
    assert shares.loc[4.0, "diverged"] == 1.0
    assert shares["runs"].tolist() == [4, 2]
    states = ends.end_states(df).set_index(["alpha", "seed"])
    assert states.loc[(0.01, 1), "x0"] == 8.0
    assert states.loc[(0.01, 3), "category"] == "not converged"


@pytest.mark.parametrize(
    ("values", "threshold", "expected"),
    [
        ([0.1, 0.5, 1.0, 1.5, 1.9, 1.99, 2.0, 2.01, 2.5, 3.0], 2.0, [0.1, 1.99, 2.0, 2.01, 3.0]),
        ([0.25, 0.5, 0.9, 0.99, 1.01, 1.1, 1.5], 1.0, [0.25, 0.99, 1.01, 1.5]),
        ([0.5, 0.99, 1.5], 1.0, [0.5, 0.99, 1.5]),
        ([2.5, 3.0], 2.0, [2.5, 3.0]),
        ([0.5], 2.0, [0.5]),
    ],
)
def test_convergence_panels_show_the_threshold_from_both_sides(values, threshold, expected):
    assert convergence.pick(values, threshold) == expected


def test_per_step_summaries_need_most_runs():
    df = pd.DataFrame(
        {
            "setting": ["a"] * 7,
            "seed": [0, 1, 2, 0, 1, 0, 2],
            "step": [0, 0, 0, 5, 5, 9, 9],
            "v": [1.0, 2.0, 4.0, 0.5, 0.25, 0.1, 0.0],
        }
    )
    stats = common.per_step(df, "v")
    assert list(stats.index) == [0, 5]  # step 9: one positive value of three runs
    assert stats.loc[0, "median"] == 2.0
    assert (stats.loc[5, "min"], stats.loc[5, "max"]) == (0.25, 0.5)
    assert common.agreement(20, 20, "converged") == "20/20 converged ✓"
    assert common.agreement(19, 20, "converged") == "19/20 converged ✗"


def test_no_figure_needs_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLBACKEND"] = "TkAgg"  # what a desktop might set; the style must override it
    code = "import gdlab.style, matplotlib; print(matplotlib.get_backend().lower())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "agg"


# ---- on the test study's runs ------------------------------------------------------
def _load(study, problem):
    return tables.load(
        sorted(map(str, (study / f"results/runs/{problem}").rglob("*.parquet"))), problem
    )


def _options(problem, figure):
    """The literal options of one of the problem's figures (``Figure.options``)."""
    (found,) = [f for f in problems.spec(problem).figures if f.name == figure]
    return dict(found.options)


@pytest.mark.workflow
def test_figures_are_byte_identical_when_redrawn(test_study, tmp_path):
    """Same runs, same figure, same bytes: reruns stop at an unchanged figure."""
    png, svg = tmp_path / "b.png", tmp_path / "b.svg"
    basin_ratio.figure(
        "sharp_wide",
        _load(test_study, "sharp_wide"),
        [str(png), str(svg)],
        dpi=100,
        homework_alphas=[0.01, 0.3, 4.0],
        start_interval=[-5.0, 20.0],
    )
    assert png.read_bytes() == (test_study / "results/figures/basin_ratio.png").read_bytes()
    assert svg.read_bytes() == (test_study / "results/figures/basin_ratio.svg").read_bytes()


@pytest.mark.workflow
def test_the_basin_map_is_byte_identical_when_redrawn(test_study, tmp_path):
    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    basin_map.figure(
        "sharp_wide", _load(test_study, "sharp_wide"), [str(png), str(svg)], 100, [-5.0, 20.0]
    )
    assert png.read_bytes() == (test_study / "results/figures/basin_map.png").read_bytes()
    assert svg.read_bytes() == (test_study / "results/figures/basin_map.svg").read_bytes()


@pytest.mark.workflow
def test_a_run_that_disagrees_is_marked_in_its_panel(test_study, tmp_path):
    df = _load(test_study, "quadratic")
    ok, bad = tmp_path / "ok.svg", tmp_path / "bad.svg"
    options = _options("quadratic", "convergence_quadratic")
    convergence.figure("quadratic", df, [str(ok)], 150, **options)
    flipped = (df["setting"] == "alpha_0.5") & (df["seed"] == 0)
    df.loc[flipped, "outcome"] = "diverged"
    convergence.figure("quadratic", df, [str(bad)], 150, **options)
    assert "4/4 converged ✓" in ok.read_text() and "✗" not in ok.read_text()
    assert "3/4 converged ✗" in bad.read_text()


@pytest.mark.workflow
def test_the_reference_run_is_marked_with_its_value(test_study, tmp_path):
    svg = tmp_path / "o.svg"
    reference = {"seed": 0, "alpha": 0.01, "value": 0.4587586843129764}
    computed = objective.figure(
        "conv_huber",
        _load(test_study, "conv_huber"),
        [str(svg)],
        150,
        reference_seed=reference["seed"],
        reference_alpha=reference["alpha"],
        reference_value=reference["value"],
        reference_step=100,
    )
    assert abs(computed - reference["value"]) <= 1e-12 * reference["value"]
    text = svg.read_text()
    assert "F(x₁₀₀) = 0.4587586843" in text and "this run:  0.4587586843" in text


# ---- the report's table pages --------------------------------------------------------
def test_table_page_leads_with_the_verdict_and_marks_a_disagreeing_row():
    table = pd.DataFrame(
        {
            "setting": ["alpha_0.5", "alpha_2.5"],
            "alpha": [0.5, 2.5],
            "runs": [4, 4],
            "prediction": ["converged (α < 2)", "diverged (α > 2)"],
            "agrees": [True, False],
        }
    )
    page = report.table_html("quadratic", table)
    assert "Some runs disagree with the theory: 1/2 grid points agree." in page
    assert page.count('class="disagrees"') == 1
    assert "converged (α &lt; 2)" in page  # escaped
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert head.index("prediction") < head.index("alpha")  # the verdict columns first
    assert "<dt>agrees</dt>" in page
    good = report.table_html("quadratic", table.assign(agrees=[True, True]))
    assert "Every run agrees with the theory (2/2 grid points)." in good
    assert 'class="disagrees"' not in good
