"""The benchmark's targets: each measured number against its goal, met or not."""

from __future__ import annotations

# first: benchmarks/harness.py puts this checkout's src/ and tests/ on sys.path

# isort: split


def targets(doc: dict) -> dict:
    """Each target of the issue that the measured items cover: value, limit, met."""
    out = {}

    def target(name, value, limit, met, text):
        out[name] = {"value": value, "limit": limit, "met": bool(met), "what": text}

    h = doc.get("headline")
    if h:
        target(
            "cold_ratio",
            h["ratio_cold"],
            1.5,
            h["ratio_cold"] <= 1.5,
            "pipeline cold / (engine floor cold + lower bound) ≤ 1.5",
        )
        target(
            "noop_ratio",
            h["ratio_noop"],
            1.2,
            h["ratio_noop"] <= 1.2,
            "pipeline no-op rerun / engine floor no-op rerun ≤ 1.2",
        )
        target(
            "noop_seconds",
            h["pipeline_noop_s"],
            3.0,
            h["pipeline_noop_s"] < 3.0,
            "pipeline no-op rerun < 3 s",
        )
    sc = doc.get("scaling")
    if sc:
        growth = sc[-1]["pipeline_s_per_run"] / sc[0]["pipeline_s_per_run"]
        target(
            "seconds_per_run_growth",
            growth,
            1.25,
            growth <= 1.25,
            f"s per run at {sc[-1]['factor']}× seeds / at 1× ≤ 1.25 (no super-linear cost)",
        )
        for key, label in (("pipeline", "wall"), ("pipeline_cpu", "CPU")):
            marginal = [r[f"{key}_marginal_s_per_run"] for r in sc[1:]]
            if len(marginal) >= 2:
                flat = marginal[-1] / marginal[0]
                target(
                    f"marginal_{label.lower()}_seconds_per_run_flat",
                    flat,
                    [0.75, 1.25],
                    0.75 <= flat <= 1.25,
                    f"marginal {label} s per run, last step ÷ first step, within ±25 %",
                )
    ops = doc.get("operator")
    if ops:
        big = [r for r in ops if r["n"] == max(x["n"] for x in ops)]
        n = f"n = {big[0]['n']:.0e}"
        speed = min(r["speedup_vs_naive"] for r in big)
        target(
            "operator_vs_naive", speed, 100, speed >= 100, f"{n}: matrix-free ÷ naive loop ≥ 100"
        )
        for key, label in (
            ("ratio_to_convolve", "single"),
            ("batched_ratio_to_convolve", "batched"),
        ):
            worst = max(r[key] for r in big)
            target(
                f"operator_{label}_vs_convolve",
                worst,
                2.0,
                worst <= 2.0,
                f"{n}: matrix-free ({label}) ≤ 2 × one numpy.convolve call",
            )
        mem = max(max(r["peak_bytes_per_n"], r["batched_peak_bytes_per_n"]) for r in big)
        target(
            "operator_memory",
            mem,
            16,
            mem <= 16,
            f"{n}: peak bytes allocated per element of x ≤ 16 (O(n) memory)",
        )
    vb = doc.get("vs_benchopt")
    for r in [r for r in vb or [] if r["ratio_wall"] is not None]:
        target(
            f"vs_benchopt_{r['seeds']}_seeds",
            r["ratio_wall"],
            1.0,
            r["ratio_wall"] >= 1.0,
            f"{r['seeds']} seeds of OLS-GD: benchopt wall s ÷ gdlab wall s ≥ 1",
        )
    sj = doc.get("solver_job")
    if sj:
        heavy = [m for m in ("pandas", "matplotlib") if sj[f"imports_{m}"]]
        target(
            "solver_job_imports",
            ", ".join(heavy) or "none",
            "none",
            not heavy,
            "what a solver job imports of pandas, matplotlib",
        )
    return out
