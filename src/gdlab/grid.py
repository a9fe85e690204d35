"""The study's grid: which jobs exist, and what each job is told.

Pure Python (no NumPy): the Snakefile imports this module at parse time, and on
a cluster every job re-parses the Snakefile, so it must stay cheap.

A *job* is one (problem, grid point, block of seeds).  A grid point is written
``<axis>_<value>`` (``alpha_0.01``, ``c_0.5``, ``shape_20x5``) and that string
is used verbatim in paths, wildcards and the Parquet ``setting`` column, so it
is produced in exactly one place: :func:`setting`.  No path under ``results/runs/``
holds a ``=``: readers (duckdb, polars, pandas, pyarrow) would take a ``key=value``
folder for a hive partition and replace the column of that name by its string.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from gdlab import problems
from gdlab.limits import DEFAULT_JOB_MEMORY_MB, Footprint, recorded_rows, seeds_within
from gdlab.spec import NAME_RE

# Keys that only shape the grid (which jobs exist).  They are never passed to a
# solver job, so adding an alpha or a seed does not rerun the existing jobs; each
# problem's grid key (``SPEC.grid.key``) is one too.
GRID_ONLY_KEYS = frozenset({"seeds", "seeds_per_job", "points_per_job", "sweep", "window"})
# Keys no solver job reads: the threshold experiment's (its own job gets them).
NOT_SOLVER_KEYS = GRID_ONLY_KEYS | {"threshold"}

FLOAT_RE = r"[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?"
SHAPE_RE = r"[0-9]+x[0-9]+"
SEEDS_RE = r"[0-9]+-[0-9]+"


def problem_names() -> tuple[str, ...]:
    return problems.names()


def _grid(problem: str):
    return problems.spec(problem).grid


def problem_re() -> str:
    """The wildcard regex of a problem name: exactly the registered ones."""
    return "|".join(problems.names())


def setting_re(problem: str | None = None) -> str:
    """The wildcard regex of a grid point: ``<axis>_<value>`` of a registered axis
    (of ``problem``'s axis only, if given: a job reads its own spec only)."""
    names = (problem,) if problem else problems.names()
    grids = list(map(_grid, names))
    axes = {g.axis: g.kind for g in grids}
    floats = sorted(a for a, k in axes.items() if k == "float")
    shapes = sorted(a for a, k in axes.items() if k == "shape")
    pairs = sorted({n for g in grids if g.kind == "pair" for n in g.names})
    named = sorted(a for a, k in axes.items() if k == "name")
    parts = []
    if floats:
        parts.append(rf"({'|'.join(floats)})_{FLOAT_RE}")
    if shapes:
        parts.append(rf"({'|'.join(shapes)})_{SHAPE_RE}")
    if pairs:
        parts.append(rf"({'|'.join(pairs)})_{FLOAT_RE}x{FLOAT_RE}")
    if named:
        parts.append(rf"({'|'.join(named)})_{NAME_RE}")
    return "|".join(parts)


def log_sweep(lo: float, hi: float, count: int) -> list[float]:
    """``count`` log-spaced values from ``lo`` to ``hi`` (both included), rounded to 4
    significant digits so that their spelling is stable across platforms."""
    if count == 1:
        return [_round4(lo, lo, hi)]
    a, b = math.log10(lo), math.log10(hi)
    return [_round4(_power(a + i * (b - a) / (count - 1), hi), lo, hi) for i in range(count)]


def linear_window(lo: float, hi: float, count: int) -> list[float]:
    """``count`` evenly spaced values from ``lo`` to ``hi`` (both included), rounded to
    4 significant digits like :func:`log_sweep` (a window of up to 1000 values between
    two numbers of 4 digits keeps them distinct)."""
    if count == 1:
        return [_round4(lo, lo, hi)]
    return [_round4(lo + i * (hi - lo) / (count - 1), lo, hi) for i in range(count)]


def _power(exponent: float, hi: float) -> float:
    try:
        return 10.0**exponent
    except OverflowError:  # 10^308.3 for a sweep up to the largest float
        return hi


def _round4(x: float, lo: float, hi: float) -> float:
    """x within [lo, hi], to 4 significant digits unless that leaves the finite numbers
    (hi near the largest float rounds up to inf) or reaches 0."""
    x = min(max(x, lo), hi)
    r = float(f"{x:.4g}")
    return r if math.isfinite(r) and r > 0 else x


def grid_values(problem: str, cfg: dict) -> list:
    """The grid of one problem, in config order, sweep then window appended,
    duplicates removed (a grid of named setups: their names, ``SPEC.points``)."""
    points = problems.spec(problem).points
    if points is not None:
        return list(points(cfg))
    g = _grid(problem)
    if g.kind == "pair":  # the product of its names and its two lists of numbers
        names, firsts = (cfg[k] for k in g.keys)
        values = [(n, a, b) for n in names for a in firsts for b in cfg[g.key]]
    else:
        values = list(cfg[g.key])
    sweep = cfg.get("sweep")
    if sweep:
        values += log_sweep(sweep["min"], sweep["max"], sweep["count"])
    window = cfg.get("window")
    if window:
        values += linear_window(window["min"], window["max"], window["count"])
    out, seen = [], set()
    for v in values:
        s = setting(problem, v)
        if s not in seen:
            seen.add(s)
            out.append(v)
    return out


def setting(problem: str, value) -> str:
    """``alpha_0.01`` / ``c_0.5`` / ``shape_20x5``: the grid point's one name
    (:meth:`gdlab.spec.Grid.point` of the problem's grid)."""
    return _grid(problem).point(value)


def parse_setting(text: str, problem: str | None = None) -> tuple[str, object]:
    """Inverse of :func:`setting`: ``("alpha", 0.01)``, ``("shape", (20, 5))`` or
    ``("heavy_ball", ("heavy_ball", 0.5, 2.0))``."""
    if not re.fullmatch(setting_re(problem), text):
        raise ValueError(
            f"grid point {text!r} is not of the form <axis>_<float>, <axis>_<N>x<p> or "
            f"<name>_<float>x<float> of a registered axis ({setting_re(problem)})"
        )
    axis, value = text.rsplit("_", 1)  # a value holds no "_"; an axis name may
    if any(g.axis == axis and g.kind == "name" for g in map(_grid, _names(problem))):
        return axis, value
    if re.fullmatch(SHAPE_RE, value):
        n_rows, n_cols = value.split("x")
        return axis, (int(n_rows), int(n_cols))
    if "x" in value:  # a pair's floats (a float's spelling has a dot or an exponent)
        a, b = value.split("x")
        return axis, (axis, float(a), float(b))
    return axis, float(value)


def _names(problem: str | None) -> tuple[str, ...]:
    return (problem,) if problem else problems.names()


def runs_at(problem: str, cfg: dict, value) -> int:
    """The runs at one grid point of ``problem`` (its section ``cfg``): ``seeds``, or, on
    a grid of named setups, the setup's own count (``SPEC.points``)."""
    points = problems.spec(problem).points
    return int(points(cfg)[value]) if points is not None else int(cfg["seeds"])


def most_runs(problem: str, cfg: dict) -> int:
    """The runs at the grid point that has the most."""
    points = problems.spec(problem).points
    return max(points(cfg).values()) if points is not None else int(cfg["seeds"])


def seed_blocks(n_seeds: int, per_job: int) -> list[tuple[int, int]]:
    """Seeds ``0..n_seeds-1`` cut into blocks of ``per_job`` (first, last), inclusive."""
    return [(a, min(a + per_job, n_seeds) - 1) for a in range(0, n_seeds, per_job)]


@dataclass(frozen=True)
class Job:
    problem: str
    setting: str
    first: int
    last: int

    @property
    def seeds(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def summary(self) -> str:
        return summary_path(self.problem, self.setting, self.seeds)

    @property
    def path(self) -> str:
        return run_path(self.problem, self.setting, self.seeds)


def run_path(problem: str, setting_: str, seeds: str) -> str:
    return f"results/runs/{problem}/{setting_}/seeds_{seeds}.parquet"


def summary_path(problem: str, setting_: str, seeds: str) -> str:
    """The per-run summary a solver job writes beside its run file (one row per run)."""
    return f"results/summaries/{problem}/{setting_}/seeds_{seeds}.parquet"


def parse_run_path(
    path: str, problem: str | None = None, folder: str = "runs"
) -> tuple[str, str, tuple[int, int]] | None:
    """``(problem, setting, (first, last))`` of a path made by :func:`run_path` (or
    :func:`summary_path`: ``folder="summaries"``), else None."""
    pattern = rf"(?:^|/)results/{folder}/({re.escape(problem) if problem else problem_re()})/({setting_re(problem)})/seeds_([0-9]+)-([0-9]+)\.parquet$"
    m = re.search(pattern, str(path).replace("\\", "/"))
    if not m:
        return None
    return m[1], m[2], (int(m[m.lastindex - 1]), int(m[m.lastindex]))


# The job size when the config sets no ``seeds_per_job`` (docs/performance.md, "Job
# size"): a job's start-up (~0.2 s: Python, NumPy, pyarrow) costs as much as ~10^7
# vectorised GD steps, so one job per grid point is fastest, up to a job of about
# AUTO_RUN_STEPS run-steps (seeds × max_steps: tens of seconds), AUTO_MAX_SEEDS
# seeds, or the seeds the memory model lets a job hold (:func:`job_memory`); above
# that, equal blocks.
AUTO_RUN_STEPS = 2 * 10**8
AUTO_MAX_SEEDS = 10_000


def seeds_per_job(config: dict, problem: str) -> int:
    """Seeds per solver job of ``problem``: its own ``seeds_per_job``, the top-level one,
    or, when neither is set, chosen from its seeds and step budget (see above)."""
    cfg = config["problems"][problem]
    explicit = cfg.get("seeds_per_job", config.get("seeds_per_job"))
    if explicit is not None:
        return int(explicit)
    n = most_runs(problem, cfg)
    budget, footprint, rows = job_memory(config, problem)
    cap = max(
        1,
        min(
            AUTO_MAX_SEEDS,
            AUTO_RUN_STEPS // max(1, int(cfg.get("max_steps", 1))),
            seeds_within(budget, footprint, rows),
        ),
    )
    blocks = -(-n // cap)
    return -(-n // blocks)  # equal blocks, the last one at most one seed shorter


def job_memory(config: dict, problem: str) -> tuple[int, Footprint, int]:
    """What the memory model needs of one problem's solver jobs: the budget in bytes
    (``max_job_memory_mb``), the problem's :class:`gdlab.limits.Footprint` and the rows
    a run records at most."""
    section = config["problems"][problem]
    spec = problems.spec(problem)
    footprint = spec.footprint(section) if spec.footprint is not None else Footprint()
    budget = int(config.get("max_job_memory_mb", DEFAULT_JOB_MEMORY_MB)) * 2**20
    return budget, footprint, recorded_rows(section, spec.iterative)


def jobs(config: dict, problem: str) -> list[Job]:
    """Every solver job of one problem, grid order then seed order."""
    cfg = config["problems"][problem]
    per_job = seeds_per_job(config, problem)
    return [
        Job(problem, setting(problem, v), a, b)
        for v in grid_values(problem, cfg)
        for a, b in seed_blocks(runs_at(problem, cfg, v), per_job)
    ]


def points_per_job(config: dict, problem: str) -> int:
    """Grid points one solver job runs in turn: the problem's ``points_per_job``, the
    top-level one, else 1 (docs/performance.md, "Job size")."""
    cfg = config["problems"][problem]
    return int(cfg.get("points_per_job", config.get("points_per_job", 1)))


def batches(config: dict, problem: str) -> list[tuple[Job, ...]]:
    """The solver jobs of one problem as the processes that run them: each seed block's
    grid points dealt round-robin into ``ceil(points / points_per_job)`` batches, so that
    every batch gets its share of the cheap and the costly points (a sweep's costly
    small steps come first).  A batch of one is today's job; a larger one runs its
    points one after the other in one interpreter and writes each point's own files,
    the bytes a batch of one would write (:mod:`gdlab.solve`)."""
    per_batch = points_per_job(config, problem)
    if per_batch == 1:
        return [(job,) for job in jobs(config, problem)]
    by_block: dict[str, list[Job]] = {}
    for job in jobs(config, problem):
        by_block.setdefault(job.seeds, []).append(job)
    out = []
    for block in by_block.values():
        n = -(-len(block) // per_batch)
        out += [tuple(block[b::n]) for b in range(n)]
    return out


def count_batches(runs: list[int], per_job: int, per_batch: int = 1) -> int:
    """The solver jobs (batches, :func:`batches`) of grid points of ``runs`` runs each, cut
    into blocks of ``per_job`` seeds, counted without listing them: a whole block is
    shared by every point that has it, a last, shorter block only by the points of the
    same number of runs."""
    full = sorted(r // per_job for r in runs)
    total, had = 0, 0
    for i, f in enumerate(full):  # points i.. have f whole blocks or more
        if f > had:
            total += (f - had) * -(-(len(full) - i) // per_batch)
            had = f
    shorter = Counter(r for r in runs if r % per_job)
    return total + sum(-(-n // per_batch) for n in shorter.values())


def solver_settings(config: dict, problem: str) -> dict:
    """The config slice one solver job of ``problem`` depends on (no grid keys).

    Builtin types only, so Snakemake's params trigger tracks it exactly.  ``root_seed``
    only where it is used (not by a problem seeded from ``RandomState(seed)`` or by one
    that draws nothing).  A grid of named setups keeps its key: the jobs read their
    setup there.
    """
    cfg = config["problems"][problem]
    s = problems.spec(problem)
    # a grid of named setups keeps its key (its jobs read their setup there)
    grid_keys = set(s.grid.config_keys) if s.grid.kind != "name" else set()
    out = {k: v for k, v in cfg.items() if k not in NOT_SOLVER_KEYS | grid_keys}
    if s.seeding == "root":
        out["root_seed"] = int(config["root_seed"])
    return out
