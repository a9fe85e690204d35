"""Per-run summaries and the dataset's one schema (gdlab.columns, gdlab.runs)."""

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gdlab import columns, encoding, plan, problems, runs, schema, solve

SETTINGS = {"max_steps": 300, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 1}


def test_one_schema_holds_every_problems_columns_once():
    types = columns.dataset_types()
    assert list(types)[: len(schema.CORE)] == list(schema.CORE)
    for p in problems.names():
        for col, (typ, _doc) in columns.columns(p).items():
            assert types[col] == typ, (p, col)
        for col in columns.grid_columns(p):
            assert col in types, (p, col)
    assert len(types) == len(set(types))


def test_a_column_two_problems_declare_with_other_types_is_refused(monkeypatch):
    real = problems.spec

    def spec(name):
        s = real(name)
        if name == "lsq_gd":
            return type(s)(**{**s.__dict__, "columns": {**s.columns, "x": ("int64", "clash")}})
        return s

    monkeypatch.setattr(problems, "spec", spec)
    with pytest.raises(ValueError, match="column 'x' is int64"):
        columns.dataset_columns()


def test_summary_is_the_first_and_last_row_of_every_run(tmp_path):
    types = columns.dataset_types()
    table = solve.solve(
        "sharp_wide", "alpha_0.3", 0, 5, {**SETTINGS, "start_interval": [-5.0, 20.0]}, types
    )
    spec = plan.summary_spec()
    summary = runs.summarise(table, spec)
    assert summary.schema.names == list(columns.summary_columns())
    assert summary["seed"].to_pylist() == list(range(6))
    df = table.to_pandas()
    for row in summary.to_pylist():
        run = df[df["seed"] == row["seed"]]
        assert row["x_start"] == run[run["step"] == 0]["x"].item()
        last = run[run["step"] == run["steps"]]
        assert row["x_final"] == last["x"].item() and row["loss_final"] == last["loss"].item()
        assert row["outcome"] == last["outcome"].item()
        assert row["err_dense"] is None  # another problem's column: NULL
    path = tmp_path / "s.parquet"
    assert runs.write([summary, summary.slice(0, 2)], spec, {"problems": ["sharp_wide"]}, path) == 8
    back = runs.read_summary(path, "sharp_wide")
    doc = json.loads(back.schema.metadata[b"gdlab"])
    assert (
        set(doc["columns"]) == set(back.schema.names)
        and doc["schema_version"] == schema.SCHEMA_VERSION == 5
    )
    assert (
        back.schema.field("x_start").metadata[b"description"].decode() == doc["columns"]["x_start"]
    )
    own = runs.read_summary(path, "sharp_wide", own=True)
    assert "err_dense" not in own.schema.names and "x_start" in own.schema.names
    # a figure's columns only (Figure.columns), with the two every read checks, in order
    some = runs.read_summary(path, "sharp_wide", own=True, only=("x_final", "alpha"))
    assert some.schema.names == ["setting", "alpha", "seed", "x_final"]
    assert some.to_pydict() == own.select(some.schema.names).to_pydict()


def test_a_column_a_problem_has_not_is_refused_by_name():
    assert runs.selected("sharp_wide", ("x_final",)) == ["setting", "seed", "x_final"]
    assert runs.selected("sharp_wide") == list(columns.summary_columns(("sharp_wide",)))
    with pytest.raises(ValueError, match="sharp_wide: no summary column err_dense, nope"):
        runs.selected("sharp_wide", ("nope", "x_final", "err_dense"))


def test_null_where_a_value_does_not_apply():
    types = columns.dataset_types()
    table = solve.solve("quadratic", "alpha_2.0", 0, 1, SETTINGS, types)
    assert table["outcome"].unique().to_pylist() == ["cycle"]
    assert table["period"].null_count == 0 and set(table["period"].to_pylist()) == {2}
    table = solve.solve("quadratic", "alpha_0.5", 0, 1, SETTINGS, types)
    assert table["period"].null_count == table.num_rows  # no orbit: NULL, not 0
    for col, typ in types.items():  # a float column holds no NaN: NULL instead
        if typ == "float64":
            assert not pc.any(pc.is_nan(table[col])).as_py(), col
    assert table["minimum"].null_count == table.num_rows


def test_summary_of_a_file_that_lost_its_first_rows_is_refused():
    types = columns.dataset_types()
    table = solve.solve("quadratic", "alpha_0.5", 0, 2, SETTINGS, types)
    cut = table.filter(np.asarray(table["step"]) != 0)
    with pytest.raises(schema.ResultFileError, match="first row"):
        runs.summarise(cut, plan.summary_spec())


def test_old_layout_is_found(tmp_path):
    root = tmp_path / "runs"
    (root / "quadratic/alpha_0.5").mkdir(parents=True)
    assert runs.old_layout(root) is None
    (root / "quadratic/alpha=0.5").mkdir()
    assert runs.old_layout(root).endswith("alpha=0.5")


def _summary(path, problem: str, setting: str, settings: dict) -> None:
    table = solve.solve(problem, setting, 0, 2, settings)
    meta = {"problems": [problem], "settings": {problem: settings}}
    runs.write([runs.summarise(table, plan.summary_spec())], plan.summary_spec(), meta, path)


@pytest.mark.parametrize(
    ("made_as", "words"),
    [
        (("lsq_gd", "c_0.5", {**SETTINGS, "shape": [30, 6]}), "holds ['lsq_gd'], not quadratic"),
        (("quadratic", "alpha_0.5", {**SETTINGS, "max_steps": 100}), "max_steps = 100 instead"),
    ],
    ids=["another_problem", "other_settings"],
)
def test_a_summary_is_the_one_its_name_asks_for(tmp_path, capsys, made_as, words):
    """A solver job's summary of quadratic that is valid but holds another problem's
    runs, or runs computed with other solver settings, stops results/runs.parquet in
    one line (and every table and figure that reads it), never read as quadratic's runs."""
    from argparse import Namespace

    from gdlab import grid, script
    from gdlab.jobs import dataset

    path = tmp_path / grid.summary_path("quadratic", "alpha_0.5", "0-2")
    path.parent.mkdir(parents=True)
    _summary(path, *made_as)
    args = Namespace(
        spec=plan.summary_spec(),
        settings={"quadratic": SETTINGS},
        out=str(tmp_path / "runs.parquet"),
        summaries=[str(path)],
    )
    with pytest.raises(SystemExit) as exc:
        script.run("runs_dataset", args, dataset.main)
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 1 and len(err) == 1 and words in err[0], err
    assert not (tmp_path / "runs.parquet").exists()
    with pytest.raises(schema.ResultFileError, match=words.replace("[", r"\[")):
        runs.read_summary(path, "quadratic", own=True, settings=SETTINGS)
    _summary(path, "quadratic", "alpha_0.5", SETTINGS)  # the right one is read
    assert runs.read_summary(path, "quadratic", own=True, settings=SETTINGS).num_rows == 3


@pytest.mark.parametrize(
    ("written_as", "words"),
    [(("alpha_0.5", 0, 2), "not those its path names"), (("alpha_2.5", 0, 2), "not those")],
    ids=["another_block", "another_grid_point"],
)
def test_a_job_summary_copied_to_another_job_s_path_is_refused(tmp_path, capsys, written_as, words):
    """A solver job's summary under another job's name (a block or grid point it does
    not hold) stops the table and results/runs.parquet in one line naming the file."""
    from argparse import Namespace

    from gdlab import grid, script
    from gdlab.jobs import dataset

    setting, first, last = written_as
    _table, summary = solve.solve_block("quadratic", setting, first, last, SETTINGS)
    meta = {"problems": ["quadratic"], "settings": {"quadratic": SETTINGS}}
    meta |= {"setting": setting, "seeds": [first, last]}
    path = tmp_path / grid.summary_path("quadratic", "alpha_0.5", "3-5")
    path.parent.mkdir(parents=True)
    runs.write([summary], plan.summary_spec(), meta, path)
    with pytest.raises(schema.ResultFileError, match=words):
        list(runs.read_summaries([str(path)], "quadratic", SETTINGS))
    args = Namespace(
        settings={"quadratic": SETTINGS},
        spec=plan.summary_spec(),
        out=str(tmp_path / "runs.parquet"),
        summaries=[str(path)],
    )
    with pytest.raises(SystemExit) as exc:
        script.run("runs_dataset", args, dataset.main)
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 1 and len(err) == 1 and str(path) in err[0], err
    assert not (tmp_path / "runs.parquet").exists()
    # the summary its name asks for is read
    _table, summary = solve.solve_block("quadratic", "alpha_0.5", 3, 5, SETTINGS)
    runs.write(
        [summary], plan.summary_spec(), {**meta, "setting": "alpha_0.5", "seeds": [3, 5]}, path
    )
    ((_p, back),) = runs.read_summaries([str(path)], "quadratic", SETTINGS)
    assert back["seed"].to_pylist() == [3, 4, 5]


@pytest.mark.parametrize("typ", [pa.float64(), pa.int64(), pa.string()])
def test_take_from_buffers_is_arrow_s_take(typ):
    """schema.take (NumPy over the buffers, no pyarrow.compute in a solver job) gives the
    values and NULLs Arrow's own take gives: on chunked columns, slices with an offset,
    repeated, reordered and empty indices."""
    rng = np.random.default_rng(7)
    n = 300
    values = {
        pa.float64(): rng.normal(size=n).tolist(),
        pa.int64(): rng.integers(-(2**62), 2**62, size=n).tolist(),
        pa.string(): [["converged", "", "é ∞", "max_steps"][i] for i in rng.integers(0, 4, n)],
    }[typ]
    values = [None if i % 7 == 3 else v for i, v in enumerate(values)]
    whole = pa.array(values, type=typ)
    chunked = pa.chunked_array([whole[:100], whole[100:250], whole[250:]])
    sliced = whole.slice(37, 200)
    for column in (whole, chunked, sliced):
        for index in (
            np.arange(len(column)),
            rng.integers(0, len(column), size=500),
            np.arange(len(column))[::-1],
            np.zeros(0, dtype=np.int64),
        ):
            got = schema.take(column, index)
            want = pc.take(column, pa.array(index))
            if isinstance(want, pa.ChunkedArray):
                want = want.combine_chunks()
            assert got.type == typ and got.equals(want)
            assert got.null_count == want.null_count
    assert schema.take(whole, [3, 10]).null_count == 2


def test_take_of_strings_that_hold_no_byte():
    """Empty strings and NULLs only (Arrow may leave the data buffer out)."""
    for values in (["", None, ""], [None, None], []):
        column = pa.array(values, type=pa.string())
        index = np.arange(len(values))[::-1]
        got = schema.take(column, index)
        got.validate(full=True)
        assert got.to_pylist() == values[::-1]


def test_take_refuses_a_type_it_does_not_read():
    with pytest.raises(TypeError, match="not float64, int64 or string"):
        schema.take(pa.array([True, False]), [0])


def test_read_parquet_is_pyarrow_s_read_table(tmp_path):
    """schema.read_parquet (one file, not a dataset) reads the table pq.read_table reads,
    metadata and column selection included."""
    import pyarrow.parquet as pq

    table = solve.solve("quadratic", "alpha_0.5", 0, 3, SETTINGS, columns.dataset_types())
    path = tmp_path / "seeds_0-3.parquet"
    schema.write(table, path)
    for names in (None, ["seed", "outcome", "x"]):
        want = pq.read_table(path, columns=names)
        assert schema.read_parquet(path, names).equals(want, check_metadata=True)
    assert schema.read_parquet(path).num_rows == table.num_rows > 0


def _encodings(path) -> dict[str, set[str]]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return {
        meta.schema.column(i).name: {
            e for g in range(meta.num_row_groups) for e in meta.row_group(g).column(i).encodings
        }
        for i in range(meta.num_columns)
    }


def test_each_column_is_encoded_by_how_many_distinct_values_it_holds(tmp_path, monkeypatch):
    """encoding.write_options: few distinct values (under one in FEW_DISTINCT rows) and
    strings dictionary-encoded, many distinct floats byte-stream-split, many distinct
    integers plain; the values read back are those written, NULLs included; a file
    written in parts (results/runs.parquet) takes its first row group's choice."""
    import pyarrow.parquet as pq

    n = 64 * encoding.FEW_DISTINCT
    rng = np.random.default_rng(0)
    starts = rng.uniform(-5, 20, n)
    starts[3] = -0.0
    table = pa.table(
        {
            "x_start": pa.array(starts, mask=np.arange(n) == 5),  # many, with −0 and NULL
            "rate_theory": pa.array(np.resize([0.9, 0.1], n)),  # few
            "steps": pa.array(rng.integers(0, 10, n)),  # few
            "seed": pa.array(np.arange(n)),  # many
            "outcome": pa.array(np.resize(["converged", None], n).tolist()),
            # exactly one in FEW_DISTINCT rows distinct: not few
            "k0": pa.array(np.arange(n) // encoding.FEW_DISTINCT, pa.int64()),
        }
    )
    want = {
        "x_start": "BYTE_STREAM_SPLIT",
        "rate_theory": "RLE_DICTIONARY",
        "steps": "RLE_DICTIONARY",
        "seed": None,
        "outcome": "RLE_DICTIONARY",
        "k0": None,
    }
    path = tmp_path / "a.parquet"
    schema.write(table, path)
    for name, encodings in _encodings(path).items():
        special = encodings & {"BYTE_STREAM_SPLIT", "RLE_DICTIONARY"}
        assert special == ({want[name]} if want[name] else set()), (name, encodings)
    assert pq.read_table(path).equals(table)
    # in parts: the first row group (its own values) decides for the whole file
    spec = {"columns": [(f.name, schema.TYPE_NAMES[f.type], f.name) for f in table.schema]}
    parts = tmp_path / "parts.parquet"
    monkeypatch.setattr(runs, "ROW_GROUP", n)
    parts_written = [table.slice(0, n // 2), table.slice(n // 2), table.slice(0, 7)]
    assert runs.write(parts_written, spec, {}, parts) == n + 7
    assert pq.ParquetFile(parts).metadata.num_row_groups == 2
    assert _encodings(parts) == _encodings(path)
    back = pq.read_table(parts)
    assert back.equals(pa.concat_tables([table, table.slice(0, 7)]).cast(back.schema))


def test_a_summary_read_back_is_the_summary_written(tmp_path):
    """A run file and a summary of a real block read back as written, whatever each
    column's encoding."""
    import pyarrow.parquet as pq

    table, summary = solve.solve_block("quadratic", "alpha_2.5", 0, 40, SETTINGS)
    paths = {"run": tmp_path / "run.parquet", "summary": tmp_path / "summary.parquet"}
    schema.write(table, paths["run"])
    runs.write([summary], plan.summary_spec(), {"problems": ["quadratic"]}, paths["summary"])
    for kind, written in (("run", table), ("summary", summary)):
        back = pq.read_table(paths[kind])
        assert back.num_rows == written.num_rows > 40, kind
        assert back.select(written.column_names).equals(written), kind
        assert any("BYTE_STREAM_SPLIT" in e for e in _encodings(paths[kind]).values()), kind
