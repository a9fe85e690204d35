"""Size limits of a configuration: of the whole document (values, nesting), of
what one draw of a seed's data may hold, which a problem's own config rules use
(``SPEC.validate``), and the memory model of one solver job (:func:`job_bytes`),
which the job size and the config check follow.  Imports nothing of gdlab at the
top (the standard library only), so a problem folder imports it at the top."""

from __future__ import annotations

from dataclasses import dataclass

MAX_VALUES = 1_000_000  # values in the whole configuration, YAML aliases expanded
MAX_DEPTH = 20  # levels of nesting (the deepest valid key is 4 levels down)


def size_messages(config) -> list[str]:
    """A configuration too large or too deeply nested to check (a few YAML aliases can
    stand for 10^30 values; a few hundred levels overflow Python's recursion): one
    message, found in time linear in the file (each shared node is counted once)."""
    sizes: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    stack = [(config, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = (
            list(node.values())
            if isinstance(node, dict)
            else node
            if isinstance(node, list)
            else []
        )
        if not done:
            if key in sizes or (key in depth_of and depth_of[key] < 0):
                continue
            depth_of[key] = -1  # in progress (a cycle counts as too large)
            stack.append((node, True))
            for child in children:
                if isinstance(child, (dict, list)):
                    if depth_of.get(id(child)) == -1:
                        return [too_large("contains itself (a recursive YAML alias)")]
                    stack.append((child, False))
            continue
        total, deepest = 1, 0
        for child in children:
            if isinstance(child, (dict, list)):
                total += sizes[id(child)]
                deepest = max(deepest, depth_of[id(child)])
            else:
                total += 1
        sizes[key], depth_of[key] = min(total, MAX_VALUES + 1), deepest + 1
        if depth_of[key] > MAX_DEPTH:
            return [too_large(f"is nested more than {MAX_DEPTH} levels deep")]
        if sizes[key] > MAX_VALUES:
            return [too_large(f"holds more than {MAX_VALUES:,} values (YAML aliases expanded)")]
    return []


def too_large(what: str) -> str:
    return (
        f"(top level): the configuration {what}; allowed: the keys of config/README.md, "
        f"at most {MAX_DEPTH} levels and {MAX_VALUES:,} values"
    )


MAX_MATRIX_ENTRIES = 1_000_000  # N·p of one draw of X
MAX_FEATURES = 1000  # p: the central differences build a p×p matrix


def shape_messages(key: str, shape, need_tall: bool) -> list[str]:
    n_rows, n_cols = shape
    out = []
    if need_tall and n_rows < n_cols:
        out.append(
            f"{key}: [{n_rows}, {n_cols}] has N < p, so XᵀX is singular and the least-squares "
            "solution is not unique; allowed: N >= p"
        )
    if n_cols > MAX_FEATURES or n_rows * n_cols > MAX_MATRIX_ENTRIES:
        out.append(
            f"{key}: [{n_rows}, {n_cols}] is too large for this study; allowed: p <= {MAX_FEATURES} "
            f"and N·p <= {MAX_MATRIX_ENTRIES:,} (X is drawn and kept in memory per seed)"
        )
    return out


# ---- the memory of one solver job (docs/performance.md, "Memory of a job") --------------
@dataclass(frozen=True)
class Footprint:
    """What one problem's runs hold in a solver job, in floats (8 bytes each), from its
    config section (``SPEC.footprint``): ``dimension``, the floats of θ (a recorded
    row's iterate, the loop's state); ``per_seed``, a seed's data kept for the whole
    block (with the copies the block makes); ``once``, what one seed's work holds
    while it is done, one seed at a time (a dense check)."""

    dimension: int = 1
    per_seed: int = 0
    once: int = 0


# Measured (docs/performance.md): a job of one seed and one step peaks at ~80 MB (Python,
# NumPy, pyarrow); the loop's chunk buffers add up to ~50 MB.
JOB_BASE_BYTES = 160 * 2**20
# Floats of one recorded row besides its iterate, while the job builds its file: the
# trace's arrays, the row columns and the Arrow table (measured ~58 a row).
ROW_FLOATS = 80
# A chunk is at least this many steps of every run of the block (gdlab.descent), and the
# stopping rule holds about six arrays of a chunk's iterates.
CHUNK_STEPS, CHUNK_ARRAYS = 16, 6
DEFAULT_JOB_MEMORY_MB = 2048


def recorded_rows(section: dict, iterative: bool) -> int:
    """The rows one run records at most: its recorded steps (:func:`gdlab.stopping.
    record_steps`), its last step and one a problem may add (a reference
    step); one for a problem that is not iterative."""
    if not iterative:
        return 1
    from gdlab.stopping import RECORD_PER_DECADE, record_steps

    per_decade = section.get("record_per_decade", RECORD_PER_DECADE)
    return len(record_steps(int(section["max_steps"]), (), per_decade)) + 2


def job_bytes(footprint: Footprint, seeds: int, rows: int) -> int:
    """The memory model: a job of ``seeds`` runs of ``rows`` recorded rows each."""
    d = footprint.dimension
    per_seed = footprint.per_seed + CHUNK_STEPS * CHUNK_ARRAYS * d + rows * (ROW_FLOATS + 2 * d)
    return JOB_BASE_BYTES + 8 * (footprint.once + seeds * per_seed)


def seeds_within(budget_bytes: int, footprint: Footprint, rows: int) -> int:
    """The most seeds a job can hold within ``budget_bytes`` (0: not even one)."""
    one = job_bytes(footprint, 1, rows) - job_bytes(footprint, 0, rows)
    room = budget_bytes - job_bytes(footprint, 0, rows)
    return max(0, room // one)


def megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MB" if n_bytes < 10 * 2**30 else f"{n_bytes / 2**30:,.0f} GB"
