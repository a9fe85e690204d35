# What only the report needs: the convergence tables as HTML pages (the report
# shows HTML and images inline, and offers CSV only as a download), one generated
# rule per problem with the caption of its folder (captions/table.rst); and the
# problems' interactive charts.
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
            code=fingerprints.table_html_code(_problem),
        shell:
            "python -m gdlab.jobs.table_html --problem {params.problem:q}"
            " --csv {input.csv:q} --html {output.html:q} 2> {log:q}"


# The interactive charts (SPEC.charts): one generated rule per chart, an HTML page whose
# Vega JavaScript is inline (it opens offline), with the caption of its folder
# (captions/<name>.rst); params as a figure's: its config values and code fingerprint.
for _problem in PROBLEMS:
    for _chart in SPECS[_problem].charts:

        rule:
            name:
                f"chart_{_chart.name}"
            input:
                data=plan.chart_inputs(config, _problem, _chart),
            output:
                html=report(
                    plan.chart_path(_chart.name),
                    caption=caption(_problem, _chart.name),
                    category=_problem,
                    subcategory="charts",
                    labels={"chart": _chart.label},
                ),
            log:
                f"results/logs/report/charts/{_chart.name}.log",
            benchmark:
                plan.benchmark(plan.chart_path(_chart.name))
            localrule: True
            conda:
                ENVS["charts"]
            params:
                problem=_problem,
                chart=_chart.name,
                params=fixed(plan.job_params(config, _chart)),
                settings=fixed(plan.solver_settings(config, _problem)),
                code=fingerprints.chart_code(_problem, _chart),
            shell:
                "python -m gdlab.jobs.chart --problem {params.problem:q}"
                " --chart {params.chart:q} --params {params.params:q}"
                " --settings {params.settings:q} --html {output.html:q}"
                " {input.data:q} 2> {log:q}"


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
        code=fingerprints.verdict_code(),
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
        code=fingerprints.costs_code(),
    shell:
        "python -m gdlab.jobs.costs --measured {params.measured:q} --csv {output.csv:q}"
        " --html {output.html:q} 2> {log:q}"
