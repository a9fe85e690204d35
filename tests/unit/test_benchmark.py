"""The benchmark (benchmarks/run.py): its --quick mode end to end, and its engine floor.

No timing assertions: the numbers depend on the machine.  What is asserted is
that every measurement is made and recorded, that the engine floor has the
pipeline's DAG, and that the lower bound writes the pipeline's files.
"""

import re
import sys

import pytest
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import grid

sys.path.insert(0, str(REPO / "benchmarks"))

import floor
import lower_bound

# a rule declaration: `rule name:`, or `rule:` of a rule generated in a loop (name: ...)
RULE = re.compile(r"^\s*rule(\s+\w+)?\s*:", re.MULTILINE)


def n_rules(text: str) -> int:
    return len(RULE.findall(text))


def test_floor_replaces_every_job_command_and_nothing_else():
    text = (REPO / "workflow/rules/solve.smk").read_text()
    rewritten, count = floor.noop_rules(text)
    assert count == n_rules(text) == 2  # rule solve, and the rule of a job of several points
    assert "gdlab.solve" not in rewritten and floor.NOOP in rewritten
    for kept in ("output:", "log:", "params:", "resources:", "solver_settings", "solver_code"):
        assert kept in rewritten
    for smk in (REPO / "workflow/rules").glob("*.smk"):
        text = smk.read_text()
        rewritten, count = floor.noop_rules(text)
        assert count == n_rules(text), smk
        code = "\n".join(x for x in rewritten.splitlines() if not x.lstrip().startswith("#"))
        assert "python workflow/scripts/" not in code and "-m gdlab" not in code, smk
        assert rewritten.count(floor.NOOP) == count


DRY_RUN = """\
Building DAG of jobs...
rule solve:
    output: results/runs/q/alpha_0.5/seeds_0-1.parquet
    log: results/logs/solve/q.log
    jobid: 2
Shell command: python -m gdlab.solve --problem q --settings '{"a": 1}' --out results/runs/q/alpha_0.5/seeds_0-1.parquet 2> results/logs/solve/q.log

localrule table:
    input: results/runs/q/alpha_0.5/seeds_0-1.parquet, results/runs/q/alpha_1.0/seeds_0-1.parquet
    output: results/tables/q.csv, results/tables/q.md
    log: results/logs/table/q.log
Shell command: python -m gdlab.jobs.table --csv results/tables/q.csv 2> results/logs/table/q.log

rule solve:
    output: results/runs/q/alpha_1.0/seeds_0-1.parquet
Shell command: python -m gdlab.solve --problem q --out results/runs/q/alpha_1.0/seeds_0-1.parquet

localrule all:
    input: results/tables/q.csv
Shell command: None
"""


def test_lower_bound_reads_the_dry_run_and_orders_jobs_by_their_inputs():
    jobs = lower_bound.parse_dry_run(DRY_RUN)
    assert [j["rule"] for j in jobs] == ["solve", "table", "solve"]  # rule all: no command
    assert jobs[1]["output"] == ["results/tables/q.csv", "results/tables/q.md"]
    ordered = lower_bound.in_order(jobs)
    assert [j["rule"] for j in ordered] == ["solve", "solve", "table"]
    argv, log = lower_bound.command(jobs[0]["cmd"])
    assert argv[:2] == ["-m", "gdlab.solve"] and '{"a": 1}' in argv
    assert log == "results/logs/solve/q.log"
    with pytest.raises(ValueError, match="not a plain python command"):
        lower_bound.command("python -m x | tee y")


# ---- gdlab beside benchopt (benchmarks/vs_benchopt.py, benchmarks/benchopt_ols/) ------
# Neither test needs benchopt: the benchmark's numerics live in its benchmark_utils
# (plain NumPy), and vs_benchopt's config builders are plain dicts.
BENCHOPT_OLS = REPO / "benchmarks" / "benchopt_ols"


def _class_parameters(path):
    """The ``parameters`` dict of the one class in a benchopt module, read without
    importing it (it imports benchopt)."""
    import ast

    tree = ast.parse(path.read_text())
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    for node in cls.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "parameters":
            return {
                ast.literal_eval(k): node.value.values[i] for i, k in enumerate(node.value.keys)
            }
    raise AssertionError(f"no parameters in {path}")


def test_vs_benchopt_configs_are_the_ols_gd_work():
    import ast

    import vs_benchopt

    from gdlab import config as gdconfig

    base = yaml.safe_load((REPO / "config/config.yaml").read_text())
    c = vs_benchopt.gdlab_config(base, 7)
    assert (
        gdconfig.messages(c, gdconfig.load_schema(REPO / "workflow/schemas/config.schema.yaml"))
        == []
    )
    assert gdconfig.selected(c) == ["lsq_gd"]
    s = c["problems"]["lsq_gd"]
    assert s["alpha_multiples"] == [0.5, 0.99, 1.5] and s["seeds"] == 7 and s["shape"] == [50, 10]
    settings = grid.solver_settings(c, "lsq_gd")
    assert settings["tolerance"] == 1.0e-10 and settings["max_steps"] == 20000
    assert settings["divergence_factor"] == 1.0e12
    jobs = grid.jobs(c, "lsq_gd")
    assert sum(j.last - j.first + 1 for j in jobs) == 3 * 7
    assert vs_benchopt.gdlab_targets() == [
        "results/tables/lsq_gd.csv",
        "results/tables/lsq_gd.md",
        "results/figures/convergence_lsq_gd.png",
        "results/figures/convergence_lsq_gd.svg",
    ]
    # benchopt: one dataset per seed, the three step sizes, the same stopping rule
    b = vs_benchopt.benchopt_config(500)
    assert b["dataset"] == [{"simulated": {"seed": list(range(500))}}]
    assert b["solver"] == [{"GD": {"c": [0.5, 0.99, 1.5]}}]
    assert b["objective"] == [
        {"OLS-GD": {"tolerance": 1.0e-10, "max_steps": 20000, "divergence_factor": 1.0e12}}
    ]
    # ... which are also the benchmark's own defaults, and gdlab's default study's
    objective = _class_parameters(BENCHOPT_OLS / "objective.py")
    for key in ("tolerance", "max_steps", "divergence_factor"):
        assert ast.literal_eval(objective[key]) == [base["problems"]["lsq_gd"][key]]
    dataset = _class_parameters(BENCHOPT_OLS / "datasets" / "simulated.py")
    assert ast.literal_eval(dataset["n_samples, n_features"]) == [(50, 10)]
    solver = _class_parameters(BENCHOPT_OLS / "solvers" / "gd.py")
    assert ast.literal_eval(solver["c"]) == [0.5, 0.99, 1.5]
    assert 'sampling_strategy = "run_once"' in (BENCHOPT_OLS / "objective.py").read_text()


@pytest.mark.parametrize("c", [0.5, 0.99, 1.5])
def test_benchopt_ols_does_gdlabs_lsq_gd_work(c):
    """Seed 3: benchopt's dataset draws gdlab's X, Y, θ_0, and its GD stops at the
    same step with the same outcome, f and ∇f as gdlab's lsq_gd solver."""
    import numpy as np

    sys.path.insert(0, str(BENCHOPT_OLS))
    try:
        import benchmark_utils as bu
    finally:
        sys.path.remove(str(BENCHOPT_OLS))
    from gdlab.problems.lsq_gd import numerics

    base = yaml.safe_load((REPO / "config/config.yaml").read_text())
    settings = {**grid.solver_settings(base, "lsq_gd"), "shape": [50, 10]}
    X, Y, theta0 = bu.draw(3, 50, 10, base["root_seed"])
    for mine, theirs in zip(
        (X, Y, theta0), numerics.draw(3, base["root_seed"], 50, 10), strict=True
    ):
        assert np.array_equal(mine, theirs)
    theta, steps, outcome = bu.gd(
        X,
        Y,
        theta0,
        bu.step_size(X, c),
        tolerance=settings["tolerance"],
        max_steps=settings["max_steps"],
        divergence_factor=settings["divergence_factor"],
    )
    cols = numerics.run(settings, c, [3])
    last = int(np.argmax(cols["step"]))
    assert outcome == cols["outcome"][last] == ("diverged" if c > 1 else "converged")
    assert steps == cols["steps"][last] == cols["step"][last]
    assert np.isclose(cols["alpha"][last], bu.step_size(X, c), rtol=1e-14)
    assert np.isclose(bu.loss(X, Y, theta), cols["loss"][last], rtol=1e-9)
    grad = np.linalg.norm(bu.gradient(X, Y, theta))
    assert np.isclose(grad, cols["grad_norm"][last], rtol=1e-6, atol=1e-13)
    if outcome == "converged":
        assert grad <= settings["tolerance"] * 1.01


def test_the_scale_benchmark_s_helpers_resolve_and_its_goals_can_fail():
    """benchmarks/scale.py ran no more once the benchmark modules were split (it asked
    harness for names it no longer had): its config, its record and its goals, called."""
    import scale

    config = scale.scaled(scale.large_config(), 1000, None)
    # a config the workflow accepts (it was refused once the momentum checks added a key)
    gdconfig.validate(config, REPO / "workflow/schemas/config.schema.yaml")
    assert (
        scale.runs_of(config)
        == len(grid.grid_values("sharp_wide", config["problems"]["sharp_wide"]))
        * config["problems"]["sharp_wide"]["seeds"]
    )
    assert callable(scale.run.machine)  # its record (it runs git: not in this tier)
    row = {
        "runs": 10**6,
        "seconds": 31.0,
        "cpu_s": 100.0,
        "solver_cpu_s": 50.0,
        "peak_rss_bytes": {"gdlab.solve": 100 * 2**20, "gdlab.jobs.figure": 501 * 2**20},
        "results_dir_bytes": 149 * 10**6,
    }
    met = {name.split(",")[0]: t["met"] for name, t in scale.goals(row).items()}
    assert met == {
        "cold wall s": False,
        "CPU ÷ the solver and seeding's own CPU": True,
        "peak RSS of any job (MiB)": False,
        "results/ (MB)": True,
    }
    # the report states the floor the solver's own CPU puts under the wall goal
    row.update(
        seeds_per_job=4000,
        solver_jobs=16,
        per_run_s=31e-6,
        aggregation_peak_job="gdlab.jobs.figure",
        aggregation_peak_bytes_per_run=501 * 2**20 / 10**6,
        default_over_best=1.0,
        best_seeds_per_job=4000,
        cores=2,
        solver_wall_floor_s=25.0,
    )
    text = scale.markdown({"rows": [row], "targets": scale.goals(row)})
    assert "50.0 s, is at least 25.0 s of wall on 2 cores" in text
    assert "(31.0 s measured)" in text


def test_job_counts_read_the_progress_lines_where_there_are_no_job_stats():
    import harness

    out = (
        "gdlab: 4 jobs to run (2 solve, 2 others), 3e+07 run-steps\n"
        "[0:01 | ~0:03 left] 1/4 jobs  solve problem=P setting=alpha_1 seeds=0-1\n"
        "[0:02 | ~0:02 left] 2/4 jobs  solve problem=P setting=alpha_2 seeds=0-1\n"
        "[0:03 | ~0:01 left] 3/4 jobs  table problem=P\n"
        "[0:03 | done] 4/4 jobs  all\n"
    )
    assert harness.job_counts(out) == {"solve": 2, "table": 1, "all": 1}
    stats = "Job stats:\njob      count\n-----  -------\nsolve        2\nall          1\ntotal        3\n"
    assert harness.job_counts(stats) == {"solve": 2, "all": 1}
