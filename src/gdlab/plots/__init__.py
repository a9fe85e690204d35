"""Figures: one module per figure, each with ``figure(..., paths, dpi)``.

One module per figure because a rule reruns when a code file it lists changes
(CONVENTIONS.md, trap 2): each figure's rule lists its own module, ``common``
and ``gdlab.style`` only, so editing one figure reruns that figure's rule alone.
Pandas and matplotlib live here, never in solver jobs.

* :mod:`.basin_ratio`  — ``sharp_wide``: share of starts per outcome, per α;
* :mod:`.landscape`    — ``sharp_wide``: f(x), its critical points, where runs start and end;
* :mod:`.convergence`  — ``quadratic``, ``lsq_gd``: distance to the optimum vs step;
* :mod:`.objective`    — ``conv_huber``: F(x_k) vs step, the homework's reference run.
"""
