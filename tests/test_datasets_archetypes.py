"""The synthetic base's tables: one row per persona, columns in the contract's order, shares
that sum to one, and only the names the contract knows."""

import numpy as np
import pytest

from persona.contract import CHANNELS, DEFAULT_TAXONOMY, DEVICES, EMOTIONS, MOMENTS
from persona.contract._schema import SCORE_RANGES
from persona.datasets import _archetypes as A

PER_PERSONA = {
    "NEEDS": (len(A.DIMENSIONS),), "MOMENT_MIX": (len(MOMENTS),),
    "CHANNEL_AFFINITY": (len(CHANNELS),), "DAYPARTS": (4,), "VALENCE": (len(MOMENTS),),
    "AROUSAL": (len(MOMENTS),), "EMOTION_BASE": (len(EMOTIONS),), "PERSONA_WEIGHTS": (),
    "BASKET_BY_PERSONA": (), "MICRO_MOMENTS": (), "WEEKEND": (),
}  # fmt: skip


def test_the_instrument_is_the_items_table():
    instrument = A.NEEDS_INSTRUMENT
    assert instrument.dimensions == tuple(A.DIMENSIONS)
    assert instrument.item_names == tuple(item for item, *_ in A.ITEMS)
    assert instrument.reverse_keyed == tuple(item for item, _, reverse, _ in A.ITEMS if reverse)
    for dimension in instrument.dimensions:
        # a forward and a reverse item each: agreeing with everything is not a need
        keys = {instrument.item(item).reverse for item in instrument.items_of(dimension)}
        assert keys == {False, True}, dimension
        assert instrument.describe(dimension) == A.DIMENSIONS[dimension]


@pytest.mark.parametrize(("name", "columns"), PER_PERSONA.items())
def test_every_persona_table_has_a_row_per_persona_and_its_columns(name, columns):
    assert getattr(A, name).shape == (len(A.PERSONA_NAMES), *columns)


@pytest.mark.parametrize(
    "name", ["PERSONA_WEIGHTS", "MOMENT_MIX", "DAYPARTS", "CHANNEL_BASE", "AGE_BAND_SHARE",
             "DEVICE_YOUNG", "DEVICE_OLD"],
)  # fmt: skip
def test_shares_sum_to_one(name):
    shares = np.atleast_2d(getattr(A, name))
    assert (shares >= 0).all()
    assert np.allclose(shares.sum(axis=1), 1.0)


def test_demographic_tables_follow_the_age_bands_and_the_channels():
    assert len(A.AGE_BAND_SHARE) == len(A.AGE_ACTIVITY) == len(A.AGE_BANDS) - 1
    assert (np.diff(A.AGE_BANDS) > 0).all()
    assert A.CHANNEL_BY_AGE.shape == (len(A.AGE_BANDS) - 1, len(CHANNELS))
    assert A.DEVICE_YOUNG.shape == A.DEVICE_OLD.shape == (len(CHANNELS), len(DEVICES))
    assert len(A.CHANNEL_BASE) == len(CHANNELS)


def test_each_of_the_first_seven_personas_is_defined_by_its_own_dimension():
    # the defining dimension is the one with the largest absolute mean need
    defining = np.abs(A.NEEDS).argmax(axis=1)
    assert defining[:7].tolist() == list(range(len(A.DIMENSIONS)))
    assert len(set(A.PERSONA_NAMES)) == len(A.PERSONA_NAMES)


def test_event_tables_name_only_event_types_and_channels_the_contract_knows():
    assert A.EVENT_TYPES == tuple(DEFAULT_TAXONOMY)
    assert tuple(A.CHANNELS_OF_EVENT) == A.EVENT_TYPES  # rows follow EVENT_TYPES
    for event_type, channels in A.CHANNELS_OF_EVENT.items():
        assert channels.split() and set(channels.split()) <= set(CHANNELS), event_type
    assert len(A.EVENT_AFFINITY) == len(A.PERSONA_NAMES)  # one dict per persona
    for affinity in A.EVENT_AFFINITY:
        assert set(affinity) <= set(A.EVENT_TYPES)
        assert all(weight > 0 for weight in affinity.values())


def test_a_store_is_visited_in_store_and_a_call_made_by_phone():
    for table in (A.DEVICE_YOUNG, A.DEVICE_OLD):
        assert table[CHANNELS.index("store")].tolist() == [float(d == "in_store") for d in DEVICES]
        assert table[CHANNELS.index("call_center")].tolist() == [
            float(d == "phone") for d in DEVICES
        ]


def test_emotion_levels_lie_in_the_contract_ranges():
    low, high = SCORE_RANGES["valence"]
    assert (low <= A.VALENCE).all() and (A.VALENCE <= high).all()
    low, high = SCORE_RANGES["arousal"]
    assert (low <= A.AROUSAL).all() and (A.AROUSAL <= high).all()
    assert (A.EMOTION_BASE >= 0).all() and (A.EMOTION_BASE <= 1).all()
    assert set(A.TEXTS) == {"positive", "negative", "neutral"}
    texts = [text for group in A.TEXTS.values() for text in group]
    assert len(set(texts)) == len(texts) and all(texts)
