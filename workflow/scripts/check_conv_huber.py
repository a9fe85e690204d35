"""Rule check_conv_huber: the homework's reference value and the operator checks."""

from gdlab import checks, script, tables


def main(sm):
    df = tables.load(list(sm.input.runs), "conv_huber")
    report = checks.conv_huber(df, dict(sm.params.tolerances), sm.params.reference_step)
    script.write_check(sm.output.json, report)


script.run(snakemake, main)  # noqa: F821
