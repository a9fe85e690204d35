"""Damaged run files of a tiny study (quadratic only: 2 step sizes x 2 seeds, one seed
per solver job), each kind with the words its refusal must contain.

``tests/unit/test_bad_files.py`` checks every kind in process, through the jobs that
read run files; ``tests/workflow/test_bad_files.py`` runs the real Snakemake on two.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from gdlab import schema, solve

REPO = Path(__file__).resolve().parents[2]

QUADRATIC = {
    "alphas": [0.5, 2.5],
    "seeds": 2,
    "seeds_per_job": 1,
    "max_steps": 3000,
    "tolerance": 1.0e-8,
    "divergence_factor": 1.0e6,
}
RUN = "results/runs/quadratic/alpha_0.5/seeds_0-0.parquet"
OTHER_RUNS = [
    "results/runs/quadratic/alpha_0.5/seeds_1-1.parquet",
    "results/runs/quadratic/alpha_2.5/seeds_0-0.parquet",
    "results/runs/quadratic/alpha_2.5/seeds_1-1.parquet",
]
TABLE = "results/tables/quadratic.csv"


def tiny_config(**quadratic) -> dict:
    """config/test.yaml with quadratic only (:data:`QUADRATIC`, changed by ``quadratic``)."""
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    cfg["problems"] = {"quadratic": {**QUADRATIC, **quadratic}}
    return cfg


def write_config(workdir: Path, **quadratic) -> None:
    (workdir / "config/config.yaml").write_text(
        yaml.safe_dump(tiny_config(**quadratic), sort_keys=False)
    )


def settings(**overrides) -> dict:
    s = {k: v for k, v in QUADRATIC.items() if k not in ("alphas", "seeds", "seeds_per_job")}
    return {**s, "root_seed": 20240309, **overrides}


def quadratic_file(setting="alpha_0.5", first=0, last=0, **overrides) -> pa.Table:
    return solve.solve("quadratic", setting, first, last, settings(**overrides))


def with_metadata(table: pa.Table, **changes) -> pa.Table:
    doc = json.loads(table.schema.metadata[schema.METADATA_KEY])
    doc.update(changes)
    return table.replace_schema_metadata({schema.METADATA_KEY: json.dumps(doc).encode()})


def corrupt(kind: str, path: Path, study: Path) -> None:
    """Damage the run file ``path`` of ``study`` in the way :data:`KINDS` names."""
    good = path.read_bytes()
    if kind == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "garbage":
        path.write_bytes(b"this is not a Parquet file\n" * 20)
    elif kind == "foreign_parquet":
        pq.write_table(pa.table({"x": [1.0, 2.0]}), path)
    elif kind == "older_schema_version":
        pq.write_table(with_metadata(quadratic_file(), schema_version=0), path)
    elif kind == "metadata_not_json":
        t = quadratic_file()
        pq.write_table(t.replace_schema_metadata({schema.METADATA_KEY: b"{not json"}), path)
    elif kind == "other_problem":
        lsq = solve.solve(
            "lsq_gd",
            "c_0.5",
            0,
            0,
            {
                "shape": [30, 6],
                "max_steps": 100,
                "tolerance": 1e-10,
                "divergence_factor": 1e12,
                "root_seed": 1,
            },
        )
        pq.write_table(lsq, path)
    elif kind == "moved_from_another_grid_point":
        shutil.copyfile(study / "results/runs/quadratic/alpha_2.5/seeds_0-0.parquet", path)
    elif kind == "older_settings":
        schema.write(quadratic_file(max_steps=100), path)
    elif kind == "relabelled_from_another_grid_point":  # its metadata consistent, re-sealed
        t = quadratic_file("alpha_2.5")
        i = t.schema.get_field_index("setting")
        t = t.set_column(i, t.schema.field(i), pa.array(["alpha_0.5"] * t.num_rows, pa.string()))
        doc = json.loads(t.schema.metadata[schema.METADATA_KEY])
        schema.write(
            t.replace_schema_metadata(schema.kv_metadata({**doc, "setting": "alpha_0.5"})), path
        )
    elif kind == "bit_flipped_in_a_value":  # read unchecked, other losses: refused here
        meta = pq.ParquetFile(path).metadata
        chunk = meta.row_group(0).column(meta.schema.names.index("loss"))
        start = chunk.dictionary_page_offset or chunk.data_page_offset
        loss = pq.read_table(path)["loss"]
        for i in range(start + chunk.total_compressed_size - 1, start, -1):
            damaged = bytearray(good)
            damaged[i] ^= 0x10
            path.write_bytes(bytes(damaged))
            try:
                if not pq.read_table(path)["loss"].equals(loss):
                    break
            except Exception:  # pyarrow noticed this one itself
                continue
        else:
            pytest.fail("no flipped bit of the loss column's pages changes a value")
    else:  # pragma: no cover
        raise ValueError(kind)


KINDS = {
    "truncated": "not a readable Parquet file",
    "empty": "not a readable Parquet file",
    "garbage": "not a readable Parquet file",
    "foreign_parquet": "not a gdlab results file",
    "older_schema_version": "written with results schema version 0, this gdlab reads version "
    f"{schema.SCHEMA_VERSION}",
    "metadata_not_json": "metadata is not JSON",
    "other_problem": "holds problem 'lsq_gd', expected 'quadratic'",
    "moved_from_another_grid_point": "holds setting 'alpha_2.5', expected 'alpha_0.5'",
    "older_settings": "computed with other settings than the current configuration "
    "(max_steps = 100 instead of 3000)",
    "relabelled_from_another_grid_point": "its alpha column holds [2.5], its grid point "
    "alpha_0.5 says 0.5",
    "bit_flipped_in_a_value": "not a readable Parquet file",
}


def recovery(kind: str) -> str:
    """What the refusal of a file of this kind tells the user to do."""
    if kind == "older_settings":
        return "delete results/runs/quadratic/ and rerun snakemake"
    return f"delete {RUN} and rerun snakemake"
