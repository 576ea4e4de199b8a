"""Profiles, activation hints and names: what sets each persona apart, in words."""

import numpy as np
import pandas as pd
import pytest

from persona.profiling._naming import describe_personas
from persona.profiling._profiles import activation, profile, trait_family, trait_label


def test_profile_statistics_on_a_hand_made_base():
    index = pd.Index(range(1, 9), name="customer_id")
    features = pd.DataFrame(
        {
            "psychographic__thrift": [5, 4, 5, 4, 1, 2, 1, np.nan],
            "behaviour__share_channel_app": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        },
        index=index,
        dtype=float,
    )
    labels = pd.Series([0, 0, 0, 0, 1, 1, 1, -1], index=index)
    table = profile(features, labels).set_index(["persona_id", "feature"])
    thrift = table.loc[(0, "psychographic__thrift")]
    assert thrift["n"] == 4 and thrift["persona_mean"] == 4.5
    assert thrift["rest_mean"] == pytest.approx(4 / 3)
    assert thrift["base_mean"] == pytest.approx(22 / 7)
    pooled = np.sqrt((3 * np.var([5, 4, 5, 4], ddof=1) + 2 * np.var([1, 2, 1], ddof=1)) / 5)
    assert thrift["smd"] == pytest.approx((4.5 - 4 / 3) / pooled)
    from scipy import stats

    welch = stats.ttest_ind([5, 4, 5, 4], [1, 2, 1], equal_var=False)
    assert thrift["p_value"] == pytest.approx(welch.pvalue)
    app = table.loc[(0, "behaviour__share_channel_app")]
    assert app["smd"] == 0 and app["p_value"] == 1 and app["rank"] == 2
    assert thrift["rank"] == 1 and thrift["family"] == "need" and thrift["trait"] == "thrift"


def test_families_and_labels():
    assert trait_family("behaviour__share_device_mobile") == "device"
    assert trait_family("behaviour__weekend_share") == "daypart"
    assert trait_family("behaviour__monetary_value") == "value"
    assert trait_family("behaviour__research_before_purchase") == "journey"
    assert trait_family("emotion__valence_ZMOT") == "emotion"
    assert trait_family("x0") == "feature"
    assert trait_label("emotion__share_joy") == "share of joy readings"
    assert trait_label("behaviour__share_moment_ZMOT") == "ZMOT share"


@pytest.fixture(scope="module")
def true_profile(customers):
    from persona.features import FeatureBuilder

    builder = FeatureBuilder(customers.instrument).fit(customers)
    raw = builder.inverse_transform(builder.transform(customers))
    return profile(raw, customers.truth)


def test_the_top_need_of_each_true_persona_is_its_defining_dimension(true_profile, customers):
    needs = true_profile[true_profile["family"] == "need"]
    top = needs.groupby("persona_id").head(1).set_index("persona_id")
    truth = customers.personas
    for persona, row in top.iterrows():
        assert row["feature"] == "psychographic__" + truth.loc[persona, "defining_dimension"]
        assert row["smd"] > 1 and row["significant"]


def test_activation_finds_where_and_how_to_reach_each_persona(true_profile, customers):
    reach = activation(true_profile)
    names = customers.personas["name"]
    by_name = {names[p]: reach.loc[p] for p in reach.index}
    assert by_name["Community sharers"]["channel"] == "social"
    assert by_name["Community sharers"]["moment"] == "UMOT"
    assert by_name["Bargain hunters"]["moment"] == "ZMOT"
    assert by_name["Cautious planners"]["tone"] == "reassuring and to the point"
    assert set(reach.columns) == {"channel", "device", "daypart", "moment", "tone", "message",
                                  "emotion"}  # fmt: skip
    assert by_name["Cautious planners"]["message"] == "reassure: guarantees, support, reviews"


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


def test_rename_overrides_and_refuses_clashes(persona_model):
    model = persona_model
    before = model.personas_["name"].copy()
    try:
        model.rename({3: "Weekend explorers"})
        assert model.personas_.loc[3, "name"] == "Weekend explorers"
        assert model.names_ == {3: "Weekend explorers"}
        with pytest.raises(ValueError, match="Got names for personas \\[9\\]"):
            model.rename({9: "Nobody"})
        with pytest.raises(ValueError, match="must be unique.*Weekend explorers"):
            model.rename({4: "Weekend explorers"})
    finally:
        model.names_ = {}
        model._publish()
    pd.testing.assert_series_equal(model.personas_["name"], before)


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


def test_a_persona_that_speaks_only_in_text_gets_its_tone_and_emotion_from_what_it_wrote():
    """Emotion readings as comments only, in both languages: the text's arousal and emotions
    reach the features, the profile and the activation hints."""
    from persona.features import FeatureBuilder

    angry = ["Sono arrabbiatissima, il pacco è arrivato rotto!!", "FURIOUS, third late delivery",
             "Vergognatevi, servizio scandaloso 😡", "Il pacco è arrivato."]  # fmt: skip
    happy = ["Tutto perfetto, grazie di cuore ❤️", "Love it, the staff were lovely",
             "Consegna velocissima, contentissima 😊", "Order 1234 received."]  # fmt: skip
    customers = np.arange(1, 41)
    labels = pd.Series(
        np.where(customers <= 20, 0, 1), index=pd.Index(customers, name="customer_id")
    )
    stamps = pd.date_range("2026-03-01", periods=3, freq="7D")
    emotions = pd.DataFrame(
        [{"customer_id": c, "timestamp": stamps[k],
          "text": (angry if c <= 20 else happy)[(c + k) % 4]}
         for c in customers for k in range(3)]
    )  # fmt: skip
    events = pd.DataFrame({"customer_id": np.repeat(customers, 2), "timestamp": stamps[0],
                           "channel": "web", "event_type": ["product_view", "purchase"] * 40,
                           "value": [np.nan, 20.0] * 40})  # fmt: skip
    builder = FeatureBuilder().fit(events=events, emotions=emotions)
    raw = builder.compute(events=events, emotions=emotions)
    assert raw.loc[1, "emotion__mean_anger"] > 0.5 and raw.loc[40, "emotion__mean_joy"] > 0.5
    hints = activation(profile(raw[builder.get_feature_names_out()], labels))
    assert hints.loc[0, ["emotion", "tone"]].tolist() == ["anger", "reassuring and to the point"]
    assert hints.loc[1, ["emotion", "tone"]].tolist() == ["joy", "warm and calm"]
