"""Momentum problems' shared pieces, pure Python: the config keys of a grid over
(method, β, h = α·λ_max), its bad-input checks and the theory of a grid point.

With a constant Hessian, heavy ball converges iff 0 < αλ < 2(1 + β) for every
eigenvalue λ of it, Nesterov iff 0 < αλ < (2 + 2β)/(1 + 2β) (docs/theory.md, "Momentum"):
with h = α·λ_max, a run converges iff h is below its method's h*(β), diverges above
it and, at it, settles on a neutral 2-orbit (the companion matrix's eigenvalue −1).
:mod:`gdlab.methods` states the same thresholds on NumPy arrays
(``critical_alpha_lambda``); tests/unit/test_momentum.py holds the two equal.  Read at
parse time by the specs: standard library only.
"""

from __future__ import annotations

from gdlab.spec import Grid
from gdlab.theory import CONVERGED, CYCLE, DIVERGED, Exact, relation

# h*(β) of each method a grid point may run
CRITICAL = {
    "heavy_ball": lambda beta: 2.0 * (1.0 + beta),
    "nesterov": lambda beta: (2.0 + 2.0 * beta) / (1.0 + 2.0 * beta),
}
FORMULA = {"heavy_ball": "2(1 + β)", "nesterov": "(2 + 2β)/(1 + 2β)"}
AT_BETA = {"heavy_ball": "2(1 + {b})", "nesterov": "(2 + 2·{b})/(1 + 2·{b})"}
# the grid's config keys: the methods, the momenta, the step sizes h = α·λ_max
KEYS = ("methods", "betas")
H = "alpha_lambda_max"
COLUMNS = ("method", "beta", H)
# the grid of a momentum problem: every (method, β, h) of the three lists
GRID = Grid(H, "method", kind="pair", columns=COLUMNS, names=tuple(CRITICAL), keys=KEYS)


def critical(method: str, beta: float) -> float:
    """h*(β): the h = α·λ_max above which ``method`` diverges."""
    return CRITICAL[method](beta)


def grid_keys(what: str) -> dict:
    """The schemas of the grid's method and β lists (``before`` keys of a section)."""
    return {
        "methods": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "enum": list(CRITICAL),
                "description": "a method of gdlab.methods: heavy_ball or nesterov",
            },
            "description": f"the methods run on {what}: heavy_ball, nesterov (each once)",
        },
        "betas": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "type": "number",
                "minimum": 0,
                "exclusiveMaximum": 1,
                "description": "a momentum β with 0 <= β < 1",
            },
            "description": "the momentum values β, each in [0, 1) (0 is plain GD)",
        },
    }


def validate(section: dict, name: str) -> list[str]:
    """Every (method, β) of the grid needs a value of h below its threshold: a grid
    whose every run diverges measures no rate and shows no stable region."""
    out = []
    for method in section["methods"]:
        for beta in section["betas"]:
            h_star = critical(method, beta)
            if not any(h < h_star for h in section[H]):
                out.append(
                    f"problems.{name}.{H}: no value below {method}'s threshold "
                    f"{FORMULA[method]} = {h_star:g} at β = {beta!r} (every run would "
                    f"diverge); allowed: at least one value 0 < αλ_max < {h_star:g}"
                )
    return out


def threshold_count(name: str, per_group: str | None = None):
    """``count(config)`` of a momentum problem's threshold experiment: one group of
    cases per (method, β) of its grid, of one case (or of ``per_group``, a key of its
    section: its seeds) each."""

    def count(config: dict) -> int:
        section = config["problems"][name]
        cases = section[per_group] if per_group else 1
        return len(section["methods"]) * len(section["betas"]) * int(cases)

    return count


class Theory:
    """The theory of a grid point (method, β, h): every run converges below h*(β),
    diverges above it and settles on a (neutral) 2-orbit at it; the table checks each
    run's rate against its own ``rate_theory``, the companion matrix's spectral
    radius."""

    threshold = None  # it depends on the grid point's method and β
    symbol = "αλ_max"

    def critical(self, value) -> float:
        method, beta, _h = value
        return critical(method, beta)

    def predict(self, value) -> str:
        h, h_star = value[2], self.critical(value)
        return CONVERGED if h < h_star else DIVERGED if h > h_star else CYCLE

    def describe(self, value) -> str:
        method, beta, h = value
        h_star = self.critical(value)
        at = AT_BETA[method].format(b=format(Exact(beta), "g"))
        return f"{self.predict(value)} (αλ_max {relation(h, h_star)} {at} = {Exact(h_star):g})"

    def table_row(self, value, runs, rows, context: dict) -> dict:
        return {
            "critical": self.critical(value),
            "prediction": self.describe(value),
            "agrees": bool((runs["outcome"] == self.predict(value)).all()),
        }


THEORY = Theory()
