"""The columns of every results file, as names, types and meanings: pure data.

Standard library only: the Snakefile reads :func:`dataset_types` at parse time (a
param of every solver job), and :mod:`gdlab.schema` builds the Parquet schema from
it.  See :mod:`gdlab.schema` for what a file holds.
"""

from __future__ import annotations

from gdlab import problems

OUTCOMES = ("converged", "diverged", "cycle", "aperiodic", "max_steps", "checked")


# name -> (type, meaning): the columns of every problem's files.
CORE: dict[str, tuple[str, str]] = {
    "problem": ("string", "problem name (wildcard value)"),
    "setting": ("string", "grid point: <axis>_<value>, e.g. alpha_0.01, c_0.5, shape_20x5"),
    "alpha": ("float64", "absolute step size α (NULL when the problem has none)"),
    "seed": ("int64", "seed index within the problem (0-based)"),
    "step": ("int64", "GD iteration k of this row"),
    "loss": ("float64", "objective f(θ_k)"),
    "grad_norm": ("float64", "‖∇f(θ_k)‖₂"),
    "dist": ("float64", "‖θ_k − θ*‖₂, distance to the optimum / nearest minimum"),
    "outcome": ("string", "how the run ended: " + ", ".join(OUTCOMES)),
    "steps": ("int64", "iterations the run took before it stopped"),
    "period": ("int64", "the period of the orbit the run settled on (outcome cycle), else NULL"),
    "orbit_multiplier": (
        "float64",
        "the spectral radius of the derivative of one period along the run's orbit (outcome "
        "cycle; below 1 attracting, 1 neutral), else NULL",
    ),
    "lyapunov": (
        "float64",
        "the largest Lyapunov exponent's estimate of a run that used up its budget on no "
        "orbit (positive: outcome aperiodic), else NULL",
    ),
    "alpha_critical": ("float64", "the theory's critical step size for this run"),
    "rate_empirical": ("float64", "measured contraction factor per step"),
    "rate_theory": ("float64", "predicted contraction factor per step"),
    "rate_theory_next": (
        "float64",
        "the next contraction factor of the linear map at the run's limit (the largest "
        "|1 − αλ| below rate_theory); NULL in one dimension",
    ),
}
# Core columns that change along a run (the others hold one value per run).
TRACE = ("step", "loss", "grad_norm", "dist")

# The window a run's rate is measured over (docs/theory.md, "Rates"), in its summary
# only: measured by the descent at every recorded step (gdlab.trace.Trace.window).
_D = (
    "d: the distance to the optimum, or the gradient norm where the distance is unknown "
    "(a method with memory on a constant Hessian: the norm of its modes, docs/theory.md)"
)
WINDOW: dict[str, tuple[str, str]] = {
    "k0": ("int64", "the step the rate window starts at: the last recorded step ≤ steps/2"),
    "d_k0": ("float64", f"{_D}, at k0"),
    "k1": ("int64", "the step that halves the rate window: the last recorded ≤ (k0 + steps)/2"),
    "d_k1": ("float64", f"{_D}, at k1"),
    "d_last": ("float64", f"{_D}, at the run's last step (steps)"),
}


def own_columns(problem: str) -> dict[str, tuple[str, str]]:
    """A problem's own columns: ``SPEC.columns`` (its grid columns among them: the
    value of a float axis other than α, the two integers of a shape)."""
    spec = problems.spec(problem)
    own = dict(spec.columns)
    clash = set(own) & set(CORE)
    if clash:
        raise ValueError(f"{problem}: its columns {sorted(clash)} are core columns already")
    missing = [c for c in grid_columns(problem) if c not in own and c not in CORE]
    if missing:
        raise ValueError(
            f"{problem}: its grid column(s) {missing} are not declared in SPEC.columns"
        )
    return own


def grid_columns(problem: str) -> tuple[str, ...]:
    """The columns holding a problem's grid value as numbers: the axis of a float grid
    (``alpha`` is a core column), the two names ``Grid.columns`` of a shape; none for
    named setups (the ``setting`` names them)."""
    g = problems.spec(problem).grid
    if g.kind == "name":
        return ()
    return tuple(g.columns) if g.kind in ("shape", "pair") else (g.axis,)


def trace_columns(problem: str) -> tuple[str, ...]:
    """The columns of ``problem`` that change along a run (``SPEC.trace``)."""
    return TRACE + tuple(problems.spec(problem).trace)


def columns(problem: str) -> dict[str, tuple[str, str]]:
    """Every column ``problem``'s numerics may fill: the core ones, then its own."""
    return {**CORE, **own_columns(problem)}


def dataset_columns(names: tuple[str, ...] | None = None) -> dict[str, tuple[str, str]]:
    """The one schema of ``results/runs/``: the core columns, then every problem's own
    in registry order (a name two problems declare must have one type; its meaning is
    the first's).  Read at parse time; a job gets :func:`dataset_types` as a param."""
    out = dict(CORE)
    for name in names if names is not None else problems.names():
        for col, (typ, doc) in own_columns(name).items():
            if col in out and out[col][0] != typ:
                raise ValueError(
                    f"{name}: column {col!r} is {typ}, another problem declares it {out[col][0]}"
                )
            out.setdefault(col, (typ, doc))
    return out


def dataset_types(names: tuple[str, ...] | None = None) -> dict[str, str]:
    """name -> type of :func:`dataset_columns` (what a job writes, in this order)."""
    return {col: typ for col, (typ, _doc) in dataset_columns(names).items()}


def dataset_trace(names: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Every column of :func:`dataset_columns` that changes along a run."""
    out = list(TRACE)
    for name in names if names is not None else problems.names():
        out += [c for c in problems.spec(name).trace if c not in out]
    return tuple(out)


def summary_columns(names: tuple[str, ...] | None = None) -> dict[str, tuple[str, str]]:
    """The columns of a per-run summary (``results/runs.parquet``): one row per run,
    every run-level column of the dataset as it is, every trace column twice, at the
    run's first recorded step (``<name>_start``, k = 0) and at its last
    (``<name>_final``, k = ``steps``); ``step`` itself is left out; then the steps and
    values its rate window is read at (:data:`WINDOW`, NULL for a problem not run by
    GD)."""
    trace = dataset_trace(names)
    out: dict[str, tuple[str, str]] = {}
    for col, (typ, doc) in dataset_columns(names).items():
        if col == "step":
            continue
        if col in trace:
            out[f"{col}_start"] = (typ, f"{doc}, at the run's start (k = 0)")
            out[f"{col}_final"] = (typ, f"{doc}, at the run's last step (k = steps)")
        else:
            out[col] = (typ, doc)
    return {**out, **WINDOW}


def summary_spec() -> dict:
    """What a per-run summary is made of: its trace columns (each kept at k = 0 and at
    the run's last step) and its columns as [name, type, meaning] in file order."""
    return {
        "trace": list(dataset_trace()),
        # a list, not a mapping: as_json sorts a mapping's keys, the order is the schema's
        "columns": [[n, t, d] for n, (t, d) in summary_columns().items()],
    }
