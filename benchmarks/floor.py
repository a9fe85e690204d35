"""The engine floor: the real workflow with every job's command replaced by a no-op.

:func:`make_floor` rewrites a *copy* of the workflow in place: in the Snakefile
and every ``workflow/rules/*.smk``, each rule's ``shell:``/``script:``/``run:``
block becomes a shell command that only creates the rule's outputs and log with
Bash builtins (no extra process).  Everything else is left as it is — the
config, its validation, the input functions, code inputs, params, logs,
resources, ``localrule`` flags and the profile — so the DAG has the same jobs
and the same rule structure, and Snakemake does the same bookkeeping, under the
same scheduler settings.  The benchmark checks that both DAGs have the same
number of jobs per rule.
"""

from __future__ import annotations

import re
from pathlib import Path

RUN_DIRECTIVES = ("shell", "script", "run", "notebook", "wrapper", "cwl")
_DIRECTIVE = re.compile(rf"^(?P<indent>\s+)(?P<name>{'|'.join(RUN_DIRECTIVES)}):(?P<rest>.*)$")
NOOP = 'for f in {output:q} {log:q}; do : > "$f"; done'


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def noop_rules(text: str) -> tuple[str, int]:
    """``text`` with each rule's run directive replaced by :data:`NOOP`; and how many."""
    lines = text.splitlines()
    out, i, count = [], 0, 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        level = len(m["indent"])
        i += 1
        # drop the directive's body: the following lines indented deeper than it
        while i < len(lines) and lines[i].strip() and _indent(lines[i]) > level:
            i += 1
        out += [f"{m['indent']}shell:", f"{m['indent']}    {NOOP!r}"]
        count += 1
    return "\n".join(out) + "\n", count


def make_floor(workdir: Path) -> int:
    """Turn the workflow copy in ``workdir`` into the engine floor; returns the
    number of rules rewritten."""
    total = 0
    for path in [workdir / "Snakefile", *sorted((workdir / "workflow" / "rules").glob("*.smk"))]:
        text, count = noop_rules(path.read_text())
        path.write_text(text)
        total += count
    if total == 0:
        raise RuntimeError(f"no rule with a shell/script/run directive found under {workdir}")
    return total
