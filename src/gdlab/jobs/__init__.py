"""The workflow's command-line entry points, one module per kind of job, each run as
``python -m gdlab.jobs.<name>`` from a rule's ``shell:`` (so a rule's shell text
holds no path, and its code is tracked by :mod:`gdlab.codedeps`, not by mtime):

* :mod:`.table` — one problem's convergence table (CSV + Markdown);
* :mod:`.table_html` — that table as a page of the report;
* :mod:`.figure` — one figure of a problem (``SPEC.figures``);
* :mod:`.check` — one check of a problem (``SPEC.checks``);
* :mod:`.convergence` — every convergence table agrees with its theory.

The solver job is :mod:`gdlab.solve`.  Each imports only what its job needs.
"""

from gdlab import interrupt

interrupt.install("gdlab.jobs")  # runs before the job module's own (heavy) imports
