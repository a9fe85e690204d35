"""Seeding for a block of seeds at once is NumPy's own SeedSequence → PCG64 path,
bit for bit (gdlab.seeding.doubles, draw_block)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from gdlab import grid, problems, seeding

# seeds at the word boundaries SeedSequence splits an int at, and beyond
EDGES = [
    0,
    1,
    2**31,
    2**32 - 1,
    2**32,
    2**32 + 1,
    2**63 - 1,
    2**63,
    2**64 - 1,
    2**64,
    2**96 + 7,
]


def numpy_doubles(problem: str, seeds, root_seed: int, count: int) -> np.ndarray:
    """NumPy's own path: one Generator per seed, from its SeedSequence."""
    return np.array(
        [
            np.random.Generator(
                np.random.PCG64(
                    np.random.SeedSequence([root_seed, zlib.crc32(problem.encode()), s])
                )
            ).random(count)
            for s in seeds
        ]
    )


@pytest.mark.parametrize("root_seed", [0, 20240309, 2**32 - 1, 2**40 + 3])
def test_a_block_of_seeds_is_numpys_path_bit_for_bit(root_seed):
    seeds = [*range(3000), *EDGES]
    got = seeding.doubles("sharp_wide", seeds, root_seed, count=4)
    assert got.tolist() == numpy_doubles("sharp_wide", seeds, root_seed, 4).tolist()


def test_an_integer_array_of_seeds_and_a_list_give_the_same_numbers():
    edges = [s for s in EDGES if s < 2**64]
    as_array = seeding.doubles("quadratic", np.array(edges, dtype=np.uint64), 7)
    as_list = seeding.doubles("quadratic", edges, 7)
    assert as_array.tolist() == as_list.tolist() == numpy_doubles("quadratic", edges, 7, 1).tolist()


@settings(max_examples=200, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 2**80), min_size=1, max_size=20),
    root=st.integers(0, 2**64),
    name=st.sampled_from(problems.names()),
)
def test_any_seeds_root_and_problem(seeds, root, name):
    got = seeding.doubles(name, seeds, root, count=2)
    assert got.tolist() == numpy_doubles(name, seeds, root, 2).tolist()


def test_a_negative_seed_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError, match="seed -1 is negative"):
        seeding.doubles("sharp_wide", np.array([3, -1]), 0)
    with pytest.raises(ValueError):
        np.random.SeedSequence([0, 0, -1])


def test_draw_block_equals_draw_for_every_registered_process():
    """Every problem's data process (at its first grid point of config/test.yaml),
    drawn for a block, is the per-seed draw stacked (vectorised where the process
    allows it, seed by seed otherwise)."""
    cfg = yaml.safe_load((REPO / "config/test.yaml").read_text())
    seeds = [0, 1, 2, 40]
    for name in problems.names():
        settings = grid.solver_settings(cfg, name)
        value = grid.grid_values(name, cfg["problems"][name])[0]
        data = problems.module(name).data_process(settings, value)
        block = seeding.draw_block(data, name, seeds, 11)
        for i, s in enumerate(seeds):
            one = seeding.draw(data, name, s, 11)
            assert set(block) == set(one)
            for key, drawn in one.items():
                assert np.array_equal(block[key][i], drawn), (name, key, s)


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32, 2**63 - 1])
def test_a_file_s_entropy_template_gives_every_seed_its_own(seed):
    """A result file states one entropy for all its seeds, "seed" in the seed's place."""
    template = seeding.entropy_template("sharp_wide", 20240309)
    assert template.count(seeding.SEED) == 1
    filled = [seed if e == seeding.SEED else e for e in template]
    assert filled == seeding.entropy("sharp_wide", seed, 20240309)
