"""make_customers: deterministic, realistic, with personas independent of demographics."""

import numpy as np
import pandas as pd
import pytest

from persona import validate_inputs
from persona.contract._journey import DEFAULT_TAXONOMY, MOMENTS
from persona.datasets import NEEDS_INSTRUMENT, make_customers
from persona.profiling._audit import cramers_v


@pytest.fixture(scope="module")
def base():
    return make_customers(n_customers=20_000, random_state=7)


def age_band(demographics):
    return pd.cut(demographics["age"], [0, 24, 34, 44, 54, 64, 200])


def test_same_seed_same_base_and_other_seed_other_base():
    one = make_customers(n_customers=400, random_state=11)
    two = make_customers(n_customers=400, random_state=11)
    other = make_customers(n_customers=400, random_state=12)
    for name in ("events", "survey", "emotions", "demographics"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    pd.testing.assert_series_equal(one.truth, two.truth)
    assert not one.truth.equals(other.truth)
    assert len(one.events) != len(other.events)


def test_tables_meet_the_contracts(base):
    inputs = validate_inputs(
        base.events, base.survey, base.emotions, base.demographics, instrument=base.instrument
    )
    assert inputs.events is base.events  # valid as generated, nothing to parse
    assert base.instrument == NEEDS_INSTRUMENT


def test_coverages_are_as_asked(base):
    assert len(base.survey) == 6_000  # 30 % of 20,000
    assert base.emotions["customer_id"].nunique() == 10_000  # 50 %
    assert base.events["customer_id"].nunique() == 20_000  # everyone has touchpoints
    small = make_customers(
        n_customers=1_000, survey_coverage=0.12, emotion_coverage=0.0, random_state=1
    )
    assert len(small.survey) == 120 and small.emotions is None


def test_truth_covers_every_customer_and_matches_the_persona_table(base):
    assert base.truth.index.equals(pd.Index(base.demographics["customer_id"]))
    assert sorted(base.truth.unique()) == list(range(6))
    sizes = base.truth.value_counts().sort_index()
    assert sizes.tolist() == base.personas["size"].tolist()
    assert sizes.min() / sizes.sum() > 0.08  # unequal, but no persona is tiny
    assert base.personas["defining_dimension"].is_unique


def test_personas_are_independent_of_demographics(base):
    people = base.demographics.set_index("customer_id").loc[base.truth.index]
    assert cramers_v(base.truth, age_band(people)) < 0.05
    assert cramers_v(base.truth, people["gender"]) < 0.05
    assert cramers_v(base.truth, people["region"]) < 0.05
    assert cramers_v(base.truth, pd.qcut(people["income"], 5)) < 0.05


def test_activity_volume_follows_demographics_not_personas(base):
    volume = base.events.groupby("customer_id").size().loc[base.truth.index]
    people = base.demographics.set_index("customer_id").loc[volume.index]
    volume_band = pd.qcut(volume, 5, labels=False, duplicates="drop")
    assert cramers_v(volume_band, age_band(people)) > 0.1  # the young are busier
    assert cramers_v(volume_band, base.truth) < 0.05
    mean_by_persona = volume.groupby(base.truth).mean()
    assert mean_by_persona.max() / mean_by_persona.min() < 1.12


def test_journeys_look_like_journeys(base):
    events = base.events
    assert events["timestamp"].is_monotonic_increasing  # a log, in time order
    assert 17 < len(events) / 20_000 < 23
    per_session = events.groupby("session_id").agg(
        n=("event_type", "size"),
        first=("timestamp", "min"),
        last=("timestamp", "max"),
        customers=("customer_id", "nunique"),
    )
    per_session["span"] = (per_session["last"] - per_session["first"]).dt.total_seconds()
    assert (per_session["customers"] == 1).all()
    micro = (per_session["n"] <= 2) & (per_session["span"] < 120)
    assert 0.15 < micro.mean() < 0.5  # short bursts are common
    devices = events.groupby("customer_id")["device"].nunique()
    assert (devices >= 2).mean() > 0.5  # most customers use several devices
    purchases = events[events["event_type"] == "purchase"]
    assert purchases["value"].gt(0).all() and len(purchases) > 0.05 * len(events)
    others = events[~events["event_type"].isin(["purchase", "return"])]
    assert others["value"].isna().all()
    assert set(events["event_type"].unique()) <= set(DEFAULT_TAXONOMY)
    gaps = events.groupby("session_id")["timestamp"].diff().dropna()
    assert gaps.max() <= pd.Timedelta(minutes=20)  # sessions cut at 30 minutes stay whole


def test_journeys_are_not_linear(base):
    order = {m: i for i, m in enumerate(MOMENTS)}
    moment = base.events["event_type"].map(DEFAULT_TAXONOMY).map(order).astype(int)
    step = moment.groupby(base.events["customer_id"]).diff().dropna()
    assert (step < 0).mean() > 0.15  # customers go back from SMOT to ZMOT and so on


def test_personas_shape_behaviour_emotions_and_answers(base):
    events = base.events.assign(persona=base.events["customer_id"].map(base.truth))
    names = base.personas["name"]
    social = events["channel"].eq("social").groupby(events["persona"]).mean()
    assert names[social.idxmax()] == "Community sharers"
    call_center = events["channel"].eq("call_center").groupby(events["persona"]).mean()
    assert names[call_center.idxmax()] == "Cautious planners"
    compare = events["event_type"].eq("compare_products").groupby(events["persona"]).mean()
    assert names[compare.idxmax()] == "Bargain hunters"

    readings = base.emotions.assign(
        persona=base.emotions["customer_id"].map(base.truth),
        moment=base.emotions["event_type"].map(DEFAULT_TAXONOMY),
    )
    zmot = readings[readings["moment"] == "ZMOT"].groupby("persona")["valence"].mean()
    assert names[zmot.idxmin()] == "Cautious planners"  # anxious while researching

    survey = base.survey.set_index("customer_id")
    persona = base.truth.loc[survey.index]
    for p, dimension in base.personas["defining_dimension"].items():
        items = NEEDS_INSTRUMENT.items_of(dimension)
        keyed = [6 - survey[i] if NEEDS_INSTRUMENT.item(i).reverse else survey[i] for i in items]
        score = pd.concat(keyed, axis=1).mean(axis=1)
        assert score.groupby(persona).mean().idxmax() == p, dimension


def test_survey_has_reverse_keys_acquiescence_and_non_response(base):
    survey = base.survey.drop(columns="customer_id")
    answers = survey.to_numpy()
    assert set(np.unique(answers[~np.isnan(answers)])) == {1.0, 2.0, 3.0, 4.0, 5.0}
    assert 0.02 < survey.isna().mean().mean() < 0.04
    corr = survey.corr()
    assert corr.loc["thr1", "thr4"] < -0.2  # reverse-keyed items run against the others
    assert corr.loc["thr1", "thr2"] > 0.3
    assert survey.mean().mean() > 3.1  # respondents lean towards agreeing
    straight = survey.nunique(axis=1) == 1
    assert 0.01 < straight.mean() < 0.04


def test_emotions_come_as_scores_or_text(base):
    emotions = base.emotions
    text = emotions["text"].notna()
    assert 0.17 < text.mean() < 0.23
    assert emotions.loc[text, "valence"].isna().all()
    assert emotions.loc[~text, "valence"].notna().all()
    assert emotions["valence"].dropna().between(-1, 1).all()
    assert emotions["arousal"].dropna().between(0, 1).all()
    assert emotions["joy"].notna().mean() == pytest.approx(0.4, abs=0.03)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 0}, "Got n_customers=0, but expected a positive whole number."),
        ({"n_personas": 9}, "Got n_personas=9, but expected a whole number from 2 to 8."),
        ({"survey_coverage": 1.5}, "Got survey_coverage=1.5, but expected a number in [0, 1]."),
        ({"emotion_coverage": -0.1}, "Got emotion_coverage=-0.1"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError) as caught:
        make_customers(**{"n_customers": 100, **kwargs})
    assert message in str(caught.value)


def test_persona_count_is_a_parameter():
    data = make_customers(n_customers=3_000, n_personas=8, random_state=0)
    assert data.truth.nunique() == 8 and len(data.personas) == 8


def test_a_bool_is_no_number_of_customers():
    with pytest.raises(ValueError, match="Got n_customers=True, but expected a positive whole"):
        make_customers(n_customers=True)
    with pytest.raises(ValueError, match="Got n_personas=False, but expected a whole number"):
        make_customers(n_customers=50, n_personas=False)
