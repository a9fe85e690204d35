"""Rule table: one problem's convergence table (CSV + Markdown)."""

import json
from pathlib import Path

from gdlab import script, tables


def main(sm):
    problem = sm.wildcards.problem
    df = tables.load(list(sm.input.runs), problem, json.loads(sm.params.settings))
    table = tables.convergence_table(problem, df, sm.params.checks)
    table.to_csv(sm.output.csv, index=False, float_format="%.17g")
    Path(sm.output.md).write_text(tables.to_markdown(problem, table))


script.run(snakemake, main)  # noqa: F821
