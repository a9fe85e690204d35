"""Figures redrawn from the finished test study: byte-identical to what the workflow
wrote, and marked where a run disagrees or where the reference run lies."""

from __future__ import annotations

from gdlab import problems, tables
from gdlab.plots import convergence
from gdlab.problems.conv_huber import objective
from gdlab.problems.sharp_wide import basin_map, basin_ratio


# ---- on the test study's runs ------------------------------------------------------
def _load(study, problem):
    return tables.load(
        sorted(map(str, (study / f"results/runs/{problem}").rglob("*.parquet"))), problem
    )


def _options(problem, figure):
    """The literal options of one of the problem's figures (``Figure.options``)."""
    (found,) = [f for f in problems.spec(problem).figures if f.name == figure]
    return dict(found.options)


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


def test_the_basin_map_is_byte_identical_when_redrawn(test_study, tmp_path):
    png, svg = tmp_path / "m.png", tmp_path / "m.svg"
    basin_map.figure(
        "sharp_wide", _load(test_study, "sharp_wide"), [str(png), str(svg)], 100, [-5.0, 20.0]
    )
    assert png.read_bytes() == (test_study / "results/figures/basin_map.png").read_bytes()
    assert svg.read_bytes() == (test_study / "results/figures/basin_map.svg").read_bytes()


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


def test_every_svg_is_a_few_hundred_kilobytes_at_most(test_study):
    """A dense mesh or scatter is one image in the SVG, not a path per cell: every
    figure's SVG of the test study stays under 1 MB (momentum_map's stability mesh
    was 2.7 MB, and 2 s of its job, before it was rasterized)."""
    svgs = {p.name: p.stat().st_size for p in (test_study / "results/figures").glob("*.svg")}
    assert len(svgs) == len(list((test_study / "results/figures").glob("*.png"))) > 5
    big = {name: size for name, size in svgs.items() if size > 1_000_000}
    assert not big, big
