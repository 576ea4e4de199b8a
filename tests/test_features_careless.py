"""Careless respondents: each sign on hand-made answers, the rules, and planted bases."""

import numpy as np
import pandas as pd
import pytest

from persona import Instrument
from persona.datasets import make_customers, plant_careless
from persona.features.careless import (
    CarelessRules,
    careless_counts,
    careless_respondents,
    split_duration,
)

ITEMS = [f"{d}{i}" for d in "abc" for i in range(1, 5)]


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return Instrument.from_dict({"name": "t", "items": [
        {"item": name, "dimension": name[0], "scale": [1, 5]} for name in ITEMS]})  # fmt: skip


def _survey(rows: list[list[float]]) -> pd.DataFrame:
    survey = pd.DataFrame(rows, columns=ITEMS)
    survey.insert(0, "customer_id", range(1, len(rows) + 1))
    return survey


def test_longstring_even_odd_and_scatter_on_hand_made_answers(instrument):
    survey = _survey([
        [5, 4, 5, 4, 1, 2, 1, 2, 3, 3, 3, 3],  # halves agree on every dimension
        [3, 3, 3, 3, 2, 2, 4, 4, 4, 4, 4, 4],  # a run of six 4s over twelve items
        [1, 5, 1, 5, 5, 1, 5, 1, 1, 5, 1, 5],  # halves disagree on every dimension
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],  # straight-liner
    ])  # fmt: skip
    rules = CarelessRules(mahalanobis_p=None)
    flags = careless_respondents(survey, instrument, rules)
    assert flags["longstring"].tolist() == pytest.approx([4 / 12, 6 / 12, 2 / 12, 1.0])
    # odd halves (5, 1, 3) and even halves (4, 2, 3): r = 1, lengthened 1
    assert flags.loc[1, "even_odd"] == pytest.approx(1.0)
    # odd (1, 5, 1) against even (5, 1, 5): r = -1, kept as it is
    assert flags.loc[3, "even_odd"] == pytest.approx(-1.0)
    assert np.isnan(flags.loc[4, "even_odd"])  # no spread: no correlation to read
    assert flags["by_longstring"].tolist() == [False, False, False, True]
    assert flags["by_even_odd"].tolist() == [False, False, True, False]
    assert flags.loc[4, "scatter"] == 0.0
    assert flags["careless"].tolist() == [False, False, True, True]
    assert not flags["by_mahalanobis"].any()  # switched off


def test_mahalanobis_flags_answers_no_coherent_reader_gives(instrument):
    rng = np.random.default_rng(0)
    need = rng.normal(size=(400, 3)).repeat(4, axis=1)
    answers = np.clip(np.rint(3 + need + 0.4 * rng.normal(size=(400, 12))), 1, 5)
    answers[0] = [5, 1, 5, 1, 1, 5, 1, 5, 5, 1, 5, 1]  # against every item's neighbours
    flags = careless_respondents(_survey(answers.tolist()), instrument)
    assert flags.loc[1, "mahalanobis_p"] < 1e-6
    assert flags.loc[1, "by_mahalanobis"] and flags.loc[1, "by_scatter"]
    # the careful respondents: a flag rate near what the thresholds allow
    assert flags["by_mahalanobis"].iloc[1:].mean() < 0.02


def test_response_time_reads_the_duration_column_and_drops_it(instrument):
    survey = _survey([[3, 4, 3, 4, 2, 2, 2, 1, 4, 5, 4, 4]] * 3).assign(seconds=[12, 60, None])
    rules = CarelessRules(duration_column="seconds", mahalanobis_p=None)
    flags = careless_respondents(survey, instrument, rules)
    assert flags["seconds_per_item"].tolist()[:2] == [1.0, 5.0]
    assert np.isnan(flags["seconds_per_item"].iloc[2])
    assert flags["by_speed"].tolist() == [True, False, False]
    answers, durations = split_duration(survey, rules)
    assert "seconds" not in answers.columns and durations.tolist()[:2] == [12.0, 60.0]
    with pytest.raises(ValueError, match=r"no duration column 'time'"):
        careless_respondents(survey, instrument, CarelessRules(duration_column="time"))
    with pytest.raises(ValueError, match=r"survey.seconds: durations must be seconds >= 0"):
        careless_respondents(survey.assign(seconds=[-1, 2, 3]), instrument, rules)


def test_rules_are_checked_and_a_sign_can_be_switched_off():
    with pytest.raises(ValueError, match=r"Got max_longstring=1.5, but expected None or"):
        CarelessRules(max_longstring=1.5)
    with pytest.raises(ValueError, match=r"Got max_scatter=True"):
        CarelessRules(max_scatter=True)
    counts = careless_counts(pd.DataFrame({"by_scatter": [True, True, False],
                                           "careless": [True, True, False]}))  # fmt: skip
    assert counts.to_dict() == {"scatter": 2, "careless": 2, "respondents": 3}


@pytest.mark.parametrize("seed", [0, 1])
def test_planted_careless_respondents_are_caught(seed):
    data = make_customers(n_customers=3000, random_state=seed)
    planted_data, habits = plant_careless(data, share=0.1, random_state=seed)
    planted = habits.index
    flags = careless_respondents(planted_data.survey, planted_data.instrument)["careless"]
    caught = flags.reindex(planted)
    # >= 90 % caught, with a margin of two binomial standard errors over 90 planted
    assert caught.mean() >= 0.9 - 2 * np.sqrt(0.9 * 0.1 / len(planted))
    assert flags.drop(planted).mean() < 0.1


def test_careless_respondents_stay_out_of_discovery_and_the_personas_hold():
    # The bar: with 10 % careless respondents planted, discovery ARI on the careful
    # respondents within 0.01 of the clean base's, and >= 90 % of the planted flagged.
    # benchmarks/careless.py measures it over five seeds at 6,000 customers.
    import warnings

    from sklearn.metrics import adjusted_rand_score

    from persona import PersonaModel

    data = make_customers(n_customers=3000, random_state=0)
    planted_data, habits = plant_careless(data, share=0.1, random_state=0)
    planted = habits.index
    careful = pd.Index(data.survey["customer_id"]).difference(planted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = PersonaModel(instrument=data.instrument, random_state=0).fit(data)
        model = PersonaModel(instrument=data.instrument, random_state=0).fit(planted_data)
    truth = data.truth[careful]
    ari_clean = adjusted_rand_score(truth, clean.labels_[careful])
    ari_planted = adjusted_rand_score(truth, model.labels_[careful])
    assert ari_planted >= ari_clean - 0.01
    flags = careless_respondents(planted_data.survey, planted_data.instrument)
    assert flags["careless"].reindex(planted).mean() >= 0.9
    # the flagged took no part in discovery, and every one of them still has a persona
    flagged = flags.index[flags["careless"]]
    assert (model.label_source_[flagged] != "discovery").all()
    assert (model.labels_[flagged] >= 0).mean() > 0.9
    assert model.careless_["careless"] == len(flagged)
    assert model.careless_["respondents"] == len(planted_data.survey)


def test_a_duration_column_is_read_at_fit_and_dropped_at_scoring():
    import warnings

    from persona import PersonaModel

    data = make_customers(n_customers=800, random_state=3)
    survey = data.survey.assign(seconds=120.0)
    survey.loc[survey.index[:20], "seconds"] = 10.0  # 27 items in 10 s
    rules = CarelessRules(duration_column="seconds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PersonaModel(instrument=data.instrument, careless=rules, random_state=0)
        model.fit(events=data.events, survey=survey, emotions=data.emotions)
    assert model.careless_["speed"] == 20
    scored = model.predict(events=data.events, survey=survey, emotions=data.emotions)
    assert len(scored) == len(model.labels_)
    with pytest.raises(ValueError, match=r"expected None or a persona.features.careless"):
        PersonaModel(instrument=data.instrument, careless={"max_longstring": 0.5}).fit(data)
