# Figures (matplotlib, Agg), PNG for the README and the report, SVG for print: one
# generated rule per figure of a problem's spec (SPEC.figures), each run with only
# the config values it names and the fingerprint of the code it imports, so editing
# one figure reruns that rule alone.  Captions (a problem's captions/*.rst) are
# read when the report is built, never by a job: editing one reruns nothing.


for _problem in PROBLEMS:
    for _figure in SPECS[_problem].figures:

        rule:
            name:
                _figure.name
            input:
                runs=plan.figure_inputs(config, _problem, _figure),
            output:
                png=report(
                    plan.figure_paths(_figure.name)["png"],
                    caption=caption(_problem, _figure.name),
                    category=_problem,
                    subcategory="figures",
                    labels={"figure": _figure.label},
                ),
                svg=plan.figure_paths(_figure.name)["svg"],
            log:
                f"results/logs/figures/{_figure.name}.log",
            benchmark:
                plan.benchmark(plan.figure_paths(_figure.name)["png"])
            localrule: True
            conda:
                ENVS["figures"]
            params:
                problem=_problem,
                figure=_figure.name,
                params=fixed(plan.job_params(config, _figure)),
                settings=fixed(plan.solver_settings(config, _problem)),
                dpi=config["plots"]["dpi"],
                code=fingerprints.figure_code(_problem, _figure),
            shell:
                "python -m gdlab.jobs.figure --problem {params.problem:q}"
                " --figure {params.figure:q} --params {params.params:q}"
                " --settings {params.settings:q} --dpi {params.dpi:q}"
                " --png {output.png:q} --svg {output.svg:q} {input.runs:q} 2> {log:q}"
