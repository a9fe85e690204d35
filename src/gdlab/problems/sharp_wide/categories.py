"""Where a ``sharp_wide`` run can end, in the order of the figures' legends: pure Python,
read by its checks (no plotting) and its figures alike."""

CATEGORIES = ("sharp", "wide", "cycle", "aperiodic", "diverged", "not converged")
