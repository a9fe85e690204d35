"""What a dry run plans, told apart from the two files remade after the others: the
report's verdict (after any table or check) and what each job cost (after any job)."""

from __future__ import annotations

import re

from gdlab import plan

COSTS = set(plan.COSTS.values())


def without_derived(outputs: set[str], whole_study: bool = True) -> set[str]:
    """``outputs`` without the verdict and the costs, having checked that each is planned
    exactly when it must be: on the whole study (a subset leaves them as they were),
    the verdict when a table or check is, the costs when anything else is."""
    rest = outputs - COSTS - {plan.VERDICT}
    if whole_study:
        verdict = any(
            re.fullmatch(r"results/(tables/[^/]+\.csv|checks/[^/]+\.json)", o) for o in rest
        )
        assert (plan.VERDICT in outputs) == verdict, sorted(outputs)
        assert bool(outputs & COSTS) == bool(rest or plan.VERDICT in outputs), sorted(outputs)
        assert not outputs & COSTS or COSTS <= outputs, sorted(outputs)
    else:
        assert not outputs & (COSTS | {plan.VERDICT}), sorted(outputs)
    return rest
