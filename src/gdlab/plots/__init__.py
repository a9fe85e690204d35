"""Figure code that several problems share; a problem's own figures live in its folder.

* :mod:`.convergence` — distance to the optimum vs step, for a problem whose
  theory is a threshold (:class:`gdlab.theory.Threshold`);
* :mod:`.common` — per-step summaries over seeds, agreement marks, log axes
  that survive data near the float limits.

Figure modules are separate files because a job's code fingerprint covers the
files it imports (:mod:`gdlab.codedeps`): editing one figure reruns that figure
alone.  Pandas and matplotlib live here, never in solver jobs.
"""
