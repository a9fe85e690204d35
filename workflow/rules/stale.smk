# Housekeeping: the files under results/runs/ the current config does not make (a
# removed α, fewer seeds, another job size, an older gdlab).  Every glob over
# results/runs/ reads them; the workflow's own aggregations never do.
#   snakemake stale    lists them
#   snakemake prune    deletes them
from gdlab import stale


rule stale:
    log:
        "results/logs/stale.log",
    localrule: True
    run:
        stale.report(config, delete=False, log=log[0])


rule prune:
    log:
        "results/logs/prune.log",
    localrule: True
    run:
        stale.report(config, delete=True, log=log[0])
