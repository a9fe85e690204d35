# The end of a run: a summary of what it proved, at most ~15 lines (gdlab.summary).
# After a successful run that made the whole study, the report is built too
# (results/report.html, `snakemake --report` in a subprocess), so `snakemake` alone
# gives it.  Neither runs after a dry run or "Nothing to be done" (Snakemake calls no
# hook then: a run that changed nothing rewrites nothing), nor with --no-hooks.
# Snakemake ignores these two in a module: a host workflow adds the same two lines
# (docs/deploying.md).
from gdlab import progress, summary, work

# One line per finished job with the time left (gdlab.progress), when the profile
# silences Snakemake's own progress lines (profiles/default: quiet progress).
progress.attach(workflow, work.sizer(config))


onsuccess:
    summary.success(workflow, config, ROOT)


onerror:
    summary.failure(config)
