"""The figures' logic (src/gdlab/plots, and the problems' own figure modules under
src/gdlab/problems/<name>/) and the report's table pages (src/gdlab/report)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gdlab import report
from gdlab.plots import common, convergence
from gdlab.problems.sharp_wide import basin_ratio, ends


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


def _figures_of_iterative_problems():
    from gdlab import problems

    return [
        pytest.param(name, figure, id=figure.name)
        for name in problems.names()
        if problems.spec(name).iterative
        for figure in problems.spec(name).figures
    ]


@pytest.mark.parametrize(("problem", "figure"), _figures_of_iterative_problems())
@pytest.mark.parametrize(
    "stop", [{"tolerance": 1.0e300}, {"max_steps": 1}], ids=["converged at once", "one step"]
)
def test_every_figure_draws_runs_that_leave_no_step_to_plot(problem, figure, stop, tmp_path):
    """Runs that all stop at step 0 or 1 (a valid tolerance above every gradient, a budget
    of one step): nothing positive on a log axis; every figure still draws, without a
    warning (conv_huber's objective set its step axis to log scale on no data: a
    ValueError on saving)."""
    import json
    import warnings

    import pyarrow as pa
    import yaml

    from conftest import REPO
    from gdlab import grid, plan, problems, runs, solve

    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    cfg["problems"][problem].update(stop)
    if "reference_step" in cfg["problems"][problem]:
        cfg["problems"][problem]["reference_step"] = 1
    settings = grid.solver_settings(cfg, problem)
    tables = [
        solve.solve(problem, grid.setting(problem, v), 0, 2, settings)
        for v in grid.grid_values(problem, cfg["problems"][problem])
    ]
    table = pa.concat_tables(tables)
    assert max(table["steps"].to_pylist()) <= 1
    df = (
        runs.summarise(table, plan.summary_spec()) if figure.data == "runs" else table
    ).to_pandas()
    if figure.data == "tables":  # what the problem's checks write from these runs
        written = {}
        for check in problems.spec(problem).checks:
            compute = problems.function(problem, check.function)
            report = compute(problem, df, **json.loads(plan.job_params(cfg, check)))
            written.update(report.get("tables", {}))
        df = pd.concat([pd.DataFrame(written[t]) for t in figure.tables], ignore_index=True)
    draw = problems.function(problem, figure.function)
    png = tmp_path / "figure.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw(problem, df, [str(png)], 40, **json.loads(plan.job_params(cfg, figure)))
    assert png.stat().st_size > 0
