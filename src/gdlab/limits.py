"""Size limits of a configuration: of the whole document (values, nesting) and of
what one draw of a seed's data may hold, which a problem's own config rules use
(``SPEC.validate``).  Imports nothing of gdlab, so a problem folder imports it at
the top."""

from __future__ import annotations

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
