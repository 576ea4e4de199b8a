"""The words a reader sees for a feature column: its trait family and a short label."""

import pytest

from persona.features._labels import FAMILIES, trait_family, trait_label


@pytest.mark.parametrize(
    ("feature", "family"),
    [("psychographic__thrift", "need"), ("emotion__valence_SMOT", "emotion"),
     ("emotion__share_joy", "emotion"), ("behaviour__share_channel_call_center", "channel"),
     ("behaviour__share_device_mobile", "device"), ("behaviour__share_moment_UMOT", "moment"),
     ("behaviour__share_daypart_evening", "daypart"), ("behaviour__weekend_share", "daypart"),
     ("behaviour__T", "value"), ("behaviour__return_rate", "value"),
     ("behaviour__sessions", "journey"), ("behaviour__research_before_purchase", "journey"),
     ("response__acquiescence", "feature"), ("x0", "feature")],
)  # fmt: skip
def test_the_family_follows_the_group_and_the_name(feature, family):
    assert trait_family(feature) == family
    assert family in FAMILIES


@pytest.mark.xfail(
    strict=True,
    reason="trait_family returns trait_label's text ('share of purchase touchpoints') for a "
    "share_event_ column, a family no profile, name or report knows",
)
def test_an_event_type_share_belongs_to_one_of_the_families():
    assert trait_family("behaviour__share_event_purchase") in FAMILIES


@pytest.mark.parametrize(
    ("feature", "label"),
    [("behaviour__n_channels", "channels used"), ("behaviour__T", "customer age (days)"),
     ("emotion__n_readings", "emotion readings"),
     ("behaviour__share_channel_call_center", "call center share"),
     ("behaviour__share_daypart_evening", "evening share"),
     ("behaviour__share_event_compare_products", "share of compare products touchpoints"),
     ("emotion__valence_SMOT", "valence at SMOT"), ("emotion__arousal_ZMOT", "arousal at ZMOT"),
     ("emotion__share_joy", "share of joy readings"), ("emotion__mean_anger", "anger intensity"),
     ("psychographic__price_sensitivity", "price sensitivity"), ("x0", "x0")],
)  # fmt: skip
def test_a_label_is_a_known_phrase_or_the_name_read_by_its_pattern(feature, label):
    assert trait_label(feature) == label


def test_a_label_depends_on_the_name_not_the_group():
    # profiles, reasons and the report name a column the same way whatever its group
    assert trait_label("behaviour__sessions") == trait_label("other__sessions") == "sessions"
    assert trait_label("emotion__valence_trend") == "valence trend"
    assert trait_label("emotion__valence_mean") == "valence"  # a known name, not "valence at"
