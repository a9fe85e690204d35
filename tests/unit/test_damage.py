"""A results file or a run summary with one bit flipped anywhere is refused with a
ResultFileError or reads as exactly what was written: never as other numbers,
never as a traceback (encoding.WRITE_OPTIONS page checksums, the metadata digest,
the summary's columns checked)."""

import json

import pyarrow.parquet as pq
import pytest

from gdlab import columns, plan, runs, schema, solve

SETTINGS = {"max_steps": 2000, "tolerance": 1e-8, "divergence_factor": 1e6, "root_seed": 1}


def flips(data: bytes, stride: int):
    """``data`` with bit (i mod 8) of byte i flipped, for every ``stride``-th byte."""
    for i in range(0, len(data), stride):
        damaged = bytearray(data)
        damaged[i] ^= 1 << (i % 8)
        yield i, bytes(damaged)


def sweep(path, data: bytes, stride: int, read, good) -> dict:
    outcomes = {"refused": 0, "same": 0}
    for i, damaged in flips(data, stride):
        path.write_bytes(damaged)
        try:
            back = read(path)
        except schema.ResultFileError as exc:
            assert "rerun" in str(exc) and "\n" not in str(exc), str(exc)
            outcomes["refused"] += 1
            continue
        doc = json.loads(back.schema.metadata[schema.METADATA_KEY])
        assert back.equals(good) and doc == json.loads(good.schema.metadata[schema.METADATA_KEY]), (
            f"byte {i}: read as other data"
        )
        outcomes["same"] += 1
    return outcomes


def test_a_flipped_bit_in_a_results_file_is_refused_or_harmless(tmp_path):
    table = solve.solve("quadratic", "alpha_0.5", 0, 3, SETTINGS, columns.dataset_types())
    path = tmp_path / "seeds_0-3.parquet"
    schema.write(table, path)
    data = path.read_bytes()
    good = schema.read(path)
    out = sweep(
        tmp_path / "damaged.parquet",
        data,
        5,
        lambda p: schema.read(p, problem="quadratic", setting="alpha_0.5", seeds=(0, 3)),
        good,
    )
    assert out["refused"] > len(data) // 5 // 2, out  # most flips are found, not ignored
    assert sum(out.values()) == len(range(0, len(data), 5))


def test_a_flipped_bit_in_a_run_summary_is_refused_or_harmless(tmp_path):
    types = columns.dataset_types()
    spec = plan.summary_spec()
    table = solve.solve(
        "sharp_wide", "alpha_0.3", 0, 7, {**SETTINGS, "start_interval": [-5.0, 20.0]}, types
    )
    path = tmp_path / "sharp_wide.parquet"
    runs.write([runs.summarise(table, spec)], spec, {"problems": ["sharp_wide"]}, path)
    data = path.read_bytes()
    for own in (False, True):
        good = runs.read_summary(path, "sharp_wide", own=own)
        out = sweep(
            tmp_path / "damaged.parquet",
            data,
            13,
            lambda p, own=own: runs.read_summary(p, "sharp_wide", own=own),
            good,
        )
        assert out["refused"] > len(data) // 13 // 2, out


@pytest.mark.parametrize("edit", ["document", "digest"])
def test_an_edited_metadata_document_is_refused(tmp_path, edit):
    table = solve.solve("quadratic", "alpha_0.5", 0, 0, SETTINGS)
    meta = dict(table.schema.metadata)
    if edit == "document":  # still valid JSON of this schema version, other settings
        doc = json.loads(meta[schema.METADATA_KEY])
        doc["settings"]["tolerance"] = 1e-9
        meta[schema.METADATA_KEY] = json.dumps(doc, sort_keys=True).encode()
    else:
        meta[schema.DIGEST_KEY] = b"0" * 64
    path = tmp_path / "seeds_0-0.parquet"
    pq.write_table(table.replace_schema_metadata(meta), path)
    with pytest.raises(
        schema.ResultFileError, match="does not match the SHA-256 digest stored beside it"
    ):
        schema.read(path)
