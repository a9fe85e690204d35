"""Rule conv_huber_objective: F(x_k) vs step per α, the homework's reference run marked."""

from gdlab import script, tables
from gdlab.plots import objective


def main(sm):
    df = tables.load(list(sm.input.runs), "conv_huber")
    objective.figure(
        df,
        dict(sm.params.reference),
        sm.params.reference_step,
        [sm.output.png, sm.output.svg],
        dpi=sm.params.dpi,
    )


script.run(snakemake, main)  # noqa: F821
