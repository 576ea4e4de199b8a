"""The zoo's specs: 28 structured worlds then 4 null ones, each with shares that work."""

import numpy as np
import pytest

from persona.datasets import NEED_DIMENSIONS, WorldSpec, make_world, world_zoo
from persona.datasets._world_spec import _default_shares
from persona.errors import ConfigError


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


# ------------------------------------------------------------------ the zoo and refused specs


def test_zoo_spans_the_ranges_and_is_deterministic():
    zoo = world_zoo()
    structured = [s for s in zoo if s.null is None]
    assert len(structured) >= 24
    assert [s.null for s in zoo[-4:]] == ["independent", "demographic", "noise", "permuted"]
    assert len({s.name for s in zoo}) == len(zoo)
    assert {min(s.n_personas for s in structured), max(s.n_personas for s in structured)} == {3, 12}
    assert min(min(s.persona_shares) for s in structured) == pytest.approx(0.03)
    assert any(s.close_pairs for s in structured)
    coverages = [s.survey_coverage for s in structured]
    assert (min(coverages), max(coverages)) == (0.10, 0.60)
    assert {s.scale for s in structured} == {(1, 5), (1, 7), (0, 10)}
    assert {s.taxonomy_coverage for s in structured if s.vocabulary == "own"} >= {0.0, 0.5, 1.0}
    assert {s.emotions for s in structured} == {"scores", "text", "both", "none"}
    assert {s.text_language for s in structured} == {"en", "it", "mixed"}
    assert any(s.shuffle_items and s.reverse_share >= 0.4 for s in structured)
    assert not all(s.sorted_rows for s in structured)
    assert world_zoo() == zoo
    assert [s.n_customers for s in world_zoo(scale=0.1)] == [600] * len(zoo)


@pytest.mark.parametrize("n_personas", [3, 6, 12])
def test_default_shares_fall_from_35_percent_and_stay_above_3_percent(n_personas):
    shares = WorldSpec("s", n_personas=n_personas).persona_shares
    assert shares.sum() == pytest.approx(1.0)
    assert shares[0] == pytest.approx(0.35)
    assert (np.diff(shares) < 0).all() and shares.min() > 0.03


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"n_personas": 2}, "n_personas=2"), ({"n_personas": 13}, "n_personas=13"),
     ({"shares": (0.5, 0.5)}, "shares="), ({"shares": (0.98, 0.01, 0.01)}, "shares="),
     ({"n_personas": 3, "close_pairs": 2}, "close_pairs=2"), ({"scale": (1, 4)}, "scale="),
     ({"items_per_dimension": 1}, "items_per_dimension=1"),
     ({"items_per_dimension": (3, 3)}, "one count per need dimension"),
     ({"taxonomy_coverage": 0.5}, "vocabulary='own'"), ({"null": "random"}, "null='random'"),
     ({"null": "noise"}, "a null world has no personas"), ({"emotions": "audio"}, "emotions="),
     ({"separation": 0}, "separation=0"), ({"reverse_share": 0.7}, "reverse_share=0.7")],
)  # fmt: skip
def test_a_wrong_spec_names_what_is_wrong(changes, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        WorldSpec("bad", **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"n_customers": True}, "n_customers=True"), ({"items_per_dimension": 2.5},
     "items_per_dimension=2.5"), ({"sorted_rows": "yes"}, "sorted_rows='yes'")],
)  # fmt: skip
def test_a_wrong_spec_is_a_config_error_naming_the_parameter(changes, message):
    # A count must be a whole number and not a bool; a count that is no whole number is
    # named, not a bare TypeError from deep inside.
    with pytest.raises(ConfigError, match=message):
        WorldSpec("bad", **changes)
    with pytest.raises(ConfigError, match="expected a WorldSpec"):
        make_world({"name": "w01"})


def test_a_numpy_count_is_a_whole_number():
    spec = WorldSpec("numpy", n_customers=np.int64(50), items_per_dimension=np.int64(3))
    assert spec.item_counts == (3,) * spec.n_dimensions
