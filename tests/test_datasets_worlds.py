"""The world zoo: valid tables, ground truth that is really there, and null worlds without it."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import cross_val_predict

from persona import validate_inputs
from persona.contract._journey import CHANNELS, DEFAULT_TAXONOMY, DEVICES
from persona.datasets import NEED_DIMENSIONS, make_world, world_zoo
from persona.datasets._world_emotions import _COMMENTS
from persona.features import FeatureBuilder
from persona.profiling._audit import cramers_v

ZOO = {spec.name: spec for spec in world_zoo(scale=0.1)}


def world(name, scale=0.1, seed=0, **changes):
    spec = dataclasses.replace(ZOO[name], n_customers=round(6_000 * scale), **changes)
    return make_world(spec, random_state=seed)


def oracle_ari(data):
    """What a supervised reader of the raw answers recovers: the signal the survey holds."""
    survey = data.survey.set_index("customer_id")
    answers = survey.fillna(survey.mean()).to_numpy()
    answers = (answers - answers.mean(axis=0)) / answers.std(axis=0)  # lbfgs converges sooner
    truth = data.truth.loc[survey.index].to_numpy()
    guess = cross_val_predict(LogisticRegression(max_iter=2_000), answers, truth, cv=5)
    return adjusted_rand_score(truth, guess)


def within_standard_errors(observed, expected, n, k=4.5):
    return np.abs(observed - expected) <= k * np.sqrt(expected * (1 - expected) / n)


# --------------------------------------------------------------------------- the zoo


def test_same_seed_same_world_and_other_seed_other_world():
    one, two = world("w28-everything-messy", seed=5), world("w28-everything-messy", seed=5)
    other = world("w28-everything-messy", seed=6)
    for name in ("events", "survey", "emotions", "demographics", "personas"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    pd.testing.assert_series_equal(one.truth, two.truth)
    assert one.instrument == two.instrument and one.journey == two.journey
    assert not np.allclose(one.personas.filter(like="need_"), other.personas.filter(like="need_"))
    assert len(one.events) != len(other.events)


@pytest.mark.parametrize("name", list(ZOO))
def test_every_world_meets_the_contracts_and_builds_features(name):
    data = world(name)
    inputs = validate_inputs(
        data.events, data.survey, data.emotions, data.demographics, instrument=data.instrument
    )
    assert inputs.events is data.events  # valid as generated, nothing to parse
    builder = FeatureBuilder(instrument=data.instrument, journey=data.journey)
    tables = {"events": data.events, "survey": data.survey, "emotions": data.emotions}
    if ZOO[name].taxonomy_coverage < 1.0:
        with pytest.warns(UserWarning, match="not in the taxonomy"):
            features = builder.fit_transform(**tables)
    else:
        features = builder.fit_transform(**tables)
    assert features.index.equals(data.truth.index)  # everyone has touchpoints
    assert int(features["available__psychographic"].sum()) == len(data.survey)


# --------------------------------------------------------------------------- ground truth


@pytest.mark.parametrize("name", ["w01-easy-3", "w02-easy-5", "w03-easy-8"])
def test_an_oracle_recovers_the_personas_of_easy_worlds_from_the_survey(name):
    assert oracle_ari(world(name, scale=0.25)) > 0.6


def test_personas_closer_together_are_harder_to_tell_apart():
    hard = oracle_ari(world("w05-hard-separation", scale=0.25))
    assert hard < 0.35
    assert hard < oracle_ari(world("w05-hard-separation", scale=0.25, separation=3.5)) - 0.25


def test_shares_are_as_asked():
    data = world("w07-small-shares", scale=1.0)
    n = len(data.truth)
    asked = np.array(ZOO["w07-small-shares"].shares)
    assert data.personas["share"].tolist() == asked.tolist()
    assert data.personas["size"].tolist() == data.truth.value_counts().sort_index().tolist()
    assert within_standard_errors(data.personas["size"].to_numpy() / n, asked, n).all()


def test_close_pairs_differ_on_one_need_dimension_only():
    for name, n_pairs in [("w08-close-pairs", 2), ("w09-close-pair-narrow", 1)]:
        data = world(name)
        profiles = data.personas.filter(like="need_").to_numpy()
        pairs = data.notes["close_pairs"]
        assert len(pairs) == n_pairs
        for one, other, dimension in pairs:
            gap = profiles[one] - profiles[other]
            assert np.flatnonzero(gap).tolist() == [dimension]
            assert abs(gap[dimension]) == pytest.approx(ZOO[name].close_gap)
            assert data.personas.loc[one, "close_to"] == other
        assert (data.personas["close_to"] >= 0).sum() == 2 * n_pairs


def test_personas_without_close_pairs_are_separation_apart():
    data = world("w06-medium-separation")
    profiles = data.personas.filter(like="need_").to_numpy()
    distances = np.linalg.norm(profiles[:, None] - profiles[None], axis=2)
    assert distances[np.triu_indices(len(profiles), 1)].min() == pytest.approx(2.2)
    assert profiles.T @ data.personas["share"].to_numpy() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", ["w02-easy-5", "w04-twelve-personas"])
def test_personas_are_independent_of_demographics(name):
    data = world(name, scale=1.0)
    people = data.demographics.set_index("customer_id").loc[data.truth.index]
    assert cramers_v(data.truth, people["age_band"]) < 0.1
    assert cramers_v(data.truth, people["region"]) < 0.1


# --------------------------------------------------------------------------- null worlds


@pytest.mark.parametrize("name", [n for n, s in ZOO.items() if s.null is not None])
def test_null_worlds_have_no_personas(name):
    data = world(name)
    assert (data.truth == 0).all()
    assert data.personas["name"].tolist() == ["no personas"]
    assert data.notes["close_pairs"] == ()


@pytest.mark.parametrize("name", ["n01-null-independent", "n03-null-noise"])
def test_clusters_of_a_null_survey_are_not_demographic(name):
    data = world(name, scale=0.5)
    survey = data.survey.set_index("customer_id")
    clusters = KMeans(4, n_init=4, random_state=0).fit_predict(survey.fillna(survey.mean()))
    band = data.demographics.set_index("customer_id").loc[survey.index, "age_band"]
    # Under independence chi2 ~ 15 on 15 df: V about 0.07 for 900 respondents.
    assert cramers_v(clusters, band) < 0.15


def mean_item_correlation(data):
    """Mean |r| between items of one need dimension."""
    within = []
    for dimension in data.instrument.dimensions:
        correlations = data.survey[list(data.instrument.items_of(dimension))].corr().to_numpy()
        within.extend(correlations[np.triu_indices(len(correlations), 1)])
    return np.abs(within).mean()


def test_a_permuted_survey_keeps_its_answers_but_loses_their_structure():
    permuted = world("n04-null-permuted", scale=0.5)
    structured = world("n04-null-permuted", scale=0.5, null=None)
    assert mean_item_correlation(permuted) < 0.05  # SE of one r at 900 respondents: 0.033
    assert mean_item_correlation(structured) > 0.3


def test_a_demographic_null_shapes_behaviour_by_age():
    def channel_by_age(data):
        age = data.demographics.set_index("customer_id")["age_band"]
        return cramers_v(data.events["channel"], age.loc[data.events["customer_id"]])

    assert (
        channel_by_age(world("n02-null-demographic"))
        > channel_by_age(world("n01-null-independent")) + 0.05
    )


# --------------------------------------------------------------------------- the tables


def test_journeys_look_like_journeys():
    data = world("w02-easy-5", scale=0.25)
    events = data.events
    per_customer = events.groupby("customer_id").size()
    assert per_customer.index.equals(data.truth.index) and per_customer.min() >= 1
    assert 10 <= per_customer.mean() <= 30
    assert per_customer.quantile(0.99) > 3 * per_customer.mean()  # heavy-tailed
    assert events["timestamp"].is_monotonic_increasing and events["timestamp"].dt.tz is None
    assert events["timestamp"].max() < data.observation_end
    assert (events.groupby("session_id")["customer_id"].nunique() == 1).all()
    money = events.dropna(subset=["value"])
    assert set(money["event_type"]) <= {"purchase", "return"}
    assert (money.loc[money["event_type"] == "purchase", "value"] > 0).all()
    assert (money.loc[money["event_type"] == "return", "value"] < 0).all()
    assert set(events["channel"]) <= set(CHANNELS) and set(events["device"]) <= set(DEVICES)
    assert set(events["event_type"]) <= set(DEFAULT_TAXONOMY)
    assert data.journey is None


@pytest.mark.parametrize(
    ("name", "mapped"),
    [("w18-own-vocab-full-taxonomy", 21), ("w19-own-vocab-partial-taxonomy", 10),
     ("w20-own-vocab-no-taxonomy", 0)],
)  # fmt: skip
def test_an_own_vocabulary_lies_outside_the_defaults(name, mapped):
    data = world(name)
    events = data.events
    assert not set(events["channel"]) & set(CHANNELS)
    assert not set(events["device"]) & set(DEVICES)
    assert not set(events["event_type"]) & set(DEFAULT_TAXONOMY)
    assert events["event_type"].nunique() == 21
    assert len(data.journey.taxonomy) == mapped
    assert set(data.journey.taxonomy) <= set(events["event_type"])
    assert data.journey.purchase_types == ("order_placed",)
    assert data.journey.return_types == ("refund_request",)
    bought = events["event_type"] == "order_placed"
    assert (events.loc[bought, "value"] > 0).all()


def test_rows_come_shuffled_and_without_sessions_when_asked():
    data = world("w27-unsorted-no-sessions")
    assert "session_id" not in data.events
    assert not data.events["timestamp"].is_monotonic_increasing
    assert not data.survey["customer_id"].is_monotonic_increasing
    assert not data.demographics["customer_id"].is_monotonic_increasing
    assert data.truth.index.is_monotonic_increasing


def test_survey_follows_its_instrument():
    spec = ZOO["w28-everything-messy"]
    data = world("w28-everything-messy", scale=0.5)
    instrument, survey = data.instrument, data.survey
    n_items = sum(spec.items_per_dimension)
    assert instrument.item_names == tuple(f"q{i:02d}" for i in range(1, n_items + 1))
    assert list(survey.columns) == ["customer_id", *instrument.item_names]
    counts = [len(instrument.items_of(d)) for d in instrument.dimensions]
    assert dict(zip(instrument.dimensions, counts, strict=True)) == dict(
        zip(tuple(NEED_DIMENSIONS)[:7], spec.items_per_dimension, strict=True)
    )
    assert len(instrument.reverse_keyed) == round(spec.reverse_share * n_items)
    assert all(set(instrument.items_of(d)) - set(instrument.reverse_keyed) for d in NEED_DIMENSIONS
               if d in instrument.dimensions)  # fmt: skip
    answers = survey[list(instrument.item_names)].to_numpy()
    given = answers[~np.isnan(answers)]
    assert set(np.unique(given)) <= set(range(0, 11)) and len(np.unique(given)) == 11
    assert within_standard_errors(np.isnan(answers).mean(), 0.08, answers.size)
    assert len(survey) == round(0.15 * 3_000)


def test_forward_and_reverse_items_answer_in_opposite_directions():
    data = world("w14-reverse-shuffled", scale=0.25)
    instrument = data.instrument
    for dimension in instrument.dimensions:
        items = instrument.items_of(dimension)
        forward = [i for i in items if i not in instrument.reverse_keyed]
        correlations = data.survey[list(items)].corr()[forward[0]].drop(forward[0])
        for item, r in correlations.items():
            assert (r < 0) == (item in instrument.reverse_keyed), (dimension, item, r)


@pytest.mark.parametrize(
    ("mode", "columns"),
    [("scores", {"valence", "arousal"}), ("text", {"text"}),
     ("both", {"valence", "arousal", "text"})],
)  # fmt: skip
def test_emotions_come_as_asked(mode, columns):
    data = world("w25-emotions-mixed-language", emotions=mode)
    emotions = data.emotions
    assert set(emotions.columns) == {"customer_id", "timestamp", "event_type"} | columns
    has_score = emotions["valence"].notna() if "valence" in columns else False
    has_text = emotions["text"].notna() if "text" in columns else False
    assert ((has_score ^ has_text) if mode == "both" else (has_score | has_text)).all()
    assert emotions["customer_id"].nunique() == round(0.4 * 600)
    assert world("w26-no-emotions").emotions is None


def comments(language):
    return {
        head + tail
        for tone in ("positive", "negative")
        for head in _COMMENTS[language, tone][0]
        for tail in _COMMENTS[language, tone][1]
    }


def test_comments_are_in_the_language_asked():
    italian = comments("it")
    texts = world("w24-comments-it").emotions["text"]
    assert set(texts) <= italian
    mixed = world("w25-emotions-mixed-language", scale=0.25).emotions["text"].dropna()
    assert 0.3 < mixed.isin(italian).mean() < 0.7


# --------------------------------------------------------------------------- the spec


def test_make_world_wants_a_spec():
    with pytest.raises(TypeError, match="expected a WorldSpec"):
        make_world({"name": "w01"})
