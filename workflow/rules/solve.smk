# One job = (problem, grid point, block of seeds) -> its run file (recorded rows) and
# its per-run summary (one row per run: what tables, checks and figures read).
# A quoted CLI (start-up is the cost of a small job; the solver imports only
# numpy + pyarrow).  No inputs: its params are all it depends on (the problem's
# config slice, the fingerprint of the code it runs), so only those rerun it.
# The grid point and seed block are read from each --out path: the command
# (plan.SOLVE) is the same for a job of several grid points (below), so regrouping
# reruns nothing.


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
        problem=lambda w: w.problem,
        settings=lambda w: plan.solver_settings(config, w.problem),
        code=lambda w: fingerprints.solver_code(w.problem),
        # one schema for results/runs/: a problem that adds a column reruns every job
        columns=fixed(plan.as_json(plan.dataset_types())),
        summary=fixed(plan.as_json(plan.summary_spec())),
    shell:
        plan.SOLVE


# A job of several grid points (points_per_job > 1, gdlab.grid.batches): one rule each,
# its outputs the very files rule solve would make of them, one interpreter started
# for all (docs/performance.md, "Job size").  Its command names no grid
# point, so a job that gains or loses a point reruns only if one of its files is missing.
for name, batch in plan.solver_batches(config):

    rule:
        name:
            name
        output:
            parquet=[j.path for j in batch],
            summary=[j.summary for j in batch],
        log:
            plan.batch_log(batch),
        benchmark:
            plan.benchmark(batch[0].path)
        conda:
            ENVS["solver"]
        resources:
            runtime=10 * len(batch),
            mem_mb=300,
        params:
            problem=fixed(batch[0].problem),
            settings=fixed(plan.solver_settings(config, batch[0].problem)),
            code=fixed(fingerprints.solver_code(batch[0].problem)),
            columns=fixed(plan.as_json(plan.dataset_types())),
            summary=fixed(plan.as_json(plan.summary_spec())),
        shell:
            plan.SOLVE
