# What only the report needs: the convergence tables as HTML pages (the report
# shows HTML and images inline, and offers CSV only as a download).
# Build the report itself with:  snakemake --report results/report.html


rule table_html:
    input:
        csv="results/tables/{problem}.csv",
    output:
        html=report(
            "results/report/tables/{problem}.html",
            caption="../report/table.rst",
            category="{problem}",
            subcategory="tables",
            labels={"table": "convergence table: runs vs theory"},
        ),
    log:
        "results/logs/report/tables/{problem}.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        code=script_code("table_html"),
    shell:
        "python workflow/scripts/table_html.py --problem {wildcards.problem:q}"
        " --csv {input.csv:q} --html {output.html:q} 2> {log:q}"
