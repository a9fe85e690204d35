# gdlab: the numerical experiments of a homework on gradient descent.
# Table of contents; the logic lives in src/gdlab, the rules in workflow/rules.
from snakemake.utils import min_version

min_version("9.0")


include: "workflow/rules/preflight.smk"  # the config's YAML syntax, line and column


configfile: DEFAULT_CONFIGFILE  # config/config.yaml (preflight.smk)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/solve.smk"
include: "workflow/rules/aggregate.smk"
include: "workflow/rules/plots.smk"
include: "workflow/rules/thresholds.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/stale.smk"  # snakemake stale / prune
include: "workflow/rules/summary.smk"  # onsuccess/onerror: the summary, the report


rule all:
    default_target: not AS_MODULE  # a host keeps its own (common.smk)
    input:
        plan.all_outputs(config),
