# What only the report needs: the convergence tables as HTML pages (the report
# shows HTML and images inline, and offers CSV only as a download), one generated
# rule per problem with the caption of its folder (captions/table.rst).
# Build the report itself with:  snakemake --report results/report.html
from gdlab import summary


for _problem in PROBLEMS:

    rule:
        name:
            f"table_html_{_problem}"
        input:
            csv=f"results/tables/{_problem}.csv",
        output:
            html=report(
                f"results/report/tables/{_problem}.html",
                caption=caption(_problem, "table"),
                category=_problem,
                subcategory="tables",
                labels={"table": "convergence table: runs vs theory"},
            ),
        log:
            f"results/logs/report/tables/{_problem}.log",
        benchmark:
            plan.benchmark(f"results/report/tables/{_problem}.html")
        localrule: True
        conda:
            ENVS["aggregate"]
        params:
            problem=_problem,
            code=plan.table_html_code(_problem),
        shell:
            "python -m gdlab.jobs.table_html --problem {params.problem:q}"
            " --csv {input.csv:q} --html {output.html:q} 2> {log:q}"


# The report's landing page (workflow/report/workflow.rst includes it): the study's
# verdict, what the end-of-run summary says of every table and check, with links.
rule verdict:
    input:
        [path for _kind, _name, path in summary.study_results(config)],
    output:
        rst=plan.VERDICT,
    log:
        "results/logs/report/verdict.log",
    benchmark:
        plan.benchmark(plan.VERDICT)
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        results=fixed(plan.as_json(summary.study_results(config))),
        code=plan.verdict_code(),
    shell:
        "python -m gdlab.jobs.verdict --items {params.results:q} --out {output.rst:q} 2> {log:q}"


# What each job cost (Snakemake's benchmark: records, results/benchmarks/): made after
# every other output of the study, so after every run that made anything.
rule job_costs:
    input:
        plan.costs_inputs(config),
    output:
        csv=plan.COSTS["csv"],
        html=report(
            plan.COSTS["html"],
            caption="../report/costs.rst",
            category="all problems",
            subcategory="costs",
            labels={"table": "what each job cost"},
        ),
    log:
        "results/logs/costs.log",
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        measured=fixed(plan.as_json(plan.measured(config))),
        code=plan.costs_code(),
    shell:
        "python -m gdlab.jobs.costs --measured {params.measured:q} --csv {output.csv:q}"
        " --html {output.html:q} 2> {log:q}"
