"""What `snakemake stale` lists and `snakemake prune` deletes (gdlab.stale), in process:
a subset never makes the study's other files stale, and nothing is deleted while
another run in the directory writes run files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from gdlab import grid, stale
from gdlab.errors import ResultFileError

REPO = Path(__file__).resolve().parents[2]


def study(tmp_path: Path, **extra) -> tuple[dict, list[Path]]:
    """config/test.yaml (with ``extra``) and every run file it makes, as empty files."""
    cfg = {**yaml.safe_load((REPO / "config/test.yaml").read_text()), **extra}
    made = [tmp_path / j.path for p in cfg["problems"] for j in grid.jobs(cfg, p)]
    for path in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return cfg, made


def test_a_subset_never_makes_the_other_problems_files_stale(tmp_path):
    cfg, made = study(tmp_path)
    leftover = tmp_path / "results/runs/quadratic/alpha_9.0/seeds_0-1.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.touch()
    subset = {**cfg, "only": "quadratic"}
    assert stale.stale(subset, tmp_path) == [leftover.relative_to(tmp_path).as_posix()]
    stale.report(subset, delete=True, root=tmp_path, stream=io.StringIO())
    assert all(p.exists() for p in made) and not leftover.exists()


@pytest.mark.parametrize("spelled", ["absolute", "relative"])
def test_prune_deletes_nothing_while_another_run_writes_run_files(tmp_path, spelled):
    cfg, made = study(tmp_path)
    leftover = tmp_path / "results/runs/quadratic/alpha_9.0/seeds_0-1.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.touch()
    locks = tmp_path / ".snakemake/locks"
    locks.mkdir(parents=True)
    (locks / "0.output.lock").write_text("results/tables/quadratic.csv\n")  # not run files
    assert stale.writers(tmp_path) == []
    target = made[0] if spelled == "absolute" else made[0].relative_to(tmp_path)
    (locks / "3.output.lock").write_text(f"results/logs/x.log\n{target}\n")
    assert stale.writers(tmp_path) == [".snakemake/locks/3.output.lock"]
    with pytest.raises(ResultFileError, match="another snakemake run in this directory"):
        stale.report(cfg, delete=True, root=tmp_path, stream=io.StringIO())
    assert leftover.exists(), "nothing deleted"
    listed = stale.report(cfg, delete=False, root=tmp_path, stream=io.StringIO())
    assert listed == [leftover.relative_to(tmp_path).as_posix()]  # listing is harmless
