"""Profiles and activation hints: what sets each persona apart, and where to reach it."""

import numpy as np
import pandas as pd
import pytest

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
