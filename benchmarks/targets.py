"""The benchmark's targets: each measured number against its goal, met or not."""

from __future__ import annotations


def _target(value, limit, met, text: str) -> dict:
    return {"value": value, "limit": limit, "met": bool(met), "what": text}


def _headline(h: dict) -> dict:
    return {
        "cold_ratio": _target(
            h["ratio_cold"],
            1.5,
            h["ratio_cold"] <= 1.5,
            "pipeline cold / (engine floor cold + lower bound) ≤ 1.5",
        ),
        "noop_ratio": _target(
            h["ratio_noop"],
            1.2,
            h["ratio_noop"] <= 1.2,
            "pipeline no-op rerun / engine floor no-op rerun ≤ 1.2",
        ),
        "noop_seconds": _target(
            h["pipeline_noop_s"], 3.0, h["pipeline_noop_s"] < 3.0, "pipeline no-op rerun < 3 s"
        ),
    }


def _scaling(sc: list[dict]) -> dict:
    growth = sc[-1]["pipeline_s_per_run"] / sc[0]["pipeline_s_per_run"]
    out = {
        "seconds_per_run_growth": _target(
            growth,
            1.25,
            growth <= 1.25,
            f"s per run at {sc[-1]['factor']}× seeds / at 1× ≤ 1.25 (no super-linear cost)",
        )
    }
    for key, label in (("pipeline", "wall"), ("pipeline_cpu", "CPU")):
        marginal = [r[f"{key}_marginal_s_per_run"] for r in sc[1:]]
        if len(marginal) >= 2:
            flat = marginal[-1] / marginal[0]
            out[f"marginal_{label.lower()}_seconds_per_run_flat"] = _target(
                flat,
                [0.75, 1.25],
                0.75 <= flat <= 1.25,
                f"marginal {label} s per run, last step ÷ first step, within ±25 %",
            )
    return out


def _operator(ops: list[dict]) -> dict:
    big = [r for r in ops if r["n"] == max(x["n"] for x in ops)]
    n = f"n = {big[0]['n']:.0e}"
    speed = min(r["speedup_vs_naive"] for r in big)
    out = {
        "operator_vs_naive": _target(
            speed, 100, speed >= 100, f"{n}: matrix-free ÷ naive loop ≥ 100"
        )
    }
    for key, label in (("ratio_to_convolve", "single"), ("batched_ratio_to_convolve", "batched")):
        worst = max(r[key] for r in big)
        out[f"operator_{label}_vs_convolve"] = _target(
            worst, 2.0, worst <= 2.0, f"{n}: matrix-free ({label}) ≤ 2 × one numpy.convolve call"
        )
    mem = max(max(r["peak_bytes_per_n"], r["batched_peak_bytes_per_n"]) for r in big)
    out["operator_memory"] = _target(
        mem, 16, mem <= 16, f"{n}: peak bytes allocated per element of x ≤ 16 (O(n) memory)"
    )
    return out


def _vs_benchopt(vb: list[dict]) -> dict:
    return {
        f"vs_benchopt_{r['seeds']}_seeds": _target(
            r["ratio_wall"],
            1.0,
            r["ratio_wall"] >= 1.0,
            f"{r['seeds']} seeds of OLS-GD: benchopt wall s ÷ gdlab wall s ≥ 1",
        )
        for r in vb
        if r["ratio_wall"] is not None
    }


def _solver_job(sj: dict) -> dict:
    heavy = [m for m in ("pandas", "matplotlib") if sj[f"imports_{m}"]]
    return {
        "solver_job_imports": _target(
            ", ".join(heavy) or "none",
            "none",
            not heavy,
            "what a solver job imports of pandas, matplotlib",
        ),
        "solver_job_memory_model": _target(
            round(sj["peak_rss_mb"] / sj["model_mb"], 3),
            1.0,
            sj["peak_rss_mb"] <= sj["model_mb"],
            "a solver job's peak RSS ÷ the memory model's bytes for it (job sizes follow "
            "the model: it must bound the job)",
        ),
    }


# the targets of each item, in the order the document lists them
_OF_ITEM = {
    "headline": _headline,
    "scaling": _scaling,
    "operator": _operator,
    "vs_benchopt": _vs_benchopt,
    "solver_job": _solver_job,
}


def targets(doc: dict) -> dict:
    """Each target of the issue that the measured items cover: value, limit, met."""
    out = {}
    for item, of_item in _OF_ITEM.items():
        if doc.get(item):
            out.update(of_item(doc[item]))
    return out
