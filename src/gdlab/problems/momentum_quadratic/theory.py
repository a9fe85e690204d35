"""The theory of ``momentum_quadratic``: at grid point (method, β, h) every run
converges below the method's threshold h*(β), diverges above it and, at it, settles on
a neutral 2-orbit (the companion matrix's eigenvalue −1); its rate is checked per run
by the table (``rate_theory``: the companion matrix's spectral radius)."""

from __future__ import annotations

from gdlab.problems.momentum_quadratic import AT_BETA, CRITICAL
from gdlab.theory import CONVERGED, CYCLE, DIVERGED, Exact, relation

threshold = None  # the threshold depends on the grid point's method and β
symbol = "αλ_max"


def critical(value) -> float:
    name, beta, _h = value
    return CRITICAL[name](beta)


def predict(value) -> str:
    h, h_star = value[2], critical(value)
    return CONVERGED if h < h_star else DIVERGED if h > h_star else CYCLE


def describe(value) -> str:
    name, beta, h = value
    return (
        f"{predict(value)} (αλ_max {relation(h, critical(value))} "
        f"{AT_BETA[name].format(b=format(Exact(beta), 'g'))} = {Exact(critical(value)):g})"
    )


def table_row(value, runs, rows, context: dict) -> dict:
    return {
        "critical": critical(value),
        "prediction": describe(value),
        "agrees": bool((runs["outcome"] == predict(value)).all()),
    }
