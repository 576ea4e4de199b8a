"""The persona table: sizes, shares, confidence, distinctive needs and reach per persona."""

import numpy as np
import pandas as pd
import pytest

from persona.profiling._journey_map import journey_maps
from persona.profiling._profiles import NOTABLE_SMD
from persona.profiling._table import distinctive_needs, persona_table


def test_model_personas_carry_names_profiles_and_reach(persona_model, customers):
    personas = persona_model.personas_
    assert personas["name"].is_unique
    assert {"description", "channel", "device", "daypart", "moment", "tone"} <= set(personas)
    table = persona_model.profile_
    assert set(table["persona_id"]) == set(persona_model.persona_ids_)
    # every discovered persona that matches a true one leads with the true defining need
    truth = customers.truth.reindex(persona_model.labels_.index)
    matches = pd.crosstab(persona_model.labels_, truth).idxmax(axis=1)
    needs = table[table["family"] == "need"].groupby("persona_id").head(1)
    for row in needs.itertuples():
        defining = customers.personas.loc[matches[row.persona_id], "defining_dimension"]
        assert row.feature == f"psychographic__{defining}"


# ------------------------------------------------------------------ a hand-made base

INDEX = pd.Index(range(1, 9), name="customer_id")
RAW = pd.DataFrame(
    {
        "psychographic__thrift": [5, 4, 5, 4, 1, 2, 1, 3],
        "psychographic__status": [1, 2, 1, 2, 5, 4, 5, 3],
        "behaviour__share_channel_web": [0.9, 0.8, 0.9, 0.8, 0.1, 0.2, 0.1, 0.5],
        "behaviour__share_channel_app": [0.1, 0.2, 0.1, 0.2, 0.9, 0.8, 0.9, 0.5],
    },
    index=INDEX,
    dtype=float,
)
LABELS = np.array([0, 0, 0, 0, 1, 1, 1, -1])  # the last customer is unassigned
SOURCE = np.array(["discovery", "discovery", "distilled", "discovery",
                   "discovery", "distilled", "distilled", "distilled"])  # fmt: skip
PROBA = np.array([[0.9, 0.1, 0.0, 0.0], [0.7, 0.3, 0.0, 0.0], [0.8, 0.2, 0.0, 0.0],
                  [0.6, 0.4, 0.0, 0.0], [0.1, 0.9, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0],
                  [0.0, 0.7, 0.0, 0.3], [0.3, 0.3, 0.0, 0.4]])  # fmt: skip


def test_sizes_shares_and_confidence_by_hand():
    _, table = persona_table(RAW, LABELS, SOURCE, PROBA, None, 3)  # persona 2 has no member
    assert table.index.tolist() == [0, 1, 2] and table.index.name == "persona_id"
    assert table["size"].tolist() == [4, 3, 0]
    assert table["share"].tolist() == [4 / 8, 3 / 8, 0.0]  # of every customer, unassigned too
    assert table["discovered"].tolist() == [3, 1, 0]
    # members' probability of their own persona: (0.9 + 0.7 + 0.8 + 0.6) / 4, (0.9 + 0.5 + 0.7) / 3
    assert table["confidence"][:2].tolist() == pytest.approx([0.75, 0.7])
    assert np.isnan(table["confidence"][2])
    assert table["distinctive_needs"].tolist() == [
        ("-status", "+thrift"),
        ("+status", "-thrift"),
        (),
    ]
    assert table["channel"][:2].tolist() == ["web", "app"]
    assert table["message"][:2].tolist() == ["keep it understated",
                                             "stress the premium and the exclusive"]  # fmt: skip
    assert pd.isna(table.loc[2, "name"])  # a persona with no member has no profile to name


def test_the_profile_is_of_the_labelled_customers_only():
    profile, _ = persona_table(RAW, LABELS, SOURCE, PROBA, None, 2)
    thrift = profile.set_index(["persona_id", "feature"]).loc[(0, "psychographic__thrift")]
    assert thrift["persona_mean"] == 4.5 and thrift["rest_mean"] == pytest.approx(4 / 3)
    assert thrift["base_mean"] == pytest.approx(22 / 7)  # customer 8 (thrift 3) left out


def test_a_journey_map_hint_names_the_channel_and_device_used_together():
    rows = [(c, "2026-03-02 10:00", channel, device, "search")
            for c, channel, device in [(1, "app", "mobile"), (2, "app", "mobile"),
                                       (3, "web", "desktop"), (5, "web", "desktop"),
                                       (6, "app", "tablet")]]  # fmt: skip
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "channel", "device",
                                         "event_type"])  # fmt: skip
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    maps = journey_maps(events, pd.Series(LABELS[:7], index=INDEX[:7]))
    _, table = persona_table(RAW, LABELS, SOURCE, PROBA, maps, 3)
    # the features say persona 0 uses the web most; its touchpoints, app on mobile
    assert table.loc[0, ["channel", "device"]].tolist() == ["app", "mobile"]
    assert table.loc[1, ["channel", "device"]].tolist() == ["app", "tablet"]
    assert table.loc[2, ["channel", "device"]].isna().all()  # no touchpoint, no hint


# ------------------------------------------------------------------ distinctive needs


def needs_table(rows):
    """A profile table in reading order from (persona_id, family, feature, smd) rows."""
    return pd.DataFrame(rows, columns=["persona_id", "family", "feature", "smd"])


def test_a_need_is_distinctive_from_a_cohens_d_of_0_2_either_way():
    table = needs_table([
        (0, "need", "psychographic__thrift", 0.2),
        (0, "need", "psychographic__status", -0.2),
        (0, "need", "psychographic__belonging", 0.19999),
        (1, "need", "psychographic__discovery", -0.19999),
    ])  # fmt: skip
    assert NOTABLE_SMD == 0.2
    assert distinctive_needs(table, 2) == [("+thrift", "-status"), ()]


def test_distinctive_needs_are_the_first_few_needs_in_reading_order():
    table = needs_table([
        (0, "channel", "behaviour__share_channel_web", 3.0),  # not a need
        (0, "need", "psychographic__status", -2.0),
        (0, "need", "psychographic__thrift", 1.5),
        (0, "need", "psychographic__conscience", 1.0),
        (0, "need", "psychographic__discovery", 0.5),
        (2, "need", "psychographic__energetic_arousal", 0.9),  # the user's own dimension
    ])  # fmt: skip
    assert distinctive_needs(table, 3) == [("-status", "+thrift", "+conscience"), (),
                                           ("+energetic_arousal",)]  # fmt: skip
    assert distinctive_needs(table, 1, n=1) == [("-status",)]
