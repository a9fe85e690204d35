"""What a problem declares about itself: pure data, read at parse time.

Every folder under ``src/gdlab/problems/`` defines ``SPEC = Problem(...)`` in its
``__init__.py``.  The workflow reads these specs when the Snakefile is parsed (on a
cluster, by every job again), so this module and every spec use the standard
library only: no NumPy, no pandas, no pyarrow.

A spec says everything the generic code needs to know about a problem: its grid
(config key and axis), how its seeds are drawn, its own result columns, its
config-schema fragment and the semantic checks a schema cannot express, its
theory, its figures and checks (each becomes one generated rule) and what its
own table columns mean.  Its numerics live in ``numerics.py`` beside it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

# the pieces of a config section's schema (written in gdlab.sections), handed out here
from gdlab.sections import gd_section, ref, section, threshold_key  # noqa: F401

# The Parquet types a problem's own columns may have (names, not pyarrow types:
# the spec is read at parse time, without pyarrow).
COLUMN_TYPES = ("float64", "int64", "string")
# A named grid point (Grid kind "name"): no "_" (the setting is <axis>_<name>), no "=".
NAME_RE = r"[A-Za-z][A-Za-z0-9.-]*"


@dataclass(frozen=True)
class Grid:
    """The problem's grid: the config ``key`` listing its values and the ``axis`` name
    used in paths (``<axis>_<value>``).  ``kind`` is ``"float"`` (one number),
    ``"shape"`` (``[N, p]``, written ``NxP``), ``"pair"`` or ``"name"`` (a named setup,
    the names :attr:`Problem.points` gives: letters, digits, ``.`` and ``-``).  The grid
    value is a column of the problem's files too: a float axis the column named ``axis``
    (``alpha`` is a core column; any other is declared in ``Problem.columns``), a shape
    the two integer columns named ``columns`` (declared there too); a name is its
    ``setting`` only.

    A ``"pair"`` grid is the product of a list of names (the config key ``keys[0]``,
    each one of ``names``) and two lists of numbers (``keys[1]``, then ``key``): its
    value is (name, a, b), written ``<name>_<a>x<b>`` (the name is the point's axis,
    e.g. ``heavy_ball_0.5x2.0``), and its ``columns`` are the three columns holding
    them (a string column, then two float columns)."""

    key: str
    axis: str
    kind: str = "float"
    columns: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in ("float", "shape", "pair", "name"):
            raise ValueError(
                f"Grid.kind must be 'float', 'shape', 'pair' or 'name', got {self.kind!r}"
            )
        if self.kind == "shape" and len(self.columns) != 2:
            raise ValueError("a shape Grid names its two integer columns: columns=('N', 'p')")
        if self.kind == "pair" and (
            len(self.columns) != 3 or len(self.keys) != 2 or not self.names
        ):
            raise ValueError(
                "a pair Grid names its three columns (name, a, b), the config keys of its "
                "names and of a (keys=...), and the names its points may take (names=...)"
            )

    @property
    def config_keys(self) -> tuple[str, ...]:
        """Every config key that lists grid values (never passed to a solver job)."""
        return (*self.keys, self.key)

    def point(self, value) -> str:
        """``alpha_0.01`` / ``c_0.5`` / ``shape_20x5`` / ``heavy_ball_0.5x2.0``: the grid
        point's one name (in paths, wildcards and the ``setting`` column)."""
        if self.kind == "shape":
            n_rows, n_cols = value
            return f"{self.axis}_{int(n_rows)}x{int(n_cols)}"
        if self.kind == "pair":
            name, a, b = value
            return f"{name}_{canonical_float(a)}x{canonical_float(b)}"
        if self.kind == "name":
            if not isinstance(value, str) or not re.fullmatch(NAME_RE, value):
                raise ValueError(
                    f"a setup's name must be letters, digits, '.' and '-' (starting with a "
                    f"letter), got {value!r}"
                )
            return f"{self.axis}_{value}"
        return f"{self.axis}_{canonical_float(value)}"


def canonical_float(value: float) -> str:
    """The one spelling of a grid value used in paths and params.

    Shortest round-trip ``repr`` of the float, so ``0.1``, ``1e-1`` and
    ``0.10000000000000001`` all become ``"0.1"``; ``2`` becomes ``"2.0"``.
    """
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"grid value must be finite, got {value!r}")
    return repr(x)


@dataclass(frozen=True)
class Figure:
    """One figure: ``results/figures/<name>.png`` and ``.svg``, drawn by ``function``
    (``"module:function"``: a module of the problem's folder, or a ``gdlab.`` module)
    called as ``function(problem, df, paths, dpi, **config, **options)``.

    ``config`` maps a keyword argument to the dotted config path of its value (the
    rule passes exactly these values, so only they rerun the figure); ``options``
    are literal keyword arguments.  Its caption is ``captions/<name>.rst``.

    ``data`` is what ``df`` holds, one of :attr:`DATA`: ``"trace"``, every recorded
    row of every run (the problem's result files); ``"runs"``, one row per run (its
    per-run summary, :func:`gdlab.columns.summary_columns`: far less memory for a large
    study).  ``columns``, with ``data="runs"``: the summary columns it reads, the only
    ones read from the files (besides ``setting`` and ``seed``, which every read checks);
    empty: every column of the problem.  ``data="tables"``: the CSV tables ``tables``
    that checks of the problem write (``Check.tables``), one after the other: a figure
    of what a check computed and holds to its theory."""

    name: str
    function: str
    label: str
    config: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)
    data: str = "trace"
    columns: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    DATA: ClassVar[tuple[str, ...]] = ("trace", "runs", "tables")

    def __post_init__(self):
        _check_reads(self)
        if bool(self.tables) != (self.data == "tables"):
            raise ValueError(
                f"{type(self).__name__} {self.name}: data='tables' and the tables it draws "
                "go together"
            )


def _check_reads(item) -> None:
    """A figure's, chart's or check's ``data`` is one of its ``DATA``, and ``columns``
    go with ``data="runs"`` only."""
    if item.data not in item.DATA:
        allowed = ", ".join(repr(d) for d in item.DATA)
        raise ValueError(f"{type(item).__name__} {item.name}: data must be one of {allowed}")
    if item.columns and item.data != "runs":
        raise ValueError(f"{type(item).__name__} {item.name}: columns need data='runs'")


@dataclass(frozen=True)
class Check:
    """One check that fails the run: ``results/checks/<name>.json``, computed by
    ``function(problem, df, **config)`` (``"module:function"`` in the problem's folder),
    which returns a report with ``passed`` and ``failures``.  Caption:
    ``captions/<name>.rst``.  ``tables`` names the CSV tables it writes beside its
    report, ``results/tables/<table>.csv``: the report's ``tables[<table>]`` (a list of
    rows), taken out of the JSON.  ``data`` and ``columns`` are as :class:`Figure`'s
    (``"trace"``: the problem's run files; ``"runs"``: the per-run summaries, only
    ``columns`` of them when given)."""

    name: str
    function: str
    label: str
    config: Mapping[str, str] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    data: str = "trace"
    columns: tuple[str, ...] = ()
    DATA: ClassVar[tuple[str, ...]] = ("trace", "runs")

    def __post_init__(self):
        _check_reads(self)


@dataclass(frozen=True)
class Chart(Figure):
    """One interactive chart of the report: ``results/report/charts/<name>.html``, a
    Vega-Lite chart whose page inlines the Vega, Vega-Lite and vega-embed JavaScript
    (it opens offline, :mod:`gdlab.charts`).  ``function`` (``"module:function"``: a
    module of the problem's folder, or a ``gdlab.`` module) is called as
    ``function(problem, df, **config, **options)`` and returns an Altair chart whose
    theory layers are named ``theory…`` and whose marks carry tooltips.

    ``config``, ``options`` and ``data`` are as :class:`Figure`'s; ``data`` may also be
    ``"table"``, the problem's convergence table (``results/tables/<problem>.csv``).
    Its caption is ``captions/<name>.rst``."""

    data: str = "runs"
    DATA: ClassVar[tuple[str, ...]] = ("table", "runs", "trace")


# The threshold experiment's settings when the config's top-level ``thresholds`` leaves
# them out (docs/thresholds.md): bisect until (hi − lo)/hi < rtol, deciding each step
# size from a perturbation's growth over ``window`` GD steps.
THRESHOLD_DEFAULTS = {"rtol": 1e-6, "window": 400}


@dataclass(frozen=True)
class Thresholds:
    """The problem's threshold experiment (docs/thresholds.md): one job bisects, for
    every case (a minimum, or a seed), the step size at which GD turns unstable there,
    and holds it against the theory's 2/λ_max(∇²f(x*)).

    * ``function`` — ``"module:function"`` of the folder, called with ``config``'s values
      as keywords; returns a :class:`gdlab.threshold.Cases` (minima, theory, gradient);
    * ``bracket`` — the default ``[lo, hi]`` (``problems.<name>.threshold.bracket``
      overrides it), in units of ``axis``: GD stable at lo, unstable at hi, every case;
    * ``count`` — the number of cases: an int, the dotted config path of it (its
      ``seeds``), or ``count(config) -> int`` (pure Python), so that a table with rows
      missing never passes the check;
    * ``config`` — keyword -> dotted config path: exactly what the cases depend on (the
      job's params, so only these rerun it);
    * ``axis`` — the bracket's unit: ``"α"``, or the symbol of the problem's own unit
      (``Cases.unit`` is one of it in α), with ``axis_note`` saying what it is;
    * ``window`` — its steps per decision when ``problems.<name>.threshold.window``
      leaves it out (None: ``thresholds.window``).
    """

    function: str
    bracket: tuple[float, float]
    count: int | str | Callable[[dict], int] = 1
    config: Mapping[str, str] = field(default_factory=dict)
    axis: str = "α"
    axis_note: str = "the step size"
    window: int | None = None


@dataclass(frozen=True)
class Problem:
    """The spec of one problem (see the module docstring).

    * ``order`` — its place in tables and menus (the homework's problem number);
    * ``seeding`` — ``"root"``: seed s draws from ``SeedSequence([root_seed,
      crc32(name), s])`` (:mod:`gdlab.seeding`); ``"legacy"``: from NumPy's
      ``RandomState(s)`` (``root_seed`` is then not passed to its jobs); ``"none"``:
      nothing is drawn, a run is fixed by its index (its ``seed``) alone (no seed
      entropy in its files, no ``root_seed``);
    * ``seed_stream`` — the name in that entropy, when it is not the problem's own: a
      problem that runs another's data draws from its stream (None: its own name);
    * ``iterative`` — GD runs with outcomes and rates (its table joins the
      convergence check; it may have a ``checks.rate_rtol.<name>`` tolerance);
    * ``constant_hessian`` — the Hessian is the same everywhere: the local theory holds
      along a whole run, so a diverged run's rate is compared with it too (else
      only converged runs, which end where the theory is taken);
    * ``columns`` — its own result columns: name -> (type, meaning), type one of
      :data:`COLUMN_TYPES`; the core columns are in :mod:`gdlab.schema`.  Every
      file of every problem has every problem's columns (one schema for
      ``results/runs/``): a new column reruns every job, so reuse one where it fits;
    * ``trace`` — which of its own columns change along a run (the per-run summary
      keeps their first and last values as ``<name>_start`` and ``<name>_final``);
    * ``schema`` — the JSON schema of its ``problems.<name>`` config section;
    * ``check_schema`` — the schemas of its keys under ``checks`` (required keys);
    * ``table_checks`` — which of those keys its table reads;
    * ``validate`` — ``validate(section, config) -> [messages]``: what a schema
      cannot say (pure Python);
    * ``theory`` — a :class:`gdlab.theory.Threshold`, or the name of a module of its
      folder defining ``predict``, ``threshold`` and ``table_row``;
    * ``table_notes`` — what its own table columns mean (the report's table page);
    * ``thresholds`` — its threshold experiment (:class:`Thresholds`), or None; its
      section's schema then has the optional key ``threshold`` (:func:`threshold_key`);
    * ``footprint`` — ``footprint(section) -> gdlab.limits.Footprint``: what its runs
      hold in a solver job (the memory model, :func:`gdlab.limits.job_bytes`); None:
      a one-dimensional iterate and no data;
    * ``charts`` — its interactive charts in the report (:class:`Chart`; none: the
      report has its figures and table only);
    * ``trajectories`` — how many seeds of each grid point (the first ones) keep every
      recorded row, the trajectories its figures draw; the other runs keep none (every
      number of a run is in its solver job's per-run summary).  None: every seed (a figure that may draw any seed needs them all);
    * ``table_reads_rows`` — its theory's ``table_row`` reads the recorded rows of
      every run (``rows``), not only the runs' summaries (``runs``): its table then
      reads the run files too, and ``trajectories`` must be None;
    * ``points`` — ``points(section) -> {name: runs}``: a grid of named setups
      (``Grid(kind="name")``) and the number of runs at each (run indices 0..runs-1, the
      ``seed`` column); None: the grid key's values (with ``sweep`` and ``window``),
      ``seeds`` runs at each.  A named grid's key is passed to its solver jobs (they
      read the setup from it);
    * ``table_columns`` — for a problem that does not iterate: the summary columns its
      theory's ``table_row`` reads (besides ``setting`` and ``seed``), the only ones its
      table job reads (far less memory for millions of runs); empty: every column.
    """

    name: str
    title: str
    order: int
    grid: Grid
    schema: Mapping
    theory: object
    seeding: str = "root"
    seed_stream: str | None = None
    iterative: bool = True
    constant_hessian: bool = False
    columns: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    trace: tuple[str, ...] = ()
    check_schema: Mapping[str, Mapping] = field(default_factory=dict)
    table_checks: tuple[str, ...] = ()
    validate: Callable[[dict, dict], list[str]] | None = None
    figures: tuple[Figure, ...] = ()
    checks: tuple[Check, ...] = ()
    charts: tuple[Chart, ...] = ()
    table_notes: Mapping[str, str] = field(default_factory=dict)
    thresholds: Thresholds | None = None
    trajectories: int | None = None
    table_reads_rows: bool = False
    footprint: Callable[[dict], object] | None = None
    points: Callable[[dict], Mapping[str, int]] | None = None
    table_columns: tuple[str, ...] = ()

    def __post_init__(self):
        if self.table_columns and self.iterative:
            raise ValueError(
                f"{self.name}: table_columns is for a problem that does not iterate (the "
                "table of an iterative one reads the columns its rates and outcomes need)"
            )
        if (self.points is not None) != (self.grid.kind == "name"):
            raise ValueError(f"{self.name}: a grid of kind 'name' and SPEC.points go together")
        if self.trajectories is not None and self.trajectories < 1:
            raise ValueError(f"{self.name}: trajectories must be None or at least 1")
        if self.table_reads_rows and self.trajectories is not None:
            raise ValueError(
                f"{self.name}: a table that reads every run's rows needs every row "
                "(table_reads_rows needs trajectories None)"
            )
        if self.seeding not in ("root", "legacy", "none"):
            raise ValueError(f"{self.name}: seeding must be 'root', 'legacy' or 'none'")
        for col, (typ, _doc) in self.columns.items():
            if typ not in COLUMN_TYPES:
                raise ValueError(
                    f"{self.name}: column {col!r} has type {typ!r}; allowed: {COLUMN_TYPES}"
                )
        written = {t for c in self.checks for t in c.tables}
        for figure in self.figures:
            if not set(figure.tables) <= written:
                raise ValueError(
                    f"{self.name}: figure {figure.name} draws {sorted(set(figure.tables) - written)}"
                    ", which none of its checks writes (Check.tables)"
                )
        names = [x.name for x in (*self.figures, *self.checks, *self.charts)]
        if len(set(names)) != len(names):  # each names a caption and a rule
            raise ValueError(f"{self.name}: two figures, checks or charts share a name: {names}")
        for col in self.trace:
            if col not in self.columns:
                raise ValueError(f"{self.name}: trace column {col!r} is not in its columns")


# ---- the plug-in: what a problem's modules answer -----------------------------------
# Checked when the registry hands them out (gdlab.problems.numerics and .theory), so a
# reader follows a setting from its rule (``python -m gdlab.solve --settings ...``)
# through :func:`gdlab.problems.numerics` into ``Numerics.run`` of the problem's folder.
@runtime_checkable
class Numerics(Protocol):
    """A problem's solver: its folder's ``numerics.py``."""

    def run(self, settings: dict, value: object, seeds: list[int], **traced) -> dict:
        """The runs of ``seeds`` at grid value ``value`` under ``settings`` (its config
        section without the grid keys): columns name -> NumPy array or list, one entry a
        recorded row, run-level columns repeated on each of its rows
        (:func:`gdlab.descent.run_block` makes them for an iteration).  An iterative
        problem also takes ``traced=N`` and hands it to ``run_block``: the seeds from N
        on keep their first and last rows only (their summary is all a job keeps)."""
        ...

    def data_process(self, settings: dict, value: object = None) -> dict:
        """How one seed's data are drawn (:func:`gdlab.seeding.process`): stated in every
        result file's metadata, so a reader can regenerate a run."""
        ...


@runtime_checkable
class Theory(Protocol):
    """A problem's theory (``SPEC.theory``): a :class:`gdlab.theory.Threshold` or a module
    of its folder (:mod:`gdlab.theory` says what each member means)."""

    threshold: float | None

    def predict(self, value: object) -> str | None:
        """The outcome every run at grid value ``value`` must have, or None."""
        ...

    def table_row(self, value: object, runs, rows, context: dict) -> dict:
        """The problem's own columns of its convergence table at ``value``, with
        ``prediction`` and ``agrees``."""
        ...
