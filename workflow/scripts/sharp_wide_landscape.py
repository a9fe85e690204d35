"""Rule sharp_wide_landscape: f(x), its critical points, where runs start and end."""

from gdlab import script, tables
from gdlab.plots import landscape


def main(sm):
    df = tables.load(list(sm.input.runs), "sharp_wide")
    landscape.figure(
        df,
        list(sm.params.homework_alphas),
        list(sm.params.start_interval),
        [sm.output.png, sm.output.svg],
        dpi=sm.params.dpi,
    )


script.run(snakemake, main)  # noqa: F821
