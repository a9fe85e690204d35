"""Rule basin_ratio: the basin-ratio figure of sharp_wide (PNG + SVG)."""

from gdlab import script, tables
from gdlab.plots import basin_ratio


def main(sm):
    df = tables.load(list(sm.input.runs), "sharp_wide")
    basin_ratio.figure(
        df,
        list(sm.params.homework_alphas),
        list(sm.params.start_interval),
        [sm.output.png, sm.output.svg],
        dpi=sm.params.dpi,
    )


script.run(snakemake, main)  # noqa: F821
