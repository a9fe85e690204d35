"""A job's size in run-steps, for the progress lines' estimate of the time left
(:mod:`gdlab.progress`): from the config, the registry and the job's rule and
wildcards, as Snakemake logs them.  Pure Python, at parse time and in Snakemake's
process."""

from __future__ import annotations

from collections.abc import Mapping

from gdlab import problems
from gdlab.plan import solver_batches, study

# A job's start-up (Python, NumPy, pyarrow: ~0.2 s) costs as much as ~10^7 vectorised
# GD steps (docs/performance.md, "Job size"): the size of a job that runs no solver.
# A figure job (matplotlib's import, then drawing) took 12 times a small job's wall
# time in the default study (median 4.8 s against 0.4 s; results/costs.csv).
STARTUP_RUN_STEPS = 10**7
FIGURE_RUN_STEPS = 12 * STARTUP_RUN_STEPS


def drawn_rules(config: dict) -> tuple[str, ...]:
    """The rules that draw (a figure or chart) in the study: each problem's figures,
    ``chart_<name>`` of its charts, and the thresholds figure."""
    specs = [problems.spec(p) for p in study(config)]
    names = [f.name for s in specs for f in s.figures] + [
        f"chart_{c.name}" for s in specs for c in s.charts
    ]
    return (*names, "threshold_figure")


def sizer(config: dict):
    """``job_work(config, rule, wildcards)``, the rules that draw found once; a job of
    several grid points (a rule of its own, no wildcards: :func:`gdlab.plan.solver_batches`)
    the sum of its points' sizes less the start-ups it saves."""
    drawn = drawn_rules(config)
    batches = {
        name: sum(
            job_work(config, "solve", {"problem": j.problem, "seeds": j.seeds}) for j in batch
        )
        - (len(batch) - 1) * STARTUP_RUN_STEPS
        for name, batch in solver_batches(config)
    }

    def work(rule: str, wildcards: Mapping[str, str]) -> int:
        # the rule's name, or what follows a host's prefix ("<prefix>_solve_<p>_<i>")
        names = [rule] + [rule[i + 1 :] for i, c in enumerate(rule) if c == "_"]
        batch = next((n for n in names if n in batches), None)
        return batches[batch] if batch else job_work(config, rule, wildcards, drawn)

    return work


def job_work(
    config: dict, rule: str, wildcards: Mapping[str, str], drawn: tuple[str, ...] | None = None
) -> int:
    """A job's size in run-steps, for the progress estimate (:mod:`gdlab.progress`): a
    solver job's runs × its problem's step budget, plus :data:`STARTUP_RUN_STEPS`; a
    figure or chart (``drawn``, default :func:`drawn_rules`), :data:`FIGURE_RUN_STEPS`."""
    if "seeds" not in wildcards or wildcards.get("problem") not in config.get("problems", {}):
        # not a solver job; a host's prefix may come before a drawing rule's name
        drawn = drawn_rules(config) if drawn is None else drawn
        return FIGURE_RUN_STEPS if rule.endswith(drawn) else STARTUP_RUN_STEPS
    first, _, last = str(wildcards.get("seeds", "0-0")).partition("-")
    runs = int(last or first) - int(first) + 1
    steps = int(config["problems"][wildcards["problem"]].get("max_steps", 1))
    return STARTUP_RUN_STEPS + runs * steps
