"""Names and descriptions: unique, deterministic, and read from the profile."""

import numpy as np
import pandas as pd

from persona.profiling._naming import describe_personas
from persona.profiling._profiles import activation


def test_names_are_unique_deterministic_and_follow_the_profile(true_profile):
    reach = activation(true_profile)
    first = describe_personas(true_profile, reach)
    again = describe_personas(true_profile.sample(frac=1, random_state=1), reach)
    pd.testing.assert_frame_equal(first, again)
    assert first["name"].is_unique
    assert first.loc[0, "name"].startswith("Bargain-hunting")
    assert first.loc[0, "description"].startswith("Customers who care most about thrift")

    # a different profile gives a different name
    flipped = true_profile.copy()
    thrift = (flipped["persona_id"] == 0) & (flipped["feature"] == "psychographic__thrift")
    flipped.loc[thrift, "smd"] = -3.0
    changed = describe_personas(flipped, reach)
    assert changed.loc[0, "name"] != first.loc[0, "name"]


def test_identical_profiles_still_get_unique_names():
    rows = []
    for persona in (0, 1, 2):
        rows.append({"persona_id": persona, "family": "need", "feature": "psychographic__thrift",
                     "trait": "thrift", "n": 10, "smd": 1.0})  # fmt: skip
    table = pd.DataFrame(rows)
    reach = pd.DataFrame({"channel": ["web", "app", "web"], "daypart": ["evening"] * 3},
                         index=pd.Index([0, 1, 2], name="persona_id"))  # fmt: skip
    names = describe_personas(table, reach)["name"]
    assert names.tolist() == ["Bargain-hunting customers", "Bargain-hunting customers on app",
                              "Bargain-hunting customers on web"]  # fmt: skip
    # nothing told apart but size: named as people would, never "(2)"
    bare = describe_personas(table, pd.DataFrame(index=reach.index))["name"]
    assert bare.tolist() == ["Bargain-hunting customers", "Other bargain-hunting customers",
                             "Second other bargain-hunting customers"]  # fmt: skip


def test_a_persona_without_emotion_readings_is_described_without_a_tone():
    """With many personas, some have no emotion reading: their tone is missing (NaN in the
    shared hint table), which once crashed the description with a TypeError."""
    need = {"family": "need", "feature": "psychographic__thrift", "trait": "thrift", "n": 10}
    table = pd.DataFrame(
        [{"persona_id": 0, "smd": 1.0, **need}, {"persona_id": 1, "smd": -1.0, **need}]
    )
    reach = pd.DataFrame(
        {"channel": ["web", np.nan], "device": ["mobile", None], "daypart": ["evening", np.nan],
         "moment": ["ZMOT", np.nan], "tone": ["warm and calm", np.nan], "emotion": [None, None]},
        index=pd.Index([0, 1], name="persona_id"),
    )  # fmt: skip
    described = describe_personas(table, reach)["description"]
    assert described[0].endswith(
        "most engaged at the research moment; reach them on web via mobile in the evening, "
        "in a warm and calm tone."
    )
    assert described[1] == "Customers who care least about thrift."


def test_names_of_unknown_dimensions_read_as_words():
    table = pd.DataFrame(
        [{"persona_id": 0, "family": "need", "feature": "psychographic__energetic_arousal",
          "trait": "energetic arousal", "n": 10, "smd": -1.0},
         {"persona_id": 1, "family": "need", "feature": "psychographic__energetic_arousal",
          "trait": "energetic arousal", "n": 10, "smd": 1.0}]
    )  # fmt: skip
    reach = pd.DataFrame(index=pd.Index([0, 1], name="persona_id"))
    names = describe_personas(table, reach)["name"].tolist()
    assert names == ["Low-energetic arousal customers", "Energetic arousal-driven customers"]


# ------------------------------------------------------------------ hand-made profiles


def trait(persona, feature, smd, family, label, n=10):
    return {"persona_id": persona, "family": family, "feature": feature, "trait": label, "n": n,
            "smd": smd}  # fmt: skip


def test_a_name_joins_the_top_need_and_the_top_journey_trait():
    table = pd.DataFrame([
        trait(0, "psychographic__thrift", 1.0, "need", "thrift"),
        trait(0, "psychographic__status", -0.5, "need", "status"),
        trait(0, "behaviour__research_before_purchase", 0.4, "journey", "research before purchase"),
        trait(1, "psychographic__thrift", -0.2, "need", "thrift"),
        trait(1, "behaviour__share_channel_store", 0.2, "channel", "store share"),
    ])  # fmt: skip
    reach = pd.DataFrame(
        {"channel": ["web", "call_center"], "device": ["mobile", None],
         "daypart": ["evening", None], "moment": ["SMOT", "XMOT"],
         "tone": ["upbeat and energetic", "warm and calm"]},
        index=pd.Index([0, 1], name="persona_id"),
    )  # fmt: skip
    described = describe_personas(table, reach)
    assert described["name"].tolist() == ["Bargain-hunting researchers",
                                          "Price-relaxed store visitors"]  # fmt: skip
    assert described.loc[0, "description"] == (
        "Customers who care most about thrift and least about status, with more research "
        "before purchase than the rest, most engaged at the experience moment; reach them on "
        "web via mobile in the evening, in an upbeat and energetic tone."
    )
    assert described.loc[1, "description"] == (  # an unknown moment is named as it is
        "Customers who care least about thrift, most engaged at the XMOT moment; reach them on "
        "call center, in a warm and calm tone."
    )


def test_traits_below_a_cohens_d_of_0_2_do_not_name_or_describe():
    table = pd.DataFrame([
        trait(0, "psychographic__thrift", 0.19, "need", "thrift"),
        trait(0, "psychographic__status", -0.19, "need", "status"),
        trait(0, "behaviour__research_before_purchase", 0.19, "journey", "research"),
    ])  # fmt: skip
    described = describe_personas(table, pd.DataFrame(index=pd.Index([0], name="persona_id")))
    assert described.loc[0, "name"] == "Everyday customers"
    assert described.loc[0, "description"] == "Customers who have no stand-out need."


def test_the_largest_persona_chooses_its_name_first():
    table = pd.DataFrame([
        trait(0, "psychographic__convenience", 1.0, "need", "convenience", n=5),
        trait(1, "psychographic__convenience", 1.0, "need", "convenience", n=50),
    ])  # fmt: skip
    names = describe_personas(table, pd.DataFrame(index=pd.Index([0, 1], name="persona_id")))
    assert names["name"].tolist() == ["Other time-saving customers", "Time-saving customers"]


def test_a_second_choice_comes_from_the_next_trait_before_any_ordinal():
    table = pd.DataFrame([
        trait(0, "psychographic__thrift", 2.0, "need", "thrift", 50),
        trait(0, "behaviour__frequency", 1.0, "frequency", "frequency", 50),
        trait(1, "psychographic__thrift", 2.0, "need", "thrift"),
        trait(1, "behaviour__frequency", 1.0, "frequency", "frequency"),
        trait(1, "behaviour__monetary_value", 0.5, "value", "monetary value"),
    ])  # fmt: skip
    names = describe_personas(table, pd.DataFrame(index=pd.Index([0, 1], name="persona_id")))
    assert names["name"].tolist() == [
        "Bargain-hunting regulars",
        "Bargain-hunting big-basket buyers",
    ]


def test_when_every_ordinal_is_taken_the_persona_id_tells_them_apart():
    table = pd.DataFrame([trait(p, "psychographic__status", 1.0, "need", "status")
                          for p in range(7)])  # fmt: skip
    names = describe_personas(table, pd.DataFrame(index=pd.RangeIndex(7, name="persona_id")))
    assert names["name"].tolist() == [
        "Status-conscious customers", "Other status-conscious customers",
        "Second other status-conscious customers", "Third other status-conscious customers",
        "Fourth other status-conscious customers", "Fifth other status-conscious customers",
        "Status-conscious customers (6)",
    ]  # fmt: skip
