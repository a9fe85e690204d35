"""Rule check_lsq_gradient: the gradient formulas hold on every seed and shape."""

from gdlab import checks, script, tables


def main(sm):
    df = tables.load(list(sm.input.runs), "lsq_gradient")
    script.write_check(sm.output.json, checks.lsq_gradient(df, dict(sm.params.tolerances)))


script.run(snakemake, main)  # noqa: F821
