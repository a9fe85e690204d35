"""Rule check_convergence: every convergence table agrees with the theory."""

from pathlib import Path

import pandas as pd

from gdlab import checks, script


def main(sm):
    tables = {Path(p).stem: pd.read_csv(p) for p in sm.input.tables}
    script.write_check(sm.output.json, checks.convergence(tables))


script.run(snakemake, main)  # noqa: F821
