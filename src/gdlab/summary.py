"""What a run proved, said in a few lines at its end (Snakemake's ``onsuccess`` and
``onerror``, ``workflow/rules/summary.smk``), and the report built after it.

After a successful run: one line per convergence table (how many grid points agree
with the theory) and per check (passed or not, and the numbers its JSON report
gives: a reference value against the computed one, the worst error against its
tolerance, the table rows checked), then where the tables and the report are.
After a failed one: the ``ERROR in rule ...`` lines that this run's jobs wrote to
their logs (which claim failed, and why), then what did hold.

Everything comes from the registry, the config and the files the jobs wrote
(``results/tables/<problem>.csv``, ``results/checks/<name>.json``, the logs): no
problem is named here.  Standard library only (csv, json): it runs in Snakemake's
process, after the jobs.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from gdlab import plan, problems
from gdlab.theory import APERIODIC, CONVERGED, CYCLE, DIVERGED, MAX_STEPS

REPORT = "results/report.html"
MAX_LINES = 15
MAX_ERRORS = 8
STARTED = time.time()  # imported when the Snakefile is parsed: the logs after it are the run's


# ---- what the run's outputs say -------------------------------------------------------
def checks_of(config: dict) -> list[str]:
    """The checks of the problems the run selects, then the convergence and the
    threshold checks."""
    out = [c.name for p in plan.configured(config) for c in problems.spec(p).checks]
    if plan.subset(config):  # a subset leaves the study-wide checks as they were
        return out
    out += ["convergence"] if plan.iterative(config) else []
    return out + (["thresholds"] if plan.with_thresholds(config) else [])


def table_verdict(path: Path) -> tuple[bool, str]:
    """(every row agrees, ``"4/4 grid points agree (16 runs: 8 converged, ...)"``)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    agree = sum(r.get("agrees") == "True" for r in rows)
    text = f"{agree}/{len(rows)} grid points agree with the theory"
    outcomes = [
        k for k in (CONVERGED, DIVERGED, CYCLE, APERIODIC, MAX_STEPS) if rows and k in rows[0]
    ]
    try:
        runs = sum(int(r["runs"]) for r in rows) if rows and "runs" in rows[0] else None
        counts = {k: sum(int(r[k]) for r in rows) for k in outcomes}
    except (TypeError, ValueError):  # a damaged cell: the counts are not the verdict
        runs, counts = None, {}
    if runs is not None:
        detail = ", ".join(f"{v} {k}" for k, v in counts.items())
        text += f" ({runs} runs" + (f": {detail})" if detail else ")")
    return bool(rows) and agree == len(rows), text


def _number(x) -> str:
    return f"{x:.3g}" if isinstance(x, float) and math.isfinite(x) else str(x)


def check_detail(report: Mapping) -> str:
    """The numbers of a check's JSON report, by the keys it has (not by its name)."""
    if "reference_value" in report and "computed_value" in report:
        text = f"reference {report['reference_value']!r}, computed {report['computed_value']!r}"
        if isinstance(report.get("relative_error"), (int, float)):
            text += f", relative error {_number(float(report['relative_error']))}"
            if isinstance(report.get("rtol"), (int, float)):
                text += f" (rtol {report['rtol']:g})"
        return text
    errors, tolerances = report.get("max_errors"), report.get("tolerances")
    if isinstance(errors, Mapping) and isinstance(tolerances, Mapping):
        parts = []
        for key, tol in tolerances.items():
            values = [
                e[key]
                for e in errors.values()
                if isinstance(e, Mapping) and isinstance(e.get(key), (int, float))
            ]
            if values:
                parts.append(f"{key} {_number(float(max(values)))} (tol {_number(tol)})")
        return "largest " + ", ".join(parts) if parts else ""
    rows = report.get("rows")
    if isinstance(rows, Mapping) and isinstance(report.get("agree"), int):
        return f"{report['agree']} of {sum(rows.values())} measured brackets hold the theory"
    tables = report.get("tables")
    if isinstance(tables, Mapping) and all(isinstance(n, int) for n in tables.values()):
        return f"{sum(tables.values())} rows of {len(tables)} tables agree"
    return ""


def check_verdict(path: Path) -> tuple[bool, str]:
    report = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(report, dict):
        raise ValueError(f"a check report is a JSON object, not {type(report).__name__}")
    passed = report.get("passed") is True
    detail = check_detail(report)
    if not passed:
        failures = report.get("failures") or ["no verdict in the report"]
        detail = f"{failures[0]}" + (f" (+{len(failures) - 1} more)" if len(failures) > 1 else "")
    return passed, ("passed" if passed else "FAILED") + (f": {detail}" if detail else "")


def verdicts(config: dict, since: float | None = None) -> list[tuple[str, str, bool | None, str]]:
    """(kind, name, verdict, text) of every table and check of the run: verdict None
    when its file is missing (or, with ``since``, older than this run)."""
    out = []
    for kind, name, path in results_of(config):
        if not Path(path).is_file() or (since is not None and Path(path).stat().st_mtime < since):
            out.append((kind, name, None, "not made"))
        else:
            out.append((kind, name, *verdict_of(kind, path)))
    return out


def results_of(config: dict) -> list[tuple[str, str, str]]:
    """(kind, name, path) of every convergence table and check the run selects."""
    items = [("table", p, f"results/tables/{p}.csv") for p in plan.configured(config)]
    return items + [("check", c, f"results/checks/{c}.json") for c in checks_of(config)]


def verdict_of(kind: str, path: str | Path) -> tuple[bool, str]:
    """(holds, text) of one table (``kind`` "table") or check report."""
    try:
        return (table_verdict if kind == "table" else check_verdict)(Path(path))
    except (OSError, ValueError, KeyError, csv.Error) as exc:
        return False, f"unreadable ({exc})"


# ---- the report's landing page ---------------------------------------------------------
def study_results(config: dict) -> list[tuple[str, str, str]]:
    """:func:`results_of` the whole study, whatever ``only`` selects: the landing page
    of the report is the study's verdict."""
    return results_of({k: v for k, v in config.items() if k != "only"})


def _link(kind: str, name: str) -> str:
    """The report's link to a result: Snakemake names each result's target after its
    file (a table's page ``results/report/tables/<problem>.html``, a check's JSON)."""
    return f"`{name}.html`_" if kind == "table" else f"`{name}.json`_"


def verdict_page(items: list[tuple[str, str, str]]) -> str:
    """The verdict of every table and check, (kind, name, path) each, as reST for the
    report's landing page: a headline, then one row per result with its link."""
    rows = [(kind, name, *verdict_of(kind, path)) for kind, name, path in items]
    tables = sum(k == "table" for k, *_ in rows)
    checks = len(rows) - tables
    failed = [name for _k, name, ok, _t in rows if not ok]
    head = (
        f"**Every claim holds**: {tables} convergence tables agree with the theory and"
        f" {checks} checks pass."
        if not failed
        else f"**NOT every claim holds**: {', '.join(failed)} did not."
    )
    lines = [
        "The verdict",
        "-----------",
        "",
        head,
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "",
    ]
    lines += ["   * - result", "     - what it says"]
    for kind, name, _ok, text in rows:
        what = "convergence table" if kind == "table" else "check"
        lines += [f"   * - {what} {_link(kind, name)}", f"     - {text}"]
    return "\n".join(lines) + "\n"


def _rows(items) -> list[str]:
    width = max((len(name) for _k, name, _ok, _t in items), default=0)
    return [f"  {kind:<5} {name:<{width}}  {text}" for kind, name, _ok, text in items]


# ---- the two summaries ----------------------------------------------------------------
def success_lines(config: dict, report: str | None = None, workdir: str | None = None) -> list[str]:
    """The summary after a successful run: at most :data:`MAX_LINES` lines."""
    items = verdicts(config)
    tables = [i for i in items if i[0] == "table"]
    checks = [i for i in items if i[0] == "check"]
    held = all(ok for _k, _n, ok, _t in items)
    head = "every claim holds" if held else "NOT every claim holds (see below)"
    lines = [f"gdlab: {head}: {len(tables)} convergence tables, {len(checks)} checks"]
    if plan.subset(config):
        lines[0] = (
            f"gdlab: a subset ({', '.join(plan.configured(config))} of "
            f"{len(plan.study(config))} problems): {head.replace('every claim', 'every claim of it')}:"
            f" {len(tables)} convergence tables, {len(checks)} checks"
        )
    footer = ["  files results/tables/<problem>.csv and .md, results/checks/, results/figures/"]
    if plan.subset(config):
        footer.append(
            "  study-wide files (results/runs.parquet, the convergence and threshold checks,"
            " the report) left as they were"
        )
    if report:
        footer.append(f"  report {report}")
    if workdir:
        footer.append(f"  (in {workdir})")
    rows = _rows(items)
    if len(lines) + len(rows) + len(footer) > MAX_LINES:
        # many problems: the agreeing tables in one line
        agreeing = [i for i in tables if i[2]]
        rest = [i for i in items if i not in agreeing]
        names = ", ".join(f"{n} ({t.split()[0]})" for _k, n, _ok, t in agreeing)
        rows = [f"  tables agreeing with the theory: {names}", *_rows(rest)]
    return lines + rows + footer


# How a job's own one-line message starts: every job run by gdlab.script, and the solver.
JOB_MESSAGES = ("ERROR in rule ", "gdlab.solve: ")


def error_lines(since: float, logs: str | Path = "results/logs") -> list[tuple[str, str]]:
    """(log, line) of every job's own message (:data:`JOB_MESSAGES`: which claim failed
    and why; a solver that could not write its file on a full disk says so) written to
    a log since ``since``, or a log's last line when it holds a traceback and no such
    line."""
    found = []
    for path in sorted(Path(logs).rglob("*")):
        try:
            if not path.is_file() or path.stat().st_mtime < since:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        errors = [line for line in text.splitlines() if line.startswith(JOB_MESSAGES)]
        if not errors and "Traceback" in text:
            errors = [text.strip().splitlines()[-1]]
        found += [(str(path), line) for line in errors]
    return found


def failure_lines(config: dict, since: float) -> list[str]:
    """The summary after a failed run: the errors of this run's jobs, then what held."""
    errors = error_lines(since - 1)  # file times are coarser than the clock on some systems
    lines = ["gdlab: the run FAILED: " + ("what did not hold:" if errors else "no job wrote why")]
    for log, line in errors[:MAX_ERRORS]:
        lines += [line, f"  (log: {log})"]
    if len(errors) > MAX_ERRORS:
        lines.append(f"  ... and {len(errors) - MAX_ERRORS} more errors in results/logs/")
    held = [f"{n}" for k, n, ok, _t in verdicts(config, since - 1) if ok]
    if held:
        lines.append("  held in this run: " + ", ".join(held))
    lines.append("  Fix the cause and run snakemake again: only what failed or is missing runs.")
    return lines


# ---- the report ---------------------------------------------------------------------------
def report_command(
    snakefile: str | Path,
    configfiles: Iterable[str | Path],
    cli_config: Mapping,
    report: str = REPORT,
) -> list[str]:
    """``snakemake --report`` for the same workflow and configuration as the run (the
    Snakefile, each ``--configfile``, each ``--config`` key), in the working directory."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--report", report]
    cmd += ["--profile", "none", "--workflow-profile", "none"]
    files = [str(f) for f in configfiles]
    if files:  # one flag, every file: a second --configfile flag replaces the first's files
        cmd += ["--configfile", *files]
    if cli_config:
        cmd.append("--config")
        for key, value in cli_config.items():
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            cmd.append(f"{key}={'' if value is None else text}")
    return cmd


def build_report(cmd: list[str], report: str = REPORT) -> str:
    """Run ``cmd`` (:func:`report_command`); the summary's line about the report."""
    try:
        proc = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not built ({exc}); build it with: snakemake --report {report}"
    if proc.returncode == 0 and Path(report).is_file():
        return report
    last = [line for line in proc.stdout.splitlines() if line.strip()][-1:] or ["no output"]
    return f"not built ({last[0].strip()}); build it with: snakemake --report {report}"


# Rules that make no result (workflow/rules/stale.smk): no summary after them.
HOUSEKEEPING = frozenset({"stale", "prune"})


def on_success(
    config: dict,
    *,
    snakefile: str | Path,
    configfiles: Iterable[str | Path],
    cli_config: Mapping,
    targets: Iterable[str] = (),
    root: str | Path | None = None,
    stream=None,
) -> None:
    """``onsuccess``: build the report when the run made the whole study (no target
    named on the command line, no subset), then print the summary; ``root``, the workflow's
    folder: the working directory is named when it is another one."""
    targets = [t for t in targets if t != "all"]
    if targets and set(targets) <= HOUSEKEEPING:  # they print what they did
        return
    if plan.subset(config):  # the report is of the whole study
        report = None
    elif targets:
        report = f"not rebuilt (targets were named); build it with: snakemake --report {REPORT}"
    else:
        report = build_report(report_command(snakefile, configfiles, cli_config))
    here = Path.cwd().resolve()
    workdir = str(here) if root is None or Path(root).resolve() != here else None
    _print(success_lines(config, report, workdir), stream)


def on_error(config: dict, *, since: float | None = None, stream=None) -> None:
    """``onerror``: which claim failed (the jobs' own messages), then what held;
    ``since``: the run's start (default: when the Snakefile imported this module)."""
    _print(failure_lines(config, STARTED if since is None else since), stream)


def success(workflow, config: dict, root: str | Path | None = None) -> None:
    """:func:`on_success` with what Snakemake's ``workflow`` object knows: the main
    Snakefile (a host's, when gdlab is its module), the ``--configfile`` files, the
    ``--config`` keys and the targets named on the command line."""
    on_success(
        config,
        snakefile=workflow.main_snakefile,
        configfiles=workflow.config_settings.configfiles,
        cli_config=workflow.config_settings.config,
        targets=workflow.dag_settings.targets,
        root=root,
    )


def failure(config: dict) -> None:
    """:func:`on_error` for a Snakefile's ``onerror:``."""
    on_error(config)


def _print(lines: list[str], stream=None) -> None:
    stream = stream or sys.stderr
    stream.write("\n" + "\n".join(lines) + "\n")
    stream.flush()
