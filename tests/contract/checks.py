"""The contract: one list of checks that every registered problem passes (docs/testing.md).

Each check is a function of a problem's name that asserts one promise, with a message
that names the problem and what to fix.  ``tests/contract/test_contract.py`` runs every
check of :data:`CHECKS` on every problem of :func:`gdlab.problems.names` (as
scikit-learn's ``parametrize_with_checks`` does for estimators), with ids
``<problem>-<check>``, so a problem added as a folder gets all of them without a test
edit.  A check that does not apply to every problem says so in its ``when`` (one of
:data:`WHEN`, read from the spec alone); it is then not made a test of that problem.

Numbers come from the problem's sections of config/test.yaml; everything runs in
process (no Snakemake, no subprocess), a few seconds a problem at most.

The checks, in order:

* ``spec_is_complete`` — :func:`gdlab.problems.missing` finds no gap, SPEC.schema is
  an object schema requiring the grid key, no core column is redefined;
* ``schema_fragment_is_merged`` — its fragment is ``problems.<name>`` of the merged
  config schema, its ``check_schema`` keys required under ``checks``;
* ``configs_have_its_sections`` — config/config.yaml and config/test.yaml have
  ``problems.<name>`` and its ``checks`` keys;
* ``captions_are_written`` — the table's, every figure's and every check's caption
  exists and is not empty;
* ``functions_import`` — its numerics (``run``, ``data_process``) and every function
  its spec names (figures, checks, threshold experiment) import and are callable, and
  the columns its figures read are its summary columns;
* ``theory_answers_the_interface`` — ``predict``, ``table_row``, ``threshold`` (None
  or a float); ``predict`` of every test grid value is an outcome or None;
* ``rows_do_not_depend_on_the_block`` — a seed's rows, computed alone or in blocks cut
  anyhow, are bit for bit those of one block (at the test config's first grid point,
  the first of every other outcome its theory predicts, and its last);
* ``local_theory_fills_every_converged_run`` (when ``spec.iterative``) — every
  converged run of the test config's first job has rate_theory and alpha_critical;
* ``metadata_states_how_to_regenerate`` — a written file's metadata states the data
  process, seed entropy, settings and (iterative) stopping rule, and NumPy alone
  (tests/support/regenerate.py) redraws from it exactly what gdlab draws (a problem
  that draws nothing, ``SPEC.seeding == "none"``, states no generator, draw or entropy);
* ``run_regenerates_from_metadata`` — tests/support/regenerate.py, which does not
  import gdlab (proved in test_contract.py), gets the run's losses and steps again;
* ``fingerprints_hold_its_own_folder_only`` — no code fingerprint of its jobs holds
  another problem's file; its solver's holds its numerics, spec and the registry;
* ``threshold_brackets_hold_their_theory`` (when ``spec.thresholds is not None``) —
  every case of the test config's threshold experiment brackets its theory;
* ``slow_approach_is_never_a_cycle`` (when ``spec.thresholds is not None``) — GD at
  α·λ_max = 2 − 10⁻⁴ from near each case's minimum ends ``max_steps``, not ``cycle``;
* ``hessian_vector_is_the_gradient_s_derivative`` (when ``spec.thresholds is not
  None``) — the model's Hessian-vector product agrees with a central difference of its
  gradient near each threshold case's minimum;

and the mutation checks: a wrong theory must fail.  These run the *default* study
(config/config.yaml, in process; tests/support/verdicts.py), whose evidence is the
claim:

* ``default_study_passes_on_evidence`` (when ``spec.iterative``) — its convergence
  check passes and some run's rate was compared;
* ``a_rate_off_by_one_percent_fails`` (when ``spec.iterative``) — every rate_theory
  × 1.01, then × 0.99: the check fails;
* ``another_seeds_theory_fails`` (when ``spec.iterative``) — each run held against the
  next seed's theory: the check fails (unless every seed's theory is the same);
* ``a_threshold_off_by_1e_3_fails`` (when ``spec.thresholds is not None``) — the test
  config's threshold cases with their theory × (1 ± 10⁻³): no bracket holds it;
* ``cut_trajectories_keep_every_number`` (when ``spec.trajectories is not None``) — the
  default study with only seed 0's trajectory and the other runs' window rows gives
  the same summaries, bit for bit, and the same convergence table.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import yaml

from conftest import REPO
from gdlab import config as gdconfig
from gdlab import (
    descent,
    fingerprints,
    grid,
    plan,
    problems,
    runs,
    schema,
    seeding,
    solve,
    threshold,
)
from support import regenerate, thresholds, verdicts

SCHEMA_FILE = "workflow/schemas/config.schema.yaml"
CONFIG_FILES = ("config.yaml", "test.yaml")
OUTCOMES = ("converged", "diverged", "cycle", "max_steps", None)  # gdlab.theory
# the seeds of the block check: one block, and the same seeds cut into others
BLOCK = (0, 9)
CUTS = ((0, 0), (1, 3), (4, 4), (5, 8), (9, 9))

# When a check applies: a condition on the spec, as it is shown, and its test.
WHEN: dict[str, Callable] = {
    "spec.iterative": lambda spec: spec.iterative,
    "spec.thresholds is not None": lambda spec: spec.thresholds is not None,
    "spec.trajectories is not None": lambda spec: spec.iterative and spec.trajectories is not None,
}
CHECKS: list[Callable[[str], None]] = []


def check(when: str | None = None):
    """Add the decorated ``check_<id>(name)`` to :data:`CHECKS`; ``when`` (a key of
    :data:`WHEN`) restricts it to the problems whose spec says so."""
    if when is not None and when not in WHEN:
        raise ValueError(f"when={when!r}: one of {sorted(WHEN)}")

    def add(fn):
        fn.when = when
        CHECKS.append(fn)
        return fn

    return add


def id_of(fn) -> str:
    return fn.__name__.removeprefix("check_")


def applies(fn, name: str) -> bool:
    return fn.when is None or bool(WHEN[fn.when](problems.spec(name)))


# ---- what the checks read ----------------------------------------------------------------
@cache
def config(file: str = "test.yaml") -> dict:
    """config/<file>, parsed (shared: never change it)."""
    return yaml.safe_load((REPO / "config" / file).read_text())


@cache
def merged_schema() -> dict:
    return gdconfig.load_schema(REPO / SCHEMA_FILE)


def section(name: str, file: str = "test.yaml") -> dict:
    """The problem's section of config/<file>, asserted to exist."""
    found = config(file)["problems"]
    assert name in found, (
        f"config/{file} has no problems.{name} section: add one "
        f"(its keys: src/gdlab/problems/{name}/__init__.py, SPEC.schema)"
    )
    return found[name]


def rel(name: str, file: str = "__init__.py") -> str:
    return f"src/gdlab/problems/{name}/{file}"


@cache
def first_run(name: str) -> tuple[grid.Job, pa.Table]:
    """The test config's first solver job of ``name`` and its table (computed once)."""
    section(name)
    cfg = config()
    job = grid.jobs(cfg, name)[0]
    table = solve.solve(name, job.setting, job.first, job.last, grid.solver_settings(cfg, name))
    return job, table


def grid_points(name: str) -> list[str]:
    """The test config's first grid point, the first point of every other outcome the
    problem's theory predicts there, and its last point (each once)."""
    first, *rest = grid.grid_values(name, section(name))
    theory = problems.theory(name)
    picked, seen = [first], {theory.predict(first)}
    for value in rest:
        outcome = theory.predict(value)
        if outcome is not None and outcome not in seen:
            picked.append(value)
            seen.add(outcome)
    picked += rest[-1:]
    return list(dict.fromkeys(grid.setting(name, v) for v in picked))


def rows_of(table: pa.Table, first: int, last: int) -> pa.Table:
    seed = table.column("seed").to_numpy()
    return table.take(np.flatnonzero((seed >= first) & (seed <= last)))


def differences(a: pa.Table, b: pa.Table) -> list[str]:
    """Where ``b`` is not ``a`` bit for bit, one line a column: floats compared as their
    int64 bit patterns, NULLs where NULLs are."""
    if a.column_names != b.column_names:
        return [f"columns {b.column_names} instead of {a.column_names}"]
    if a.num_rows != b.num_rows:
        return [f"{b.num_rows} rows instead of {a.num_rows}"]
    out = []
    for c in a.column_names:
        x, y = a.column(c).combine_chunks(), b.column(c).combine_chunks()
        nulls_x = x.is_null().to_numpy(zero_copy_only=False)
        nulls_y = y.is_null().to_numpy(zero_copy_only=False)
        if pa.types.is_floating(x.type) and pa.types.is_floating(y.type):
            bits_x = x.fill_null(0.0).to_numpy().view(np.int64)
            bits_y = y.fill_null(0.0).to_numpy().view(np.int64)
            bad = np.flatnonzero((nulls_x != nulls_y) | (bits_x != bits_y))
        else:
            xs, ys = x.to_pylist(), y.to_pylist()
            bad = [i for i, (u, v) in enumerate(zip(xs, ys, strict=True)) if u != v]
        if len(bad):
            i = int(bad[0])
            where = ", ".join(
                f"{k} {a.column(k)[i].as_py()}" for k in ("seed", "step") if k in a.column_names
            )
            out.append(
                f"{c}: {len(bad)} of {a.num_rows} rows differ; first at {where}: "
                f"{x[i].as_py()!r} vs {y[i].as_py()!r}"
            )
    return out


def lines(items) -> str:
    return "".join(f"\n  {item}" for item in items)


# ---- the checks ----------------------------------------------------------------------------
@check()
def check_spec_is_complete(name: str) -> None:
    """Its folder has every piece; SPEC.schema requires the grid key; no core column is
    redefined by SPEC.columns."""
    gaps = problems.missing(name)
    assert gaps == [], f"{name}'s folder lacks {len(gaps)} piece(s):{lines(gaps)}"
    spec = problems.spec(name)
    assert spec.schema.get("type") == "object" and spec.schema.get("required"), (
        f"{rel(name)}: SPEC.schema is not an object schema with required keys "
        "(build it with gdlab.spec.gd_section or gdlab.spec.section)"
    )
    assert spec.grid.key in spec.schema["required"], (
        f"{rel(name)}: SPEC.schema does not require the grid key {spec.grid.key!r}"
    )
    core = sorted(set(spec.columns) & set(schema.CORE))
    assert not core, (
        f"{rel(name)}: SPEC.columns redefines the core column(s) {core} "
        "(gdlab.columns.CORE): give its own columns other names"
    )


@check()
def check_schema_fragment_is_merged(name: str) -> None:
    """Its SPEC.schema is ``problems.<name>`` of the merged config schema, and every key of
    its SPEC.check_schema is required under ``checks``."""
    spec = problems.spec(name)
    merged = merged_schema()
    got = merged["properties"]["problems"]["properties"].get(name)
    assert got == spec.schema, (
        f"{SCHEMA_FILE}, merged with the specs (gdlab.config.load_schema), "
        f"{'lacks' if got is None else 'changes'} problems.{name}: it must be "
        f"{rel(name)}'s SPEC.schema as it is"
    )
    required = merged["properties"]["checks"]["required"]
    lost = [k for k in spec.check_schema if k not in required]
    assert not lost, (
        f"the merged config schema does not require checks.{lost} of {rel(name)}'s "
        "SPEC.check_schema"
    )


@check()
def check_configs_have_its_sections(name: str) -> None:
    """config/config.yaml and config/test.yaml have ``problems.<name>`` and every key of its
    SPEC.check_schema under ``checks``."""
    for file in CONFIG_FILES:
        section(name, file)
        lacking = [k for k in problems.spec(name).check_schema if k not in config(file)["checks"]]
        assert not lacking, (
            f"config/{file} has no checks.{lacking[0]} ({rel(name)}'s SPEC.check_schema "
            "requires it)"
        )


@check()
def check_captions_are_written(name: str) -> None:
    """captions/table.rst and the caption of every figure and check exist, not empty."""
    spec = problems.spec(name)
    for output in ["table", *(f.name for f in spec.figures), *(c.name for c in spec.checks)]:
        path = problems.caption(name, output)
        shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
        assert path.is_file(), f"{shown} is missing: write the report caption of {output}"
        assert path.read_text().strip(), f"{shown} is empty: write the report caption of {output}"


def _callable(name: str, ref: str, what: str) -> None:
    try:
        fn = problems.function(name, ref)
    except (ImportError, AttributeError) as exc:
        raise AssertionError(f"{name}: {what} {ref!r} does not import: {exc}") from exc
    assert callable(fn), f"{name}: {what} {ref!r} is not callable"


@check()
def check_functions_import(name: str) -> None:
    """numerics.run and numerics.data_process, and every function its spec names (figures,
    checks, its threshold experiment), import and are callable; the columns a figure, a
    check or its table reads (Figure.columns, Check.columns, SPEC.table_columns) are the
    problem's summary columns."""
    spec = problems.spec(name)
    for fn in ("run", "data_process"):
        _callable(name, f"numerics:{fn}", "the solver's")
    for item in (*spec.figures, *spec.checks):
        _callable(name, item.function, f"{type(item).__name__.lower()} {item.name}'s")
    readers = [(f"{type(x).__name__.lower()} {x.name}'s", x.columns) for x in spec.figures]
    readers += [(f"check {c.name}'s", c.columns) for c in spec.checks]
    for what, read in [*readers, ("SPEC.table_columns", spec.table_columns)]:
        try:
            runs.selected(name, read)
        except ValueError as exc:
            raise AssertionError(f"{rel(name)}: {what} columns: {exc}") from None
    if spec.thresholds is not None:
        _callable(name, spec.thresholds.function, "SPEC.thresholds.function")


@check()
def check_theory_answers_the_interface(name: str) -> None:
    """problems.theory(name) has callable ``predict`` and ``table_row`` and a ``threshold``
    that is None or a float; ``predict`` of every test grid value is an outcome or None."""
    theory = problems.theory(name)
    where = f"{name}'s theory ({rel(name)}, SPEC.theory)"
    for attr in ("predict", "table_row"):
        assert callable(getattr(theory, attr, None)), f"{where} has no callable {attr}"
    t = getattr(theory, "threshold", "absent")
    assert t is None or isinstance(t, float), f"{where}: threshold is {t!r}, not None or a float"
    for value in grid.grid_values(name, section(name)):
        got = theory.predict(value)
        assert got in OUTCOMES, f"{where}: predict({value!r}) is {got!r}, not one of {OUTCOMES}"


@check()
def check_rows_do_not_depend_on_the_block(name: str) -> None:
    """Seeds 0-9 in one block, and the same seeds computed alone or in other blocks, give
    the same rows bit for bit: a seed's numbers depend on the seed alone (gdlab.seeding),
    never on the block it is computed in.  At :func:`grid_points`."""
    settings = grid.solver_settings(config(), name)
    for setting in grid_points(name):
        whole = solve.solve(name, setting, *BLOCK, settings)
        for first, last in CUTS:
            expected = rows_of(whole, first, last)
            assert expected.num_rows > 0, f"{name} at {setting}: seeds {first}-{last} have no rows"
            found = differences(expected, solve.solve(name, setting, first, last, settings))
            assert not found, (
                f"{name} at {setting}: seeds {first}-{last} computed as their own block differ "
                f"from the same seeds of block {BLOCK[0]}-{BLOCK[1]} (a seed's numbers must "
                f"depend on the seed alone):{lines(found)}"
            )


@check(when="spec.iterative")
def check_local_theory_fills_every_converged_run(name: str) -> None:
    """rate_theory and alpha_critical are per run, not per grid point: every converged run
    of the test config's first job has its own prediction (iterative problems only)."""
    job, table = first_run(name)
    df = table.to_pandas()
    ends = df[df["step"] == df["steps"]]
    converged = ends[ends["outcome"] == "converged"]
    assert len(converged) > 0, (
        f"{name}: no run of the test config's first job ({job.path}) converged, so this "
        "check would pass on nothing: make its first grid point in config/test.yaml one "
        "where GD converges"
    )
    for col in ("rate_theory", "alpha_critical"):
        empty = converged.loc[converged[col].isna(), "seed"].tolist()
        assert not empty, (
            f"{name}: the converged runs of seeds {empty} ({job.path}) have no {col}: "
            f"{rel(name, 'numerics.py')} must fill it at the point each run reached"
        )


def _written(name: str, directory: str) -> tuple[grid.Job, pa.Table, Path, dict]:
    """The first job's table written to ``directory``, and its metadata as read back."""
    job, table = first_run(name)
    path = Path(directory) / "run.parquet"
    schema.write(table, path)
    return job, table, path, schema.provenance(path)


@check()
def check_metadata_states_how_to_regenerate(name: str) -> None:
    """A written file's metadata states the data process (generator, seed entropy, each
    draw), the settings and, for an iterative problem, the stopping rule; NumPy alone
    (tests/support/regenerate.py) redraws from it every seed's data bit for bit."""
    spec = problems.spec(name)
    with tempfile.TemporaryDirectory() as tmp:
        job, _table, path, meta = _written(name, tmp)
        assert regenerate.metadata(str(path)) == meta, "regenerate.metadata reads another document"
    data = meta["data"]
    seeds = list(range(job.first, job.last + 1))
    assert meta["settings"] == grid.solver_settings(config(), name), (
        f"{name}: the metadata's settings are not the job's"
    )
    if spec.seeding == "none":  # nothing drawn: a run is its index, its setting and settings
        assert data["generator"] is None and data["draws"] == [], (
            f"{name} draws nothing (SPEC.seeding 'none'), but its metadata states a generator "
            f"or draws ({rel(name, 'numerics.py')}: data_process)"
        )
        assert meta["seed_entropy"] is None, f"{name} draws nothing, yet states seed entropy"
        assert data["then"], f"{name}: the metadata does not say how a run follows from its index"
        return
    assert data["draws"], (
        f"{name}: the metadata states no draw ({rel(name, 'numerics.py')}: data_process)"
    )
    assert data["generator"] in ("SeedSequence", "RandomState"), (
        f"{name}: the metadata's generator {data['generator']!r} is neither SeedSequence "
        "nor RandomState"
    )
    assert meta["seed_entropy"].count("seed") == 1, (
        f"{name}: seed_entropy {meta['seed_entropy']} has no one place for the seed"
    )
    if spec.iterative:
        stated = set(meta["stopping"] or ())
        lacking = sorted({"max_steps", "tolerance", "divergence_factor", "rule"} - stated)
        assert not lacking, f"{name}: the metadata's stopping rule lacks {lacking}"
    else:
        assert meta["stopping"] is None, (
            f"{name} does not iterate, but its metadata states a stopping rule"
        )
    root = meta["settings"].get("root_seed", 0)
    for seed in seeds:
        ours = seeding.draw(data, spec.seed_stream or name, seed, root)
        theirs = regenerate.draws(meta, seed)
        assert list(theirs) == list(ours), f"{name}: the draws are not named {list(ours)}"
        for key, value in ours.items():
            a, b = np.asarray(value), np.asarray(theirs[key])
            assert (a.dtype, a.shape, a.tobytes()) == (b.dtype, b.shape, b.tobytes()), (
                f"{name}, seed {seed}: draw {key!r} from the metadata alone is not gdlab's "
                f"(generator {data['generator']}, seed_entropy {meta['seed_entropy']})"
            )


@check()
def check_run_regenerates_from_metadata(name: str) -> None:
    """tests/support/regenerate.py, with NumPy alone and the objective written again, gets
    the first seed of the test config's first job again from its file's metadata: its
    outcome and steps (iterative) and its loss at every recorded step."""
    with tempfile.TemporaryDirectory() as tmp:
        job, table, path, _meta = _written(name, tmp)
        try:
            doc = regenerate.regenerate(str(path), job.first)
        except regenerate.NotWritten as exc:
            raise AssertionError(f"{name}: {exc}") from None
    rows = table.to_pandas()
    run = rows[rows["seed"] == job.first].sort_values("step")
    assert len(run) > 0, f"{name}: seed {job.first} has no rows in {job.path}"
    if problems.spec(name).iterative:
        assert run["outcome"].iloc[-1] == doc["outcome"] == "converged", (
            f"{name}, seed {job.first} of {job.path}: the file says {run['outcome'].iloc[-1]!r}, "
            f"the regeneration {doc['outcome']!r}; both must be 'converged' (the test config's "
            "first grid point is one where GD converges)"
        )
        assert int(run["steps"].iloc[0]) == doc["steps"], (
            f"{name}, seed {job.first}: {int(run['steps'].iloc[0])} steps in the file, "
            f"{doc['steps']} regenerated"
        )
    regenerated = np.array(doc["loss"])[run["step"].to_numpy()]
    np.testing.assert_allclose(
        regenerated,
        run["loss"].to_numpy(),
        rtol=1e-11,
        atol=1e-300,
        err_msg=f"{name}, seed {job.first} of {job.path}: the regenerated losses are not the file's",
    )


@check()
def check_fingerprints_hold_its_own_folder_only(name: str) -> None:
    """No code fingerprint of its jobs (solver, table, table page, figures, checks, charts) holds
    another problem's file, so adding or editing a problem reruns none of the others';
    its solver's holds its numerics, its spec, the registry and gdlab/solve.py."""
    spec = problems.spec(name)
    prints = {"solver": fingerprints.solver_code(name), "table": fingerprints.table_code(name)}
    prints["table page"] = fingerprints.table_html_code(name)
    prints.update({f"figure {f.name}": fingerprints.figure_code(name, f) for f in spec.figures})
    prints.update({f"check {c.name}": fingerprints.check_code(name, c) for c in spec.checks})
    prints.update({f"chart {c.name}": fingerprints.chart_code(name, c) for c in spec.charts})
    others = [n for n in problems.names() if n != name]
    for job, fingerprint in prints.items():
        assert fingerprint, f"{name}: the fingerprint of its {job} job is empty: it tracks nothing"
        foreign = [f for f in fingerprint if any(f"problems/{o}/" in f for o in others)]
        assert not foreign, (
            f"{name}: the code fingerprint of its {job} job holds other problems' files "
            f"(an edit there would rerun it): {foreign}; import them with importlib, "
            "through gdlab.problems, never statically"
        )
    solver = fingerprints.solver_code(name)
    for f in (rel(name, "numerics.py"), rel(name), "src/gdlab/problems/__init__.py"):
        assert f in solver, f"{name}: its solver's fingerprint lacks {f}"
    assert "src/gdlab/solve.py" in solver, f"{name}: its solver's fingerprint lacks solve.py"


@check(when="spec.thresholds is not None")
def check_threshold_brackets_hold_their_theory(name: str) -> None:
    """The test config's threshold experiment: it has the configured number of cases, and
    every case's bisected bracket holds its theory, narrower than rtol."""
    section(name)
    groups, params = thresholds.groups(name)
    ref = problems.spec(name).thresholds.function
    count = json.loads(plan.threshold_counts(config()))[name]
    made = sum(len(cases.names) for cases in groups)
    assert made == count, f"{name}: {ref} returned {made} cases, SPEC.thresholds.count says {count}"
    for cases in groups:
        _brackets_hold(name, cases, params)


def _brackets_hold(name: str, cases, params: dict) -> None:
    r = threshold.bisect(cases, params["bracket"], params["rtol"], params["window"])
    outside = [
        f"{n}: theory {float(r['theory'][i])!r} not in "
        f"[{float(r['lo'][i])!r}, {float(r['hi'][i])!r}]"
        for i, n in enumerate(cases.names)
        if not r["agrees"][i]
    ]
    assert not outside, f"{name}: bisected brackets that miss the theory:{lines(outside)}"
    wide = [n for i, n in enumerate(cases.names) if not r["rel_width"][i] < params["rtol"]]
    assert not wide, f"{name}: brackets of {wide} are not narrower than rtol {params['rtol']}"
    assert np.allclose(r["theory_axis"] * r["unit"], r["theory"], rtol=1e-15), (
        f"{name}: theory_axis × unit is not the theory in α"
    )


@check(when="spec.thresholds is not None")
def check_slow_approach_is_never_a_cycle(name: str) -> None:
    """Just below each threshold case's critical step (α·λ_max = 2 − 10⁻⁴), GD from a
    point near the minimum approaches it slowly, oscillating: the orbit test must not
    call that a cycle, however far the minimum is from 0 (docs/theory.md), even at the
    largest ``cycle_rtol`` the config schema allows."""
    for cases in thresholds.groups(name)[0]:
        _slow_approach(name, cases, loosest=merged_schema()["$defs"]["cycle_rtol"]["maximum"])


def _slow_approach(name: str, cases, loosest: float) -> None:
    norms = np.sqrt((cases.x_star**2).sum(axis=1))
    amplitude = threshold.AMPLITUDE * np.maximum(1.0, norms)
    d = cases.direction
    start = cases.x_star + d * (amplitude / np.sqrt((d**2).sum(axis=1)))[:, None]
    trace = descent.descend(
        cases.model,
        start,
        cases.theory * (1 - 5e-5),
        max_steps=2000,
        tolerance=0.0,
        divergence_factor=1e6,
        record=frozenset({0}),
        cycle_rtol=loosest,  # the largest the schema allows
        method=cases.method,
    )
    called = [n for n, o in zip(cases.names, trace.outcome, strict=True) if o != "max_steps"]
    assert not called, (
        f"{name}: runs at α·λ_max = 2 − 10⁻⁴ near {called} ended "
        f"{[o for o in trace.outcome if o != 'max_steps']}, not max_steps (a slow approach)"
    )


@check(when="spec.thresholds is not None")
def check_hessian_vector_is_the_gradient_s_derivative(name: str) -> None:
    """The model's ``hessian_vector`` (an orbit's multipliers, a run's Lyapunov exponent:
    gdlab.orbits) is the derivative of its gradient: against a central difference at
    points near each threshold case's minimum, in random directions."""
    for cases in thresholds.groups(name)[0]:
        _hessian_vector_holds(name, cases)


def _hessian_vector_holds(name: str, cases) -> None:
    model, x_star = cases.model, cases.x_star
    rng = np.random.default_rng(0)
    scale = np.maximum(1.0, np.abs(x_star).max(axis=1, keepdims=True))
    x = x_star + 0.01 * scale * rng.standard_normal(x_star.shape)
    v = rng.standard_normal(x_star.shape)
    v /= np.sqrt((v * v).sum(axis=1, keepdims=True))
    h = 1e-6 * scale
    central = (model.gradient(x + h * v) - model.gradient(x - h * v)) / (2 * h)
    exact = model.hessian_vector(x, v)
    err = np.sqrt(((exact - central) ** 2).sum(axis=1)) / np.maximum(
        np.sqrt((central**2).sum(axis=1)), 1.0
    )
    assert (err < 1e-5).all(), (
        f"{name}: hessian_vector differs from the gradient's central difference by "
        f"{err.max():.3g} (relative) at {cases.names[int(err.argmax())]}"
    )


# ---- a wrong theory must fail (the default study's evidence) ------------------------------
def _verdict_of(name: str, mutate, what: str) -> None:
    """The convergence check of the default study, its theory altered by ``mutate``,
    fails (``what`` says how it was altered)."""
    table, report = verdicts.verdict(name, mutate)
    assert not report["passed"], (
        f"{name}: the convergence check passed with {what}: its rate tolerance "
        f"(checks.rate_rtol.{name}) or the runs it compares cannot tell a wrong theory "
        f"(rates compared per row: {table['rates_compared'].tolist()})"
    )


@check(when="spec.iterative")
def check_default_study_passes_on_evidence(name: str) -> None:
    """The default study (config/config.yaml), computed in process, passes its
    convergence check, and some run's rate was compared: the mutation checks below then
    fail for the mutation, not for want of evidence."""
    table, report = verdicts.verdict(name)
    assert report["passed"], (
        f"{name}: the default study fails its check:{lines(report['failures'])}"
    )
    assert table["rates_compared"].sum() > 0, (
        f"{name}: no run of the default study had its rate compared (rates_unsteady "
        f"{table['rates_unsteady'].tolist()}, rates_unresolved "
        f"{table['rates_unresolved'].tolist()}): its rates are never checked"
    )


@check(when="spec.iterative")
def check_a_rate_off_by_one_percent_fails(name: str) -> None:
    """Every run's predicted rate 1 % too high, then 1 % too low: the check fails."""
    for factor in (1.01, 0.99):
        _verdict_of(name, verdicts.scaled_rate(factor), f"every rate_theory × {factor}")


@check(when="spec.iterative")
def check_another_seeds_theory_fails(name: str) -> None:
    """Each run held against the theory of another seed (the next one of its grid point):
    the check fails, unless the theory does not depend on the seed at all."""
    changed = [
        df.setting.iloc[0]
        for df in verdicts.runs_of(name)
        if not verdicts.another_seeds(df.copy())[list(verdicts.THEORY)].equals(
            df[list(verdicts.THEORY)]
        )
    ]
    if changed:
        _verdict_of(name, verdicts.another_seeds, "each run given the next seed's theory")
    else:  # the theory is the same for every seed: another seed's is not wrong
        for ends in verdicts.runs_of(name):
            assert ends["rate_theory"].nunique(dropna=False) <= 1, (
                f"{name} {ends.setting.iloc[0]}: seeds have different theories, "
                "yet moving them between seeds changed nothing"
            )


@check(when="spec.trajectories is not None")
def check_cut_trajectories_keep_every_number(name: str) -> None:
    """Each grid point of the default study solved with seed 0's rows only (as a solver
    job keeps the seeds beyond SPEC.trajectories) writes the same per-run summary, bit
    for bit, rate windows included, as with every row kept, and seed 0's rows as they
    were: what is cut only draws trajectories."""
    cfg = verdicts.config()
    settings = grid.solver_settings(cfg, name)
    for whole, written in zip(verdicts.solved(name), verdicts.summaries(name), strict=True):
        setting, seeds = whole["setting"][0].as_py(), whole["seed"].to_numpy()
        every = written["seed"].to_numpy()  # the run file has the traced seeds' rows only
        part, summary = solve.solve_block(
            name, setting, int(every.min()), int(every.max()), settings, trajectories=1
        )
        assert part.num_rows < whole.num_rows, f"{name}: cutting the trajectories kept every row"
        assert part.equals(whole.filter(pa.array(seeds < 1))), f"{name} {setting}: seed 0's rows"
        found = differences(written, summary)
        assert not found, f"{name} {setting}: the summary of the cut block differs:{lines(found)}"


@check(when="spec.thresholds is not None")
def check_a_threshold_off_by_1e_3_fails(name: str) -> None:
    """The threshold experiment (test config) with every case's theory off by a relative
    10⁻³ either way: no case's bracket holds it."""
    groups, params = thresholds.groups(name)
    for cases, factor in itertools.product(groups, (1 + 1e-3, 1 - 1e-3)):
        wrong = dataclasses.replace(cases, theory=cases.theory * factor)
        r = threshold.bisect(wrong, params["bracket"], params["rtol"], params["window"])
        held = [n for i, n in enumerate(cases.names) if r["agrees"][i]]
        assert not held, (
            f"{name}: brackets of {held} hold a theory × {factor}: the experiment cannot "
            "tell a threshold off by 1e-3"
        )
