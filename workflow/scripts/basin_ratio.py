"""Rule basin_ratio: the basin-ratio figure of sharp_wide (PNG + SVG)."""

from gdlab import plots, script, tables


def main(sm):
    df = tables.load(list(sm.input.runs), "sharp_wide")
    plots.basin_ratio(
        df, list(sm.params.homework_alphas), [sm.output.png, sm.output.svg], dpi=sm.params.dpi
    )


script.run(snakemake, main)  # noqa: F821
