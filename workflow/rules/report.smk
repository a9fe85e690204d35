# What only the report needs: the convergence tables as HTML pages (the report
# shows HTML and images inline, and offers CSV only as a download), one generated
# rule per problem with the caption of its folder (captions/table.rst).
# Build the report itself with:  snakemake --report results/report.html


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
        localrule: True
        conda:
            ENVS["aggregate"]
        params:
            problem=_problem,
            code=plan.table_html_code(_problem),
        shell:
            "python -m gdlab.jobs.table_html --problem {params.problem:q}"
            " --csv {input.csv:q} --html {output.html:q} 2> {log:q}"
