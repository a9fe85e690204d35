"""benchmarks/run.py's Markdown: one table per item of a benchmark document."""

from __future__ import annotations


def fmt(v, digits=3) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def us(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1e6:,.4g}"


def ms(seconds) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.2f}"


def markdown(doc: dict) -> str:
    m = doc["machine"]
    lines = [
        f"Benchmark of {m['date']} on {m['host']} ({m['cpus']} CPUs, load average "
        f"{m['load_before'][0]:.2f} before / {m['load_after'][0]:.2f} after), "
        f"`{m['command']}`, gdlab {m['commit']}, snakemake {m['snakemake']}, "
        f"python {m['python']}, numpy {m['numpy']}.",
        "",
    ]
    plan = doc.get("plan", {})
    if plan.get("problems"):
        lines[-1:] = [
            f"The study: {', '.join(plan['problems'])} of `{doc['config']}`, at most "
            f"{plan['max_seeds']} seeds each.",
            "",
        ]
    if plan.get("workers", 1) > 1:
        lines[-1:] = [
            f"Items measured {plan['workers']} at a time (a smoke test: their times overlap).",
            "",
        ]
    sections = {
        "headline": _headline_md,
        "scaling": _scaling_md,
        "job_size": _job_size_md,
        "operator": _operator_md,
        "solver_job": _solver_job_md,
        "vs_benchopt": _vs_benchopt_md,
    }
    for key, section in sections.items():
        if doc.get(key):
            lines += section(doc)
    lines += ["**Targets**", "", "| target | value | limit | met |", "|---|---:|---:|---|"]
    for t in doc["targets"].values():
        lines.append(f"| {t['what']} | {fmt(t['value'])} | {fmt(t['limit'])} | {fmt(t['met'])} |")
    return "\n".join(lines) + "\n"


def _headline_md(doc: dict) -> list[str]:
    h = doc["headline"]

    def row(label, key, ratio=None, of=""):
        wall = f"{fmt(h[key + '_s'])} ({fmt(h[key + '_median_s'])})"
        ratio = "" if ratio is None else f"{fmt(ratio)} × {of}"
        return f"| {label} | {wall} | {fmt(h[key + '_cpu_s'])} | {ratio} |"

    return [
        f"**Items 1–4, the study** (best of {h['repeats']} runs, median in brackets; {h['solver_jobs']} solver jobs, {h['runs']} runs, "
        f"{sum(h['pipeline_jobs'].values())} jobs in all; same DAG in the floor: "
        f"{fmt(h['same_dag'])}; lower bound's files byte-identical to the pipeline's: "
        f"{fmt(all(h['lower_bound_same_outputs'][k] for k in ('runs', 'tables', 'checks')))}"
        f", figures: {fmt(h['lower_bound_same_outputs']['figures'])})",
        "",
        "| measurement | wall s | CPU s | ratio (wall) |",
        "|---|---:|---:|---:|",
        row("1. lower bound (one process)", "lower_bound"),
        row("2. engine floor, cold", "floor_cold"),
        row("3. pipeline, cold", "pipeline_cold", h["ratio_cold"], "(floor + lower bound)"),
        row("4a. engine floor, no-op rerun", "floor_noop"),
        row("4a. pipeline, no-op rerun", "pipeline_noop", h["ratio_noop"], "floor"),
        row("4b. engine floor, one α added", "floor_plus_alpha"),
        row("4b. pipeline, one α added", "pipeline_plus_alpha", h["ratio_plus_alpha"], "floor"),
        "",
        "Lower bound by rule (s, imports included where first needed): "
        + ", ".join(f"{k} {v:.2f}" for k, v in h["lower_bound_rule_s"].items()),
        "",
    ]


def _scaling_md(doc: dict) -> list[str]:
    sc = doc["scaling"]
    lines = [
        f"**5. Scaling** (`{sc[0]['problem']}` alone, cold, one run each; a run is one seed "
        "at one grid point; marginal = the extra cost per extra run from the previous row)",
        "",
        "| seeds | runs | jobs | pipeline s | ms / run | marginal ms / run | CPU ms / run "
        "| marginal CPU ms / run | floor s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sc:
        lines.append(
            f"| {r['seeds']} ({r['factor']}×) | {r['runs']} | {r['jobs']} | "
            f"{fmt(r['pipeline_s'])} | {ms(r['pipeline_s_per_run'])} | "
            f"{ms(r.get('pipeline_marginal_s_per_run'))} | {ms(r['pipeline_cpu_s_per_run'])} | "
            f"{ms(r.get('pipeline_cpu_marginal_s_per_run'))} | {fmt(r['floor_s'])} |"
        )
    return [*lines, ""]


def _job_size_md(doc: dict) -> list[str]:
    return (
        [
            "**6. Job size** (default grid, cold; every problem cut into blocks of this many seeds)",
            "",
            "| seeds_per_job | solver jobs | jobs | pipeline s | pipeline CPU s | floor s "
            "| lower bound s | ratio |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        + [
            f"| {r['seeds_per_job']} | {r['solver_jobs']} | {r['jobs']} | {fmt(r['pipeline_s'])} | "
            f"{fmt(r['pipeline_cpu_s'])} | {fmt(r['floor_s'])} | {fmt(r['lower_bound_s'])} | "
            f"{fmt(r['ratio'])} |"
            for r in doc["job_size"]
        ]
        + [""]
    )


def _operator_md(doc: dict) -> list[str]:
    lines = [
        "**7. Operator** (`conv_huber`, µs per application, best of 3; naive* = extrapolated "
        "from a prefix; dense only where the matrix fits in 1 GB; batched = the solver's path "
        "for a block of runs, here one run)",
        "",
        "| op | n | r | matrix-free | batched | numpy.convolve | dense | naive | "
        "naive ÷ matrix-free | matrix-free ÷ convolve | ns / (n·r) | peak bytes / n |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in doc["operator"]:
        lines.append(
            f"| {'Aᵀ' if r['op'] == 'AT' else 'A'} | {r['n']:.0e} | {r['r']} | "
            f"{us(r['matrix_free_s'])} | {us(r['batched_s'])} | {us(r['convolve_s'])} | "
            f"{us(r['dense_s'])} | {us(r['naive_s'])}{'*' if r['naive_extrapolated'] else ''} | "
            f"{r['speedup_vs_naive']:.0f} | {r['ratio_to_convolve']:.2f} | "
            f"{r['ns_per_multiply_add']:.2f} | {r['peak_bytes_per_n']:.1f} |"
        )
    return [*lines, ""]


def _solver_job_md(doc: dict) -> list[str]:
    sj = doc["solver_job"]
    return [
        f"**Solver job**: start-up {sj['startup_s'] * 1000:.0f} ms ({sj['startup_job']}; "
        f"`python -c pass` {sj['python_startup_s'] * 1000:.0f} ms, "
        f"`import gdlab.solve` {sj['import_s'] * 1000:.0f} ms), "
        f"{sj['job']}: {sj['job_s'] * 1000:.0f} ms, peak RSS {sj['peak_rss_mb']:.0f} MB "
        f"(memory model {sj['model_mb']:.0f} MB), "
        f"imports pandas: {fmt(sj['imports_pandas'])}, matplotlib: "
        f"{fmt(sj['imports_matplotlib'])}.",
        "",
    ]


def _vs_benchopt_md(doc: dict) -> list[str]:
    import vs_benchopt

    rows = doc["vs_benchopt"]
    return [vs_benchopt.caption(rows), "", *vs_benchopt.table(rows), ""]
