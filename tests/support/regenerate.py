"""Regenerate one run of a result file from its metadata alone, with NumPy (and pyarrow
to read the file): no gdlab.  What the metadata states — the generator and seed
entropy, each draw in order, the settings and the stopping rule — is all it uses;
the objectives are written here again, independently of gdlab's code.

    python tests/support/regenerate.py FILE.parquet SEED   # prints a JSON document

The document: the run's outcome by the tolerance test (``converged`` or not within
the budget), its number of steps, and its loss at every step up to the last.  In a
test, call :func:`regenerate` (the contract's check ``run_regenerates_from_metadata``
does, in process); that this file imports nothing but the standard library, NumPy
and pyarrow is proved by parsing it (tests/contract/test_contract.py).

A problem it has no objective of raises :class:`NotWritten`, naming what to add.
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pyarrow.parquet as pq


def generator(meta: dict, seed: int):
    # one list for every seed of the file: the run's seed goes where it says "seed"
    entropy = [seed if e == "seed" else e for e in meta["seed_entropy"]]
    if meta["data"]["generator"] == "RandomState":
        return np.random.RandomState(entropy[1])
    return np.random.default_rng(np.random.SeedSequence(entropy))


def draws(meta: dict, seed: int) -> dict:
    if meta["data"]["generator"] is None:  # nothing drawn: a run is its index
        return {"index": seed}
    rng = generator(meta, seed)
    return {d["name"]: getattr(rng, d["method"])(**d["kwargs"]) for d in meta["data"]["draws"]}


def grid_value(meta: dict) -> float:
    return float(meta["setting"].rsplit("_", 1)[1])


# ---- each problem, written again: (start, alpha, gradient, loss) ---------------------------
def quadratic(meta, d):
    return np.array([d["size"] * d["sign"]]), grid_value(meta), lambda t: t, lambda t: 0.5 * t @ t


def lsq_gd(meta, d):
    X, Y = d["X"], d["Y"]
    alpha = grid_value(meta) * 2 / np.linalg.eigvalsh(X.T @ X).max()
    return (
        d["theta0"],
        alpha,
        lambda t: X.T @ (X @ t - Y),
        lambda t: 0.5 * (X @ t - Y) @ (X @ t - Y),
    )


def sharp_wide(meta, d):
    def s(x):
        return 1 / (1 + np.exp(3 * (x - 3)))

    def f(x):
        return s(x) * 10 * x**2 + (1 - s(x)) * (0.5 * (x - 10) ** 2 + 50)

    def fprime(x):
        ds = -3 * s(x) * (1 - s(x))
        return ds * (10 * x**2 - (0.5 * (x - 10) ** 2 + 50)) + s(x) * 20 * x + (1 - s(x)) * (x - 10)

    return np.array([d["x_0"]]), grid_value(meta), fprime, lambda t: float(f(t[0]))


def conv_huber(meta, d):
    k, b, lam = d["k"], d["b"], meta["settings"]["lam"]

    def residual(x):
        return np.correlate(x, k, mode="valid") - b

    def huber(r):
        return np.where(np.abs(r) <= 1, 0.5 * r * r, np.abs(r) - 0.5).sum()

    return (
        np.zeros(meta["settings"]["n"]),
        grid_value(meta),
        lambda x: np.convolve(np.clip(residual(x), -1, 1), k, mode="full") + lam * x,
        lambda x: huber(residual(x)) + 0.5 * lam * x @ x,
    )


def pair_value(meta: dict) -> tuple[str, float, float]:
    """A momentum problem's grid point ``<method>_<beta>x<h>``: (method, β, h)."""
    name, value = meta["setting"].rsplit("_", 1)
    beta, h = value.split("x")
    return name, float(beta), float(h)


def momentum_step(name: str, beta: float):
    """θ_{k+1} from (θ_k, θ_{k−1}): heavy ball or Nesterov, written again."""
    if name == "heavy_ball":
        return lambda t, prev, a, grad: t - a * grad(t) + beta * (t - prev)
    return lambda t, prev, a, grad: (t + beta * (t - prev)) - a * grad(t + beta * (t - prev))


def momentum_quadratic(meta, d):
    name, beta, h = pair_value(meta)
    start = np.array([d["size"] * d["sign"]])
    return start, h, lambda t: t, lambda t: 0.5 * t @ t, momentum_step(name, beta)


def momentum_lsq(meta, d):
    name, beta, h = pair_value(meta)
    X, Y = d["X"], d["Y"]
    return (
        d["theta0"],
        h / np.linalg.eigvalsh(X.T @ X).max(),
        lambda t: X.T @ (X @ t - Y),
        lambda t: 0.5 * (X @ t - Y) @ (X @ t - Y),
        momentum_step(name, beta),
    )


PROBLEMS = {
    "quadratic": quadratic,
    "lsq_gd": lsq_gd,
    "sharp_wide": sharp_wide,
    "conv_huber": conv_huber,
    "momentum_quadratic": momentum_quadratic,
    "momentum_lsq": momentum_lsq,
}


# ---- each problem that does not iterate, written again: its one row --------------------
def lsq_gradient(meta, d) -> dict:
    X, Y, theta = d["X"], d["Y"], d["theta"]
    r = X @ theta - Y
    return {"outcome": "checked", "steps": 0, "loss": [0.5 * r @ r]}


def fractal_setup(settings: dict, name: str) -> dict:
    """A setup by its name: a single setup, or ``<grid>-d<i>-w<j>`` of a (delta, lambda)
    grid, its i-th delta and j-th wavelength spaced as numpy.linspace spaces them."""
    if name in settings["setups"]:
        return settings["setups"][name]
    grid_name, i, j = re.fullmatch(r"(.+)-d(\d+)-w(\d+)", name).groups()
    g = settings["grids"][grid_name]
    out = dict(g)
    for key, index in (("delta", int(i)), ("wavelength", int(j))):
        lo, hi, count = g[key]["min"], g[key]["max"], g[key]["count"]
        out[key] = float(np.linspace(lo, hi, count)[index])
    return out


def fractal(meta, d) -> dict:
    """One run of a setup: GD from x0 at alpha_i = i * 1.5 / 2^k until the loss passes
    the bound (diverged) or the budget is spent (its row is its last step)."""
    s, seed = meta["settings"], d["index"]
    setup = fractal_setup(s, meta["setting"].split("_", 1)[1])
    delta, wl, x = setup["delta"], setup["wavelength"], setup["x0"]
    alpha = seed * 1.5 / 2 ** setup["k"]

    def f(x):
        c = np.cos(2 * np.pi * x / wl)
        return x * x + delta * c if setup["form"] == "additive" else x * x * (1 + delta * c)

    def fprime(x):
        a = 2 * np.pi * x / wl
        if setup["form"] == "additive":
            return 2 * x - 2 * np.pi * delta * np.sin(a) / wl
        return 2 * x * (1 + delta * np.cos(a)) - 2 * np.pi * (x * x) * delta * np.sin(a) / wl

    losses = [float(f(x))]
    for k in range(1, s["max_steps"] + 1):
        x = x - alpha * fprime(x)
        losses.append(float(f(x)))
        if not losses[-1] <= s["loss_bound"]:
            return {"outcome": "diverged", "steps": k, "loss": losses}
    return {"outcome": "max_steps", "steps": s["max_steps"], "loss": losses}


CHECKED = {"lsq_gradient": lsq_gradient, "fractal": fractal}


class NotWritten(LookupError):
    """This file has no objective of the run's problem (the message says what to add)."""


def metadata(path: str) -> dict:
    """The ``gdlab`` JSON document of a result file's key-value metadata."""
    return json.loads(pq.read_schema(path).metadata[b"gdlab"])


def regenerate(path: str, seed: int) -> dict:
    """Run ``seed`` of the result file ``path`` again from its metadata alone: its
    outcome by the tolerance test, its number of steps and its loss at every step."""
    meta = metadata(path)
    iterates = meta["stopping"] is not None
    written = PROBLEMS if iterates else CHECKED
    if meta["problem"] not in written:
        table, signature = (
            ("PROBLEMS", "(meta, draws) -> (start, step size, gradient, loss)")
            if iterates
            else ("CHECKED", "(meta, draws) -> {outcome, steps, loss}")
        )
        raise NotWritten(
            f"tests/support/regenerate.py has no objective of {meta['problem']!r}: write "
            f"it again from the file's metadata alone (no gdlab), as a function {signature}, "
            f"and add it to {table} there"
        )
    d = draws(meta, seed)
    if not iterates:  # no iteration: the draw itself
        return written[meta["problem"]](meta, d)
    theta, alpha, gradient, loss, *method = written[meta["problem"]](meta, d)
    # GD, or a method with memory: (θ_k, θ_{k−1}, α, ∇f) -> θ_{k+1}, from θ_{−1} = θ_0
    step = method[0] if method else (lambda t, _prev, a, grad: t - a * grad(t))
    stop = meta["stopping"]
    losses, previous = [], theta
    for k in range(stop["max_steps"] + 1):
        losses.append(float(loss(theta)))
        g = gradient(theta)
        if np.sqrt(g @ g) <= stop["tolerance"]:
            return {"outcome": "converged", "steps": k, "loss": losses}
        theta, previous = step(theta, previous, alpha, gradient), theta
    return {"outcome": "not converged", "steps": stop["max_steps"], "loss": losses}


def main(argv: list[str]) -> int:
    """The script: print the JSON document of ``FILE SEED``."""
    try:
        doc = regenerate(argv[0], int(argv[1]))
    except NotWritten as exc:
        print(exc, file=sys.stderr)
        return 1
    doc["gdlab_imported"] = any(m.split(".")[0] == "gdlab" for m in sys.modules)
    print(json.dumps(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
