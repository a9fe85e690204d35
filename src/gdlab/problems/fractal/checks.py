"""The check of ``fractal``: per setup, every α index once; numB(j) never decreasing
with j; with δ = 0 exactly one boundary, its bracket holding α*.  Its table
``results/tables/fractal_boundary.csv`` holds numB(j) of every setup and j."""

from __future__ import annotations

import pandas as pd

from gdlab.checks import report
from gdlab.problems.fractal import boundary
from gdlab.problems.fractal.setups import named
from gdlab.problems.fractal.theory import flat_agrees


def _setup_rows(name: str, s, numb) -> list[dict]:
    common = {
        "setting": f"setup_{name}",
        "form": s.form,
        "delta": s.delta,
        "wavelength": s.wavelength,
        "x0": s.x0,
        "k": s.k,
    }
    return [{**common, "j": j, "numB": int(n)} for j, n in enumerate(numb.tolist())]


def boundary_counts(problem: str, df: pd.DataFrame, section: dict) -> dict:
    failures: list[str] = []
    rows: list[dict] = []
    flat: dict[str, dict] = {}
    by_setting = dict(iter(df.groupby("setting", sort=False)))
    for name, s in named(section).items():
        setting = f"setup_{name}"
        runs = by_setting.get(setting, df.iloc[:0])
        try:
            diverged = boundary.diverged_axis(runs, s, setting)
        except ValueError as exc:
            failures.append(str(exc))
            continue
        numb = boundary.counts(diverged, s.k)
        rows += _setup_rows(name, s, numb)
        drops = [j for j in range(1, s.k + 1) if numb[j] < numb[j - 1]]
        if drops:
            failures.append(f"{setting}: numB decreases at j = {drops}")
        if s.delta == 0:
            star = boundary.alpha_star(s.x0, section["loss_bound"], section["max_steps"])
            found = boundary.boundaries(diverged, s)
            flat[setting] = {"alpha_star": star, "boundaries": found[:10], "count": len(found)}
            if not flat_agrees(diverged, s, star):
                failures.append(
                    f"{setting}: δ = 0 must have one boundary, at α* = {star!r}; found "
                    f"{len(found)} ({found[:3]}{' …' if len(found) > 3 else ''})"
                )
    extra = sorted(set(by_setting) - {f"setup_{n}" for n in named(section)})
    if extra:
        failures.append(f"runs of {extra}, which the configuration does not have")
    if not rows and not failures:
        failures.append("no setup has runs")
    out = report("fractal_boundary", {"flat": flat, "setups": len(named(section))}, failures)
    out["tables"] = {"fractal_boundary": rows}
    return out
