"""Results as a dataset: duckdb, polars, pandas and pyarrow, with their default
options, read the test study's files and get every table's counts."""

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, snakemake
from gdlab import columns, grid, plan, problems

OUTCOMES = ("converged", "diverged", "cycle", "max_steps")


def config_of(study: Path) -> dict:
    return yaml.safe_load((study / "config/test.yaml").read_text())


def table_counts(study: Path, problem: str) -> dict[tuple[str, str], int]:
    """(grid point, outcome) -> runs, as the convergence table states them."""
    table = pd.read_csv(study / f"results/tables/{problem}.csv")
    counted = [o for o in OUTCOMES if o in table]  # a table counts the outcomes runs can have
    if not counted:  # a check, not a descent: every run is "checked"
        return {
            (s, "checked"): int(n) for s, n in zip(table["setting"], table["runs"], strict=True)
        }
    return {
        (s, o): int(n)
        for o in counted
        for s, n in zip(table["setting"], table[o], strict=True)
        if n > 0
    }


def counted(rows) -> dict[tuple[str, str], int]:
    return {(s, o): int(n) for s, o, n in rows}


def duck(sql: str, study: Path) -> list:
    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{study}'")
    return con.sql(sql).fetchall()


SQL_LAST = "SELECT setting, outcome, count(*) FROM {src} WHERE step = steps {where} GROUP BY ALL"


def test_every_reader_decodes_every_value_pyarrow_reads(test_study):
    """duckdb and polars read each float, integer and string of results/runs.parquet,
    of every summary and of every run file as pyarrow reads it, NULLs included, whatever
    each column's encoding (gdlab.encoding: dictionary, byte-stream-split or plain)."""
    files = [test_study / "results/runs.parquet"]
    files += sorted((test_study / "results/summaries").rglob("*.parquet"))
    files += sorted((test_study / "results/runs").rglob("*.parquet"))
    assert len(files) > 2 * len(problems.names()), files
    encodings = set()
    con = duckdb.connect()
    for path in files:
        want = pq.read_table(path)
        meta = pq.ParquetFile(path).metadata
        encodings |= {
            e
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
            for e in meta.row_group(g).column(c).encodings
        }
        read = {
            "duckdb": con.sql(f"FROM read_parquet('{path}')").fetchall(),
            "polars": pl.read_parquet(path).rows(),
        }
        rows = list(zip(*(want[name].to_pylist() for name in want.column_names), strict=True))
        assert rows, path
        for reader, got in read.items():
            assert got == rows, f"{path}: {reader} reads other values than pyarrow"
    assert {"BYTE_STREAM_SPLIT", "RLE_DICTIONARY"} <= encodings, encodings


@pytest.mark.parametrize("problem", problems.names())
def test_every_reader_reproduces_the_table(test_study, problem):
    want = table_counts(test_study, problem)
    assert want, f"{problem}: its table has no runs"
    glob = f"{test_study}/results/runs/{problem}/**/*.parquet"
    everything = f"{test_study}/results/runs/**/*.parquet"
    where = f"AND problem = '{problem}'"
    got = {
        "duckdb, one problem": counted(
            duck(SQL_LAST.format(src=f"read_parquet('{glob}')", where=""), test_study)
        ),
        "duckdb, every problem": counted(
            duck(SQL_LAST.format(src=f"read_parquet('{everything}')", where=where), test_study)
        ),
        "duckdb, runs.parquet": counted(
            duck(
                f"SELECT setting, outcome, count(*) FROM '{test_study}/results/runs.parquet' "
                f"WHERE problem = '{problem}' GROUP BY ALL",
                test_study,
            )
        ),
    }
    for name, frame in {
        "polars, one problem": pl.scan_parquet(glob).collect(),
        "polars, every problem": pl.scan_parquet(everything).collect(),
        "polars, the folder": pl.read_parquet(f"{test_study}/results/runs/"),
    }.items():
        last = frame.filter((pl.col("step") == pl.col("steps")) & (pl.col("problem") == problem))
        got[name] = counted(last.group_by("setting", "outcome").len().rows())
    runs = pl.read_parquet(test_study / "results/runs.parquet").filter(pl.col("problem") == problem)
    got["polars, runs.parquet"] = counted(runs.group_by("setting", "outcome").len().rows())
    for name, frame in {
        "pandas, the folder": pd.read_parquet(test_study / "results/runs"),
        "pyarrow.dataset, the folder": ds.dataset(test_study / "results/runs")
        .to_table()
        .to_pandas(),
        "pyarrow.dataset, hive": ds.dataset(test_study / "results/runs", partitioning="hive")
        .to_table()
        .to_pandas(),
    }.items():
        last = frame[(frame["step"] == frame["steps"]) & (frame["problem"] == problem)]
        sizes = last.groupby(["setting", "outcome"]).size()
        got[name] = {k: int(v) for k, v in sizes.items()}
    for name, counts in got.items():
        assert counts == want, f"{problem}, {name}: {counts} != the table's {want}"


def test_grid_values_are_numbers_with_their_column_types(test_study):
    """max(alpha) is a number (no hive key replaced it), c and N, p are the grid's."""
    cfg = config_of(test_study)
    files = f"{test_study}/results/runs/**/*.parquet"
    for problem in problems.names():
        values = grid.grid_values(problem, cfg["problems"][problem])
        col = columns.grid_columns(problem)
        if not col:  # named setups: the setting is the grid value
            (got,) = duck(
                f"SELECT list(DISTINCT setting) FROM read_parquet('{files}') "
                f"WHERE problem = '{problem}'",
                test_study,
            )[0]
            assert sorted(got) == sorted(grid.setting(problem, v) for v in values), problem
            continue
        rows = duck(
            f"SELECT DISTINCT setting, {', '.join(col)} FROM read_parquet('{files}') "
            f"WHERE problem = '{problem}'",
            test_study,
        )
        got = {r[0]: tuple(r[1:]) for r in rows}
        want = {
            grid.setting(problem, v): tuple(v) if isinstance(v, (list, tuple)) else (float(v),)
            for v in values
        }
        assert got == want, problem
    (top,) = duck(
        f"SELECT max(alpha) FROM read_parquet('{test_study}/results/runs/sharp_wide/**/*.parquet')",
        test_study,
    )[0]
    sw = cfg["problems"]["sharp_wide"]
    assert isinstance(top, float)
    assert top == max(grid.grid_values("sharp_wide", sw))
    for path in (test_study / "results/runs").rglob("*"):
        assert "=" not in path.name, f"{path}: a key=value name is read as a hive partition"


def test_null_not_nan_where_a_value_does_not_apply(test_study):
    types = columns.dataset_types()
    floats = [c for c, t in types.items() if t == "float64"]
    files = f"read_parquet('{test_study}/results/runs/**/*.parquet')"
    nan = ", ".join(f"count(*) FILTER (isnan({c}))" for c in floats)
    assert all(n == 0 for n in duck(f"SELECT {nan} FROM {files}", test_study)[0])
    # another problem's columns are NULL: SQL's count() skips them
    for problem in problems.names():
        own = columns.columns(problem)
        others = [c for c in types if c not in own]
        counts = ", ".join(f"count({c})" for c in others)
        (row,) = duck(f"SELECT {counts} FROM {files} WHERE problem = '{problem}'", test_study)
        assert row == (0,) * len(others), problem
        (n,) = duck(f"SELECT count(loss) FROM {files} WHERE problem = '{problem}'", test_study)[0]
        assert n > 0, problem
    # period: the orbit's period for a cycle, NULL otherwise
    rows = duck(f"SELECT outcome, count(period) > 0 FROM {files} GROUP BY ALL", test_study)
    assert dict(rows)["cycle"] is True
    assert not any(has for o, has in rows if o != "cycle")


def test_runs_parquet_has_one_described_row_per_run(test_study):
    cfg = config_of(test_study)
    path = test_study / "results/runs.parquet"
    table = pq.read_table(path)
    n = sum(
        grid.runs_at(p, cfg["problems"][p], v)
        for p in plan.configured(cfg)
        for v in grid.grid_values(p, cfg["problems"][p])
    )
    assert table.num_rows == n
    keys = table.select(["problem", "setting", "seed"]).to_pylist()
    assert len({tuple(k.values()) for k in keys}) == n
    assert table.schema.names == list(columns.summary_columns())
    doc = json.loads(table.schema.metadata[b"gdlab"])["columns"]
    assert set(doc) == set(table.schema.names)
    for field in table.schema:
        assert field.metadata[b"description"].decode() == doc[field.name] != ""
    # duckdb shows the same description to a reader who never imports gdlab
    kv = duck(f"SELECT value FROM parquet_kv_metadata('{path}') WHERE key = 'gdlab'", test_study)
    assert json.loads(kv[0][0])["columns"] == doc
    # its final values are the files' last rows
    last = pl.scan_parquet(f"{test_study}/results/runs/**/*.parquet").filter(
        pl.col("step") == pl.col("steps")
    )
    joined = (
        pl.read_parquet(path)
        .join(last.collect(), on=["problem", "setting", "seed"])
        .filter(pl.col("loss_final").is_not_null())
    )
    assert joined.height > 0
    assert (joined["loss_final"] == joined["loss"]).all()


def _readme_example() -> str:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    example = [b for b in blocks if "results/runs.parquet" in b]
    assert example, "README: no python example reads results/runs.parquet"
    return example[0]


def test_readme_example_runs_as_printed(test_study, monkeypatch, capsys):
    code = _readme_example()
    assert len(code.strip().splitlines()) <= 3
    monkeypatch.chdir(test_study)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "sharp_wide" in out and "converged" in out


def test_stale_lists_and_prune_deletes_what_the_config_no_longer_makes(study):
    cfg_path = study / "config/test.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    dropped = cfg["problems"]["quadratic"]["alphas"].pop()
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    point = grid.setting("quadratic", dropped)
    gone = sorted(
        p.relative_to(study).as_posix()
        for p in (study / "results/runs/quadratic" / point).glob("*.parquet")
    )
    assert gone and all((study / p).exists() for p in gone)
    listed = snakemake(study, "--configfile", "config/test.yaml", "--cores", "1", "stale").stdout
    assert sorted(re.findall(r"^stale: (\S+)$", listed, flags=re.M)) == gone
    assert all((study / p).exists() for p in gone), "stale deletes nothing"
    # pruned under a subset: only what the study no longer makes goes, never the files of
    # the problems the subset leaves out
    pruned = snakemake(
        study,
        "--configfile",
        "config/test.yaml",
        "--config",
        "only=quadratic",
        "--cores",
        "1",
        "prune",
    ).stdout
    assert sorted(re.findall(r"^deleted: (\S+)$", pruned, flags=re.M)) == gone
    assert not any((study / p).exists() for p in gone)
    assert not (study / Path(gone[0]).parent).exists(), "its empty folder is removed too"
    # what is left is exactly the study's files, of every problem
    left = {p.relative_to(study).as_posix() for p in (study / "results/runs").rglob("*.parquet")}
    assert left == {j.path for p in plan.configured(cfg) for j in grid.jobs(cfg, p)}
    assert {Path(p).parts[2] for p in left} == set(plan.configured(cfg))


def test_a_file_of_the_old_layout_stops_the_dataset_in_one_line(study):
    old = study / "results/runs/quadratic/alpha=0.5/seeds=0-0.parquet"
    old.parent.mkdir(parents=True)
    shutil.copyfile(next((study / "results/runs/quadratic").rglob("*.parquet")), old)
    proc = snakemake(
        study, "--configfile", "config/test.yaml", "--cores", "1", "-R", "runs_dataset", check=False
    )
    assert proc.returncode != 0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("ERROR in rule dataset")]
    assert len(lines) == 1, proc.stdout[-3000:]
    assert "alpha=0.5" in lines[0] and "older gdlab layout" in lines[0] and "prune" in lines[0]
    assert not (study / "results/runs.parquet").exists(), "no runs.parquet beside an old file"
