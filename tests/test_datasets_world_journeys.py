"""A world's journeys: its vocabulary and the journey settings an own vocabulary needs."""

from persona.contract import CHANNELS, DEFAULT_TAXONOMY, DEVICES
from persona.datasets import WorldSpec
from persona.datasets._world_journeys import _DEFAULT_EVENTS, journey_settings_of, vocabulary_of


def test_the_default_vocabulary_is_persona_s_and_needs_no_settings():
    vocabulary = vocabulary_of("default")
    assert (vocabulary.channels, vocabulary.devices) == (CHANNELS, DEVICES)
    assert set(vocabulary.events) <= set(DEFAULT_TAXONOMY)
    assert journey_settings_of(WorldSpec("d"), vocabulary) is None


def test_an_own_vocabulary_shares_no_name_and_every_event_has_a_channel():
    vocabulary = vocabulary_of("own")
    names = {*vocabulary.channels, *vocabulary.devices, *vocabulary.events}
    assert not names & {*CHANNELS, *DEVICES, *DEFAULT_TAXONOMY}
    assert (vocabulary.carries.sum(axis=0) >= 1).all()
    assert vocabulary.events[vocabulary.purchase] == "order_placed"


def test_a_partial_taxonomy_maps_the_first_own_event_types():
    vocabulary = vocabulary_of("own")
    spec = WorldSpec("p", vocabulary="own", taxonomy_coverage=0.5)
    settings = journey_settings_of(spec, vocabulary)
    assert list(settings.taxonomy) == list(vocabulary.events[:10])  # round(0.5 * 21)
    assert settings.purchase_types == ("order_placed",)


# ------------------------------------------------------------------ the default vocabulary


def test_the_default_vocabulary_follows_the_default_taxonomy():
    assert {e: moment for e, (moment, _, _) in _DEFAULT_EVENTS.items()} == dict(DEFAULT_TAXONOMY)
