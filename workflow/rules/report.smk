# What only the report needs: the convergence tables as HTML pages (the report
# shows HTML and images inline, and offers CSV only as a download).
# Build the report itself with:  snakemake --report results/report.html


rule table_html:
    input:
        csv="results/tables/{problem}.csv",
        code=src("__init__.py", "report.py"),
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
    script:
        "../scripts/table_html.py"
