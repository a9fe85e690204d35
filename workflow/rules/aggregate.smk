# Aggregations: convergence tables and the checks that fail the run.  Each runs
# its entry point (python -m gdlab.jobs...) with only the config slice it uses and
# the fingerprint of the code it runs as params.  A problem's own checks
# (SPEC.checks) get one generated rule each.


rule table:
    input:
        summaries=summaries_of,
        runs=table_runs_of,
    output:
        csv=report(
            "results/tables/{problem}.csv",
            caption="../report/table.rst",
            category="{problem}",
            subcategory="tables",
            labels={"table": "convergence table (CSV download)"},
        ),
        md="results/tables/{problem}.md",
    log:
        "results/logs/table/{problem}.log",
    benchmark:
        plan.benchmark("results/tables/{problem}.csv")
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        checks=lambda w: plan.table_checks(config, w.problem),
        # the solver settings every run file must have been computed with
        settings=lambda w: plan.solver_settings(config, w.problem),
        code=lambda w: fingerprints.table_code(w.problem),
    shell:
        "python -m gdlab.jobs.table --problem {wildcards.problem:q} --checks {params.checks:q}"
        " --settings {params.settings:q} --csv {output.csv:q} --md {output.md:q}"
        " {input.summaries:q} --runs {input.runs:q} 2> {log:q}"


for _problem in PROBLEMS:
    for _check in SPECS[_problem].checks:

        rule:
            name:
                f"check_{_check.name}"
            input:
                runs=plan.check_inputs(config, _problem, _check),
            output:
                json=report(
                    f"results/checks/{_check.name}.json",
                    caption=caption(_problem, _check.name),
                    category=_problem,
                    subcategory="checks",
                    labels={"check": _check.label},
                ),
                tables=[f"results/tables/{t}.csv" for t in _check.tables],
            log:
                f"results/logs/checks/{_check.name}.log",
            benchmark:
                plan.benchmark(f"results/checks/{_check.name}.json")
            localrule: True
            conda:
                ENVS["aggregate"]
            params:
                problem=_problem,
                check=_check.name,
                params=fixed(plan.job_params(config, _check)),
                settings=fixed(plan.solver_settings(config, _problem)),
                code=fingerprints.check_code(_problem, _check),
            shell:
                "python -m gdlab.jobs.check --problem {params.problem:q} --check {params.check:q}"
                " --params {params.params:q} --settings {params.settings:q}"
                " --out {output.json:q} {input.runs:q} --tables {output.tables:q} 2> {log:q}"


rule check_convergence:
    input:
        tables=expand("results/tables/{problem}.csv", problem=ITERATIVE),
    output:
        json=report(
            "results/checks/convergence.json",
            caption="../report/check_convergence.rst",
            category="all problems",
            subcategory="checks",
            labels={"check": "every table row agrees (JSON download)"},
        ),
    log:
        "results/logs/checks/convergence.log",
    benchmark:
        plan.benchmark("results/checks/convergence.json")
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        expected=fixed(plan.grid_points(config)),
        code=fingerprints.convergence_code(),
    shell:
        "python -m gdlab.jobs.convergence --expected {params.expected:q} --out {output.json:q}"
        " {input.tables:q} 2> {log:q}"


rule runs_dataset:
    input:
        # every solver job's per-run summary (docs/results.md)
        summaries=plan.study_summaries(config),
    output:
        # not in the report: a large study's file would make the report as large
        parquet=plan.RUNS,
    log:
        "results/logs/runs.log",
    benchmark:
        plan.benchmark(plan.RUNS)
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        spec=fixed(plan.as_json(plan.summary_spec())),
        settings=fixed(plan.study_settings(config)),
        code=fingerprints.dataset_code(config),
    shell:
        "python -m gdlab.jobs.dataset --spec {params.spec:q} --settings {params.settings:q}"
        " --out {output.parquet:q} {input.summaries:q} 2> {log:q}"
