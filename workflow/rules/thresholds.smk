# The threshold experiment (docs/thresholds.md): one job per problem with one
# (SPEC.thresholds), generated in a loop over the registry, bisects all its cases in
# process; then the table (with its report page), the check and the figure.  Params:
# only the config values each job reads and the fingerprint of the code it runs.


for _problem in THRESHOLDS:

    rule:
        name:
            f"threshold_{_problem}"
        output:
            csv=plan.threshold_path(_problem),
        log:
            f"results/logs/thresholds/{_problem}.log",
        benchmark:
            plan.benchmark(plan.threshold_path(_problem))
        localrule: True
        conda:
            ENVS["solver"]
        params:
            problem=_problem,
            params=fixed(plan.threshold_params(config, _problem)),
            code=fingerprints.threshold_code(_problem),
        shell:
            "python -m gdlab.jobs.threshold --problem {params.problem:q}"
            " --params {params.params:q} --out {output.csv:q} 2> {log:q}"


rule threshold_table:
    input:
        [plan.threshold_path(p) for p in THRESHOLDS],
    output:
        csv=report(
            plan.THRESHOLD_OUTPUTS["csv"],
            caption="../report/thresholds_table.rst",
            category="all problems",
            subcategory="thresholds",
            labels={"thresholds": "table (CSV download)"},
        ),
        md=plan.THRESHOLD_OUTPUTS["md"],
        html=report(
            plan.THRESHOLD_OUTPUTS["html"],
            caption="../report/thresholds_table.rst",
            category="all problems",
            subcategory="thresholds",
            labels={"thresholds": "table: measured bracket vs theory"},
        ),
    log:
        "results/logs/thresholds/table.log",
    benchmark:
        plan.benchmark(plan.THRESHOLD_OUTPUTS["csv"])
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        code=fingerprints.threshold_table_code(),
    shell:
        "python -m gdlab.jobs.threshold_table --csv {output.csv:q} --md {output.md:q}"
        " --html {output.html:q} {input:q} 2> {log:q}"


rule check_thresholds:
    input:
        table=plan.THRESHOLD_OUTPUTS["csv"],
    output:
        json=report(
            plan.THRESHOLD_OUTPUTS["check"],
            caption="../report/thresholds_check.rst",
            category="all problems",
            subcategory="checks",
            labels={
                "check": "every threshold bracket holds its theory (JSON download)"
            },
        ),
    log:
        "results/logs/checks/thresholds.log",
    benchmark:
        plan.benchmark(plan.THRESHOLD_OUTPUTS["check"])
    localrule: True
    conda:
        ENVS["aggregate"]
    params:
        expected=fixed(plan.threshold_counts(config)),
        code=fingerprints.threshold_check_code(),
    shell:
        "python -m gdlab.jobs.check_thresholds --expected {params.expected:q}"
        " --out {output.json:q} {input.table:q} 2> {log:q}"


rule threshold_figure:
    input:
        table=plan.THRESHOLD_OUTPUTS["csv"],
    output:
        png=report(
            plan.THRESHOLD_OUTPUTS["png"],
            caption="../report/thresholds_figure.rst",
            category="all problems",
            subcategory="thresholds",
            labels={"thresholds": "figure: bracket vs theory"},
        ),
        svg=plan.THRESHOLD_OUTPUTS["svg"],
    log:
        "results/logs/figures/thresholds.log",
    benchmark:
        plan.benchmark(plan.THRESHOLD_OUTPUTS["png"])
    localrule: True
    conda:
        ENVS["figures"]
    params:
        dpi=config["plots"]["dpi"],
        code=fingerprints.threshold_figure_code(),
    shell:
        "python -m gdlab.jobs.threshold_figure --dpi {params.dpi:q} --png {output.png:q}"
        " --svg {output.svg:q} {input.table:q} 2> {log:q}"
