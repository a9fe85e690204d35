"""When a GD run stops: the rule in words and a problem's config as its keywords.

Standard library only: the solver job states the rule in every result file's
metadata without importing :mod:`gdlab.descent` (a problem with no iteration
does not depend on it).
"""

from __future__ import annotations

import math

# The orbit test's defaults, when a problem's config leaves them out.
MAX_PERIOD, PERIOD_RTOL = 16, 1e-9
# Steps past the budget over which a bounded run's Lyapunov exponent is estimated.
LYAPUNOV_STEPS = 1000

# The stopping rule in words, as each result file's metadata states it.
STOPPING_RULE = (
    "theta_{k+1} = theta_k - alpha * grad f(theta_k) from theta_0; before each step: "
    "diverged if theta_k, grad f or the distance to the optimum (|theta_k| where the optimum "
    "is unknown) is not finite or the distance exceeds divergence_factor * max(its value at "
    "theta_0, 1); else converged if |grad f(theta_k)| <= tolerance; else at k = max_steps: "
    "cycle if theta_{K+p} and theta_{K+2p} return to theta_K within cycle_rtol times the "
    "orbit's size max_{1<=j<p} |theta_{K+j} - theta_K| for some 2 <= p <= cycle_max_period "
    "(orbit_multiplier: the spectral radius of the derivative of p steps along it), else "
    f"aperiodic if over {LYAPUNOV_STEPS} further steps its Lyapunov exponent estimate "
    "(lyapunov) is positive and the largest distance it reaches in their second half exceeds "
    "that of the first by less than half that exponent per step, else max_steps. Recorded "
    "steps: 0-10, 12 log-spaced per decade, the budget, the last step."
)

# Log-spaced steps recorded per decade of the budget, unless ``record_per_decade`` says.
RECORD_PER_DECADE = 12


def rule(settings: dict) -> str:
    """:data:`STOPPING_RULE` with the recorded steps per decade of ``settings``."""
    per_decade = settings.get("record_per_decade", RECORD_PER_DECADE)
    return STOPPING_RULE.replace(
        f"{RECORD_PER_DECADE} log-spaced per decade", f"{per_decade} log-spaced per decade"
    )


def stopping(settings: dict) -> dict:
    """The stopping rule of a problem's config section, as :func:`descend`'s keywords."""
    return {
        "max_steps": settings["max_steps"],
        "tolerance": settings["tolerance"],
        "divergence_factor": settings["divergence_factor"],
        "cycle_max_period": settings.get("cycle_max_period", MAX_PERIOD),
        "cycle_rtol": settings.get("cycle_rtol", PERIOD_RTOL),
    }


def record_steps(
    max_steps: int, extra: tuple[int, ...] = (), per_decade: int = RECORD_PER_DECADE
) -> frozenset[int]:
    """Iterations recorded for every run: 0–10, ``per_decade`` log-spaced per decade
    up to the budget, the budget itself and ``extra`` (the runs' last iterate is
    always recorded too).  Bounded: ~60 rows per run at 20 000 steps."""
    steps = set(range(min(10, max_steps) + 1))
    if max_steps > 10:
        decades = math.log10(max_steps) - 1
        count = max(2, math.ceil(decades * per_decade) + 1)
        steps |= {round(10 ** (1 + decades * i / (count - 1))) for i in range(count)}
    steps |= {s for s in extra if 0 <= s <= max_steps}
    steps.add(max_steps)
    return frozenset(steps)
