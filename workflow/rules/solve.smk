# One job = (problem, grid point, block of seeds) -> its run file (recorded rows) and
# its per-run summary (one row per run: what tables, checks and figures read).
# A quoted CLI (start-up is the cost of a small job; the solver imports only
# numpy + pyarrow).  No inputs: its params are all it depends on (the problem's
# config slice, the fingerprint of the code it runs), so only those rerun it.


rule solve:
    output:
        parquet="results/runs/{problem}/{setting}/seeds_{seeds}.parquet",
        summary="results/summaries/{problem}/{setting}/seeds_{seeds}.parquet",
    log:
        "results/logs/solve/{problem}/{setting}/seeds_{seeds}.log",
    benchmark:
        plan.benchmark(plan.grid.run_path("{problem}", "{setting}", "{seeds}"))
    wildcard_constraints:
        # exactly the config's jobs: any other target path matches no rule
        problem=plan.solver_job_re(config),
    conda:
        ENVS["solver"]
    resources:
        runtime=10,
        mem_mb=300,
    params:
        settings=lambda w: plan.solver_settings(config, w.problem),
        code=lambda w: fingerprints.solver_code(w.problem),
        # one schema for results/runs/: a problem that adds a column reruns every job
        columns=fixed(plan.as_json(plan.dataset_types())),
        summary=fixed(plan.as_json(plan.summary_spec())),
    shell:
        "python -m gdlab.solve --problem {wildcards.problem:q} --setting {wildcards.setting:q}"
        " --seeds {wildcards.seeds:q} --settings {params.settings:q} --columns {params.columns:q}"
        " --out {output.parquet:q} --summary {params.summary:q} --summary-out {output.summary:q}"
        " 2> {log:q}"
