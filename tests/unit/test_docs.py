"""The docs stand alone: the README is a short manual, and every file a document names
exists in the repository (links and `paths`), and none names a file outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from gdlab import problems

DOCS = [REPO / "README.md", REPO / "CHANGELOG.md", REPO / "config/README.md"]
DOCS += [*sorted((REPO / "docs").glob("*.md")), REPO / "tests/slurm/README.md"]
TOP = ("src/", "tests/", "docs/", "config/", "workflow/", "profiles/", "benchmarks/", ".ci/")
# a repository path in backticks or a Markdown link: no placeholders (<name>, *, {…}, …)
PATH = re.compile(r"`([^`\s]+)`|\]\(([^)\s#]+)")


def named_paths(doc: Path) -> list[tuple[str, Path]]:
    out = []
    for m in PATH.finditer(doc.read_text()):
        token = (m[1] or m[2]).rstrip(".,:;")
        if m[2] and token.startswith(("http://", "https://", "mailto:")):
            continue
        if any(c in token for c in "<>*{}…$=") or "..." in token:
            continue
        base = doc.parent if m[2] else REPO
        if m[1] and not (
            token.startswith(TOP)
            or token in ("Snakefile", "environment.yml", "pyproject.toml", "LICENSE")
        ):
            continue
        if (
            m[1]
            and token.startswith(TOP)
            and ("/" not in token.rstrip("/") and not token.endswith("/"))
        ):
            continue
        out.append((token, (base / token).resolve()))
    return out


def test_the_readme_is_a_manual_of_at_most_150_lines():
    text = (REPO / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    for heading in ("## Quickstart", "## The problems", "## Layout"):
        assert heading in text
    # its table of problems lists every registered one (from the registry, not a count)
    table = text.split("## The problems", 1)[1].split("\n## ", 1)[0]
    listed = {
        row.split("|")[1].strip().strip("`") for row in table.splitlines() if row[:3] == "| `"
    }
    assert listed == set(problems.names()), listed


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_a_document_names_exists(doc):
    named = named_paths(doc)
    outputs = ("results/", "benchmarks/out/")  # made by a run, not in the repository
    missing = [t for t, p in named if not p.exists() and not t.startswith(outputs)]
    assert missing == []
    outside = [t for t, p in named if REPO.resolve() not in p.parents and p != REPO.resolve()]
    assert outside == []
    text = doc.read_text()
    for foreign in ("SPEC.md", "CONVENTIONS.md", "STYLE.md", "../shared"):
        assert foreign not in text, f"{doc.name} names {foreign}, which is not in the repository"


def test_the_path_scan_finds_paths():
    """The check above could pass on nothing: it must find the README's own links."""
    found = {t for t, _p in named_paths(REPO / "README.md")}
    assert {"docs/reruns.md", "config/README.md"} <= found


def test_results_md_lists_every_column_in_the_files_order():
    """docs/results.md's column table is the order of every run file's columns, and the
    summaries' order is it with ``step`` dropped and each trace column as _start, _final
    in its place, then the rate window's columns of its second table."""
    from gdlab import columns

    text = (REPO / "docs/results.md").read_text()
    table = text[text.index("| column | type | what it is |") :].split("\n\n")[0]
    documented = [
        name
        for line in table.splitlines()[2:]
        for name in re.findall(r"`([A-Za-z_]+)`", line.split("|")[1])
    ]
    assert documented == list(columns.dataset_types())
    trace = set(columns.dataset_trace()) - {"step"}
    expected = []
    for name in documented:
        if name in trace:
            expected += [f"{name}_start", f"{name}_final"]
        elif name != "step":
            expected.append(name)
    window = text[text.index("In the summaries and `results/runs.parquet` only") :]
    window = window[window.index("| column |") :].split("\n\n")[0]
    listed = [n for line in window.splitlines()[2:] for n in re.findall(r"`([A-Za-z_0-9]+)`", line)]
    assert listed[: len(columns.WINDOW)] == list(columns.WINDOW)
    assert list(columns.summary_columns()) == expected + list(columns.WINDOW)
