"""The zoo's specs: 28 structured worlds then 4 null ones, each with shares that work."""

import numpy as np

from persona.datasets import NEED_DIMENSIONS, WorldSpec, world_zoo
from persona.datasets._world_spec import _default_shares


def test_the_zoo_is_28_structured_worlds_then_the_4_null_ones():
    zoo = world_zoo()
    assert len({spec.name for spec in zoo}) == len(zoo) == 32
    assert [spec.null for spec in zoo[:28]] == [None] * 28
    assert all(spec.n_dimensions <= len(NEED_DIMENSIONS) for spec in zoo)


def test_every_world_has_shares_of_at_least_3_percent_that_sum_to_1():
    for spec in world_zoo():
        shares = spec.persona_shares
        assert abs(shares.sum() - 1.0) < 1e-9
        assert shares.min() >= 0.03 - 1e-12


def test_the_default_spread_falls_from_35_percent_onto_a_floor():
    shares = _default_shares(8)
    assert np.isclose(shares[0], 0.35)
    assert np.all(np.diff(shares) < 0)
    assert shares[-1] > 0.03


def test_one_count_or_one_per_dimension():
    assert WorldSpec("a", n_dimensions=3, items_per_dimension=2).item_counts == (2, 2, 2)
    assert WorldSpec("b", n_dimensions=3, items_per_dimension=(2, 3, 4)).item_counts == (2, 3, 4)
