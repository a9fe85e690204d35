# Figures (matplotlib, Agg).  Each lists the code it runs and only the plot
# settings it uses, so a plot setting change reruns only the figures.


rule basin_ratio:
    input:
        runs=runs_of("sharp_wide") if "sharp_wide" in PROBLEMS else [],
        code=AGGREGATE_CODE + src("plots.py", "style.py", "problems/sharp_wide.py"),
    output:
        png="results/figures/basin_ratio.png",
        svg="results/figures/basin_ratio.svg",
    log:
        "results/logs/figures/basin_ratio.log",
    localrule: True
    conda:
        "../../environment.yml"
    params:
        homework_alphas=config["problems"].get("sharp_wide", {}).get("alphas", []),
        dpi=config["plots"]["dpi"],
    script:
        "../scripts/basin_ratio.py"
