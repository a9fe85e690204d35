# Aggregations: convergence tables and the checks that fail the run.


rule table:
    input:
        runs=lambda w: runs_of(w.problem),
        code=lambda w: table_code(w.problem),
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
    localrule: True
    conda:
        "../../environment.yml"
    params:
        checks=lambda w: table_checks(w.problem),
        # the solver settings every run file must have been computed with
        settings=solver_settings,
    script:
        "../scripts/table.py"


rule check_lsq_gradient:
    input:
        runs=runs_of("lsq_gradient") if "lsq_gradient" in PROBLEMS else [],
        code=AGGREGATE_CODE + src("checks.py"),
    output:
        json=report(
            "results/checks/lsq_gradient.json",
            caption="../report/check_lsq_gradient.rst",
            category="lsq_gradient",
            subcategory="checks",
            labels={"check": "gradient formulas (JSON download)"},
        ),
    log:
        "results/logs/checks/lsq_gradient.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        tolerances=config["checks"]["lsq_gradient"],
    script:
        "../scripts/check_lsq_gradient.py"


rule check_conv_huber:
    input:
        runs=runs_of("conv_huber") if "conv_huber" in PROBLEMS else [],
        code=AGGREGATE_CODE + src("checks.py"),
    output:
        json=report(
            "results/checks/conv_huber.json",
            caption="../report/check_conv_huber.rst",
            category="conv_huber",
            subcategory="checks",
            labels={"check": "reference value and operator (JSON download)"},
        ),
    log:
        "results/logs/checks/conv_huber.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        tolerances=config["checks"]["conv_huber"],
        reference_step=config["problems"]
        .get("conv_huber", {})
        .get("reference_step", 100),
    script:
        "../scripts/check_conv_huber.py"


rule check_convergence:
    input:
        tables=expand("results/tables/{problem}.csv", problem=ITERATIVE),
        code=src("checks.py"),
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
    localrule: True
    conda:
        "../../environment.yml"
    script:
        "../scripts/check_convergence.py"
