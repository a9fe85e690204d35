# Housekeeping: the files under results/runs/ the current config does not make (a
# removed α, fewer seeds, another job size, an older gdlab).  Every glob over
# results/runs/ reads them; the workflow's own aggregations never do.  A subset
# (only=) never makes the other problems' files stale; prune deletes nothing while
# another run in this directory writes run files.
#   snakemake stale    lists them
#   snakemake prune    deletes them


rule stale:
    log:
        "results/logs/stale.log",
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        config=lambda w: plan.as_json(config),
    shell:
        "python -m gdlab.jobs.stale --config {params.config:q} --log {log:q} 2> {log:q}"


rule prune:
    log:
        "results/logs/prune.log",
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        config=lambda w: plan.as_json(config),
    shell:
        "python -m gdlab.jobs.stale --delete --config {params.config:q} --log {log:q}"
        " 2> {log:q}"
