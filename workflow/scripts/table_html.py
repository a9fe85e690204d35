"""Rule table_html: one convergence table as a page for the report."""

from pathlib import Path

import pandas as pd

from gdlab import report, script


def main(sm):
    table = pd.read_csv(sm.input.csv)
    Path(sm.output.html).write_text(report.table_html(sm.wildcards.problem, table))


script.run(snakemake, main)  # noqa: F821
