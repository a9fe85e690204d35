# Figures (matplotlib, Agg), PNG for the README and the report, SVG for print.
# One rule per figure, each run from shell: with only the plot settings it uses
# and the fingerprint of the code it imports (its module under src/gdlab/plots/,
# their shared common.py and style.py, the problem's module) as params, so
# editing one figure reruns that rule alone.  Captions (workflow/report/*.rst)
# are read when the report is built, never by a job: editing one reruns nothing.


rule basin_ratio:
    input:
        runs=runs_of("sharp_wide") if "sharp_wide" in PROBLEMS else [],
    output:
        png=report(
            "results/figures/basin_ratio.png",
            caption="../report/basin_ratio.rst",
            category="sharp_wide",
            subcategory="figures",
            labels={"figure": "basin ratio: where GD ends, per α"},
        ),
        svg="results/figures/basin_ratio.svg",
    log:
        "results/logs/figures/basin_ratio.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        homework_alphas=as_json(sharp_wide_setting("alphas", [])),
        start_interval=as_json(sharp_wide_setting("start_interval", [])),
        dpi=config["plots"]["dpi"],
        code=script_code("basin_ratio"),
    shell:
        "python workflow/scripts/basin_ratio.py --homework-alphas {params.homework_alphas:q}"
        " --start-interval {params.start_interval:q} --dpi {params.dpi:q}"
        " --png {output.png:q} --svg {output.svg:q} {input.runs:q} 2> {log:q}"


rule sharp_wide_landscape:
    input:
        runs=runs_of("sharp_wide") if "sharp_wide" in PROBLEMS else [],
    output:
        png=report(
            "results/figures/sharp_wide_landscape.png",
            caption="../report/sharp_wide_landscape.rst",
            category="sharp_wide",
            subcategory="figures",
            labels={"figure": "landscape: f(x), where runs start and end"},
        ),
        svg="results/figures/sharp_wide_landscape.svg",
    log:
        "results/logs/figures/sharp_wide_landscape.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        homework_alphas=as_json(sharp_wide_setting("alphas", [])),
        start_interval=as_json(sharp_wide_setting("start_interval", [])),
        dpi=config["plots"]["dpi"],
        code=script_code("sharp_wide_landscape"),
    shell:
        "python workflow/scripts/sharp_wide_landscape.py"
        " --homework-alphas {params.homework_alphas:q}"
        " --start-interval {params.start_interval:q} --dpi {params.dpi:q}"
        " --png {output.png:q} --svg {output.svg:q} {input.runs:q} 2> {log:q}"


rule convergence:
    input:
        runs=lambda w: runs_of(w.problem),
    output:
        png=report(
            "results/figures/convergence_{problem}.png",
            caption="../report/convergence.rst",
            category="{problem}",
            subcategory="figures",
            labels={"figure": "convergence: distance to the optimum vs step"},
        ),
        svg="results/figures/convergence_{problem}.svg",
    log:
        "results/logs/figures/convergence_{problem}.log",
    wildcard_constraints:
        problem="quadratic|lsq_gd",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        dpi=config["plots"]["dpi"],
        code=lambda w: script_code("convergence", problem=w.problem),
    shell:
        "python workflow/scripts/convergence.py --problem {wildcards.problem:q}"
        " --dpi {params.dpi:q} --png {output.png:q} --svg {output.svg:q} {input.runs:q}"
        " 2> {log:q}"


rule conv_huber_objective:
    input:
        runs=runs_of("conv_huber") if "conv_huber" in PROBLEMS else [],
    output:
        png=report(
            "results/figures/conv_huber_objective.png",
            caption="../report/conv_huber_objective.rst",
            category="conv_huber",
            subcategory="figures",
            labels={"figure": "objective F(x_k) vs step, the reference run"},
        ),
        svg="results/figures/conv_huber_objective.svg",
    log:
        "results/logs/figures/conv_huber_objective.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        reference=as_json(
            {k: config["checks"]["conv_huber"][k] for k in ("seed", "alpha", "value")}
        ),
        reference_step=config["problems"]
        .get("conv_huber", {})
        .get("reference_step", 100),
        dpi=config["plots"]["dpi"],
        code=script_code("conv_huber_objective"),
    shell:
        "python workflow/scripts/conv_huber_objective.py --reference {params.reference:q}"
        " --reference-step {params.reference_step:q} --dpi {params.dpi:q}"
        " --png {output.png:q} --svg {output.svg:q} {input.runs:q} 2> {log:q}"
