"""Golden questions: the fewest survey items that reproduce each respondent's persona."""

import numpy as np
import pandas as pd
import pytest
from helpers_assignment import MAX_ITEMS, MINI
from sklearn.linear_model import LogisticRegression

from persona.assignment._golden import select_golden_questions
from persona.assignment._keying import keyed_answers
from persona.assignment._questions import GoldenQuestions


def _held_out_accuracy(golden, test, labels, behaviour=None):
    predicted = golden.predict(test, behaviour)
    return float((predicted == labels.loc[predicted.index]).mean())


def _assert_holds_on_held_out(held_out, golden, n_train, n_test):
    """The stated accuracy is cross-validated on the training respondents, and optimistic by
    design (the best of several item sets): held out, it may fall short of it by chance, but
    not by four standard errors of the difference of the two shares."""
    p = golden.accuracy
    standard_error = np.sqrt(p * (1 - p) / n_train + p * (1 - p) / n_test)
    assert held_out >= p - 4 * standard_error, (held_out, p, standard_error)


def test_stated_accuracy_holds_on_held_out_respondents(golden, split, persona_model):
    held_out = _held_out_accuracy(golden, split[1], persona_model.labels_)
    assert len(golden.items) == MAX_ITEMS
    _assert_holds_on_held_out(held_out, golden, len(split[0]), len(split[1]))
    assert held_out > 0.6  # six personas: chance is the largest one's share, about 0.24


def test_behaviour_adds_to_the_items(golden, golden_behaviour, split, persona_model, behaviour):
    assert golden_behaviour.with_behaviour and not golden.with_behaviour
    assert golden_behaviour.behaviour_columns == tuple(behaviour.columns)
    assert golden.behaviour_columns == ()
    items_only = golden.path["accuracy"].to_numpy()
    with_behaviour = golden_behaviour.path["accuracy"].to_numpy()
    assert len(items_only) == len(with_behaviour) == MAX_ITEMS
    assert (with_behaviour >= items_only - 0.01).all()  # step by step, same number of items
    held_out = _held_out_accuracy(golden_behaviour, split[1], persona_model.labels_, behaviour)
    _assert_holds_on_held_out(held_out, golden_behaviour, len(split[0]), len(split[1]))
    with pytest.raises(ValueError, match="selected with behaviour"):
        golden_behaviour.predict(split[1])
    with pytest.raises(ValueError, match="selected without behaviour"):
        golden.predict(split[1], behaviour)
    with pytest.raises(ValueError, match="behaviour__touchpoints"):
        golden_behaviour.predict(split[1], behaviour.drop(columns="behaviour__touchpoints"))


def test_path_reports_each_step(golden, customers):
    instrument = customers.instrument
    path = golden.path
    assert list(path.columns) == ["step", "item", "dimension", "accuracy"]
    assert path["step"].tolist() == list(range(1, MAX_ITEMS + 1))
    assert tuple(path["item"]) == golden.items
    assert len(set(golden.items)) == len(golden.items)
    assert set(golden.items) <= set(instrument.item_names)
    assert path["dimension"].tolist() == [instrument.item(i).dimension for i in golden.items]
    assert path["accuracy"].between(0, 1).all()
    assert golden.accuracy == path["accuracy"].iloc[-1]
    assert path["accuracy"].iloc[-1] > path["accuracy"].iloc[0]
    assert golden.item_reverse == tuple(instrument.item(i).reverse for i in golden.items)
    assert golden.n_respondents > 0 and golden.cv == 5


def test_target_accuracy_stops_early(golden, customers, persona_model, split):
    target = float(golden.path["accuracy"].iloc[2])
    reached = int(np.argmax(golden.path["accuracy"].to_numpy() >= target)) + 1
    short = select_golden_questions(
        split[0], customers.instrument, persona_model.labels_, max_items=8, target_accuracy=target
    )
    assert len(short.items) == reached <= 3
    assert short.items == golden.items[:reached]  # the same greedy path, cut short
    assert short.accuracy >= target


@pytest.mark.parametrize("n_personas", [2, 3])
def test_scorer_matches_sklearn_with_two_or_more_personas(n_personas):
    rng = np.random.default_rng(n_personas)
    persona = np.repeat(np.arange(n_personas), 20)
    noise = rng.normal(0, 1, (len(persona), 2))
    answers = np.clip(np.round(3 + (persona[:, None] - 1) * [1.0, -1.0] + noise), 1, 5)
    survey = pd.DataFrame(
        {"customer_id": np.arange(len(persona)), "thr1": answers[:, 0], "thr2": answers[:, 1]}
    )
    labels = pd.Series(persona + 10, index=survey["customer_id"])  # any ids, not just 0..k-1
    golden = select_golden_questions(survey, MINI, labels, max_items=2, cv=4)
    assert golden.persona_ids.tolist() == list(range(10, 10 + n_personas))
    assert golden.coef.shape == (n_personas, 2) and golden.intercept.shape == (n_personas,)
    keyed = keyed_answers(survey, MINI, list(golden.items)).to_numpy()
    z = (keyed - golden.mean) / golden.scale
    reference = LogisticRegression(max_iter=1000).fit(z, persona)
    np.testing.assert_allclose(
        golden.predict_proba(survey).to_numpy(), reference.predict_proba(z), rtol=1e-9, atol=1e-12
    )
    assert golden.predict(survey).isin(golden.persona_ids).all()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_items": 0}, "Got max_items=0, but expected a whole number >= 1."),
        ({"max_items": 2.5}, "Got max_items=2.5, but expected a whole number >= 1."),
        ({"cv": 1}, "Got cv=1, but expected a whole number >= 2."),
        (
            {"target_accuracy": 1.5},
            r"Got target_accuracy=1.5, but expected None or a number in \(0, 1\].",
        ),
        ({"C": 0}, "Got C=0, but expected a positive number."),
        ({"random_state": "x"}, "Got random_state='x', but expected a whole number or None."),
    ],
)
def test_bad_parameters_are_refused(mini_survey, options, message):
    survey, labels = mini_survey
    with pytest.raises(ValueError, match=f"^{message}$"):
        select_golden_questions(survey, MINI, labels, **{"cv": 3, **options})


def test_bad_inputs_are_named(mini_survey):
    survey, labels = mini_survey
    with pytest.raises(ValueError, match=r"Got survey without the item column\(s\) \['thr2'\]"):
        select_golden_questions(survey.drop(columns="thr2"), MINI, labels, cv=3)
    with pytest.raises(
        ValueError,
        match=r"Got 6 respondent\(s\) with a persona \(in both survey and labels, label != -1\), "
        r"but expected at least 10 \(2 \* cv\) to cross-validate with cv=5.",
    ):
        select_golden_questions(survey, MINI, labels.where(labels == 0, -1))
    with pytest.raises(
        ValueError,
        match=r"Got respondents of 1 persona \(\[0\]\), but expected at least 2 personas",
    ):
        select_golden_questions(survey, MINI, labels.where(labels == 0, -1), cv=3)
    with pytest.raises(ValueError, match=r"Got persona\(s\) \[1\] with fewer than cv=5"):
        select_golden_questions(survey, MINI, labels.where(labels.index < 10, 0), cv=5)
    with pytest.raises(ValueError, match=r"Got survey answers \[9.0\] to item 'thr1'"):
        off_scale = survey.assign(thr1=survey["thr1"].where(survey.index > 0, 9))
        select_golden_questions(off_scale, MINI, labels, cv=3)
    with pytest.raises(ValueError, match="has no such item"):
        keyed_answers(survey, MINI, ["thr1", "nope"])
    with pytest.raises(ValueError, match="without a 'customer_id' column or index"):
        keyed_answers(survey.drop(columns="customer_id"), MINI)


def test_errors_name_their_family(mini_survey):
    """A bad parameter is a ConfigError, a table that breaks the contract an InputError
    naming the table, damaged saved questions an ArtifactError; messages unchanged."""
    from persona.errors import ArtifactError, ConfigError, InputError

    survey, labels = mini_survey
    for options in ({"max_items": True}, {"cv": np.int64(1)}, {"C": 0}, {"random_state": 1.0}):
        with pytest.raises(ConfigError):
            select_golden_questions(survey, MINI, labels, **{"cv": 3, **options})
    with pytest.raises(ConfigError, match="expected a persona.Instrument"):
        keyed_answers(survey, "not an instrument")
    with pytest.raises(InputError, match=r"^Got survey without the item column") as caught:
        select_golden_questions(survey.drop(columns="thr2"), MINI, labels, cv=3)
    assert (caught.value.table, caught.value.column) == ("survey", "thr2")
    with pytest.raises(InputError, match="^Got labels with repeated customer_ids") as caught:
        select_golden_questions(survey, MINI, pd.concat([labels, labels]), cv=3)
    assert caught.value.table == "labels"
    golden = select_golden_questions(survey, MINI, labels, max_items=1, cv=3)
    with pytest.raises(ConfigError, match="selected without behaviour"):
        golden.predict_proba(survey, survey)
    saved = golden.to_dict()
    with pytest.raises(ArtifactError, match=r"^Got saved golden questions without \['cv'\]"):
        GoldenQuestions.from_dict({k: v for k, v in saved.items() if k != "cv"})
    with pytest.raises(ArtifactError, match="but expected golden questions saved by"):
        GoldenQuestions.from_dict({**saved, "format": "other/1"})
