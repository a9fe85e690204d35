# Figures (matplotlib, Agg).  Each runs its script from shell: with only the
# plot settings it uses and the fingerprint of its code as params, so a plot
# setting or plotting code change reruns only the figures.


rule basin_ratio:
    input:
        runs=runs_of("sharp_wide") if "sharp_wide" in PROBLEMS else [],
    output:
        png="results/figures/basin_ratio.png",
        svg="results/figures/basin_ratio.svg",
    log:
        "results/logs/figures/basin_ratio.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        homework_alphas=as_json(
            config["problems"].get("sharp_wide", {}).get("alphas", [])
        ),
        dpi=config["plots"]["dpi"],
        code=script_code("basin_ratio"),
    shell:
        "python workflow/scripts/basin_ratio.py --homework-alphas {params.homework_alphas:q}"
        " --dpi {params.dpi} --png {output.png:q} --svg {output.svg:q} {input.runs:q}"
        " 2> {log:q}"
