# Aggregations: convergence tables and the checks that fail the run.  Each runs
# its script from shell: with only the config slice it uses and the fingerprint
# of the code it runs as params (common.smk: code), never script: (mtime trigger).


rule table:
    input:
        runs=lambda w: runs_of(w.problem),
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
        checks=lambda w: as_json(table_checks(w.problem)),
        # the solver settings every run file must have been computed with
        settings=solver_settings,
        code=lambda w: script_code("table", problem=w.problem),
    shell:
        "python workflow/scripts/table.py --problem {wildcards.problem:q} --checks {params.checks:q}"
        " --settings {params.settings:q} --csv {output.csv:q} --md {output.md:q} {input.runs:q}"
        " 2> {log:q}"


rule check_lsq_gradient:
    input:
        runs=runs_of("lsq_gradient") if "lsq_gradient" in PROBLEMS else [],
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
        tolerances=as_json(config["checks"]["lsq_gradient"]),
        code=script_code("check_lsq_gradient"),
    shell:
        "python workflow/scripts/check_lsq_gradient.py --tolerances {params.tolerances:q}"
        " --out {output.json:q} {input.runs:q} 2> {log:q}"


rule check_conv_huber:
    input:
        runs=runs_of("conv_huber") if "conv_huber" in PROBLEMS else [],
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
        tolerances=as_json(config["checks"]["conv_huber"]),
        reference_step=config["problems"]
        .get("conv_huber", {})
        .get("reference_step", 100),
        code=script_code("check_conv_huber"),
    shell:
        "python workflow/scripts/check_conv_huber.py --tolerances {params.tolerances:q}"
        " --reference-step {params.reference_step:q} --out {output.json:q} {input.runs:q}"
        " 2> {log:q}"


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
    localrule: True
    conda:
        "../../environment.yml"
    params:
        code=script_code("check_convergence"),
    shell:
        "python workflow/scripts/check_convergence.py --out {output.json:q} {input.tables:q}"
        " 2> {log:q}"
