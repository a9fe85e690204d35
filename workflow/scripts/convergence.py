"""Rule convergence: distance to the optimum vs step (quadratic, lsq_gd)."""

from gdlab import script, tables
from gdlab.plots import convergence


def main(sm):
    problem = sm.wildcards.problem
    df = tables.load(list(sm.input.runs), problem)
    convergence.figure(problem, df, [sm.output.png, sm.output.svg], dpi=sm.params.dpi)


script.run(snakemake, main)  # noqa: F821
