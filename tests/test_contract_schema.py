"""Input contracts: every broken table fails with the table, column, rows and fix.

Which table must have which columns, ids, scales and ranges; what passes untouched; how
the tables must agree. The generic column checks are in test_contract_checks.py, reading
files in test_contract_tables.py and timestamp columns in test_contract_timestamps.py."""

import numpy as np
import pandas as pd
import pytest
from helpers_contract import raises

from persona import (
    InputError,
    validate_demographics,
    validate_emotions,
    validate_events,
    validate_inputs,
    validate_survey,
)


@pytest.fixture
def emotions():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c2"],
            "timestamp": pd.to_datetime(["2026-03-01 09:06", "2026-03-02 18:40", None]),
            "valence": [0.8, -0.4, np.nan],
            "arousal": [0.6, 0.9, np.nan],
            "joy": [0.9, np.nan, np.nan],
            "text": [None, None, "The parcel arrived broken."],
        }
    )


# ------------------------------------------------------------------ valid input


def test_valid_tables_pass_untouched(
    contract_events, contract_survey, emotions, contract_instrument
):
    before = contract_events.copy(), contract_survey.copy(), emotions.copy()
    assert validate_events(contract_events) is contract_events
    assert validate_survey(contract_survey, contract_instrument) is contract_survey
    assert validate_emotions(emotions) is emotions
    for original, kept in zip(before, (contract_events, contract_survey, emotions), strict=True):
        pd.testing.assert_frame_equal(original, kept)


def test_text_timestamps_and_numbers_are_parsed_without_touching_the_input(contract_events):
    raw = contract_events.astype({"timestamp": str, "value": str}).replace({"value": {"nan": None}})
    raw_copy = raw.copy()
    parsed = validate_events(raw)
    pd.testing.assert_frame_equal(raw, raw_copy)  # caller's frame untouched
    assert parsed["timestamp"].tolist() == contract_events["timestamp"].tolist()
    np.testing.assert_array_equal(parsed["value"], contract_events["value"])
    assert parsed.index.equals(contract_events.index) and list(parsed.columns) == list(
        contract_events.columns
    )


# ------------------------------------------------------------------ events


def test_unknown_moment(contract_events):
    contract_events["moment"] = ["ZMOT", "SMOT", "first", None]
    raises(
        ["events.moment", "outside ['ZMOT', 'FMOT', 'SMOT', 'UMOT']", "'first'"],
        validate_events,
        contract_events,
    )


def test_a_negative_value_is_a_refund_and_passes(contract_events):
    contract_events.loc[3, "value"] = -80.5  # refunds written as negative amounts
    assert validate_events(contract_events) is contract_events
    raw = contract_events.astype({"value": object})
    raw.loc[3, "value"] = "-80.5"
    assert validate_events(raw)["value"].tolist()[3] == -80.5


def test_null_session_id(contract_events):
    contract_events["session_id"] = [1, 1, None, 3]
    raises(["events.session_id", "row 2"], validate_events, contract_events)


# ------------------------------------------------------------------ survey


def test_duplicate_respondents(contract_survey, contract_instrument):
    contract_survey.loc[2, "customer_id"] = "c1"
    raises(
        [
            "survey.customer_id",
            "2 of 3 rows repeat a customer_id",
            "row 0",
            "row 2",
            "drop_duplicates",
        ],
        validate_survey,
        contract_survey,
        contract_instrument,
    )


def test_answer_outside_the_item_scale(contract_survey, contract_instrument):
    contract_survey.loc[1, "thr2"] = 7
    raises(
        [
            "survey.thr2",
            "outside [1, 5]",
            "row 1 (customer_id='c2', thr2=7.0)",
            "whole numbers from 1 to 5",
        ],
        validate_survey,
        contract_survey,
        contract_instrument,
    )
    contract_survey.loc[1, "thr2"] = 4
    contract_survey.loc[1, "nov1"] = 7  # fine on the 1..7 item
    assert validate_survey(contract_survey, contract_instrument) is contract_survey


def test_non_integer_and_non_numeric_answers(contract_survey, contract_instrument):
    contract_survey.loc[0, "nov1"] = 3.5
    raises(
        ["survey.nov1", "not whole numbers", "3.5"],
        validate_survey,
        contract_survey,
        contract_instrument,
    )
    contract_survey = contract_survey.astype({"nov1": object})
    contract_survey.loc[0, "nov1"] = "agree"
    raises(
        ["survey.nov1", "not a number", "'agree'"],
        validate_survey,
        contract_survey,
        contract_instrument,
    )


def test_infinite_answer(contract_survey, contract_instrument):
    contract_survey.loc[2, "thr1"] = -np.inf
    raises(
        ["survey.thr1", "infinite", "row 2"], validate_survey, contract_survey, contract_instrument
    )


def test_unknown_columns_and_missing_items(contract_survey, contract_instrument):
    raises(
        ["survey.age", "does not know: ['age']", "needs-mini"],
        validate_survey,
        contract_survey.assign(age=30),
        contract_instrument,
    )
    raises(
        ["survey.nov1", "lacks item(s)", "['nov1']"],
        validate_survey,
        contract_survey.drop(columns="nov1"),
        contract_instrument,
    )


def test_a_respondent_without_any_answer_is_left_out_with_a_warning(
    contract_survey, contract_instrument
):
    contract_survey.loc[1, ["thr1", "thr2", "nov1"]] = np.nan
    with pytest.warns(UserWarning, match=r"survey: 1 of 3 rows answer no item at all \(first: "
                      r"row 1 \(customer_id='c2'\)\); they are left out"):  # fmt: skip
        checked = validate_survey(contract_survey, contract_instrument)
    assert checked["customer_id"].tolist() == ["c1", "c3"] and len(contract_survey) == 3
    contract_survey.loc[:, ["thr1", "thr2", "nov1"]] = np.nan  # nobody answered: no survey at all
    with pytest.warns(UserWarning, match="3 of 3 rows answer no item"):
        assert (
            validate_inputs(survey=contract_survey, instrument=contract_instrument).survey is None
        )


# ------------------------------------------------------------------ emotions


def test_emotion_scores_out_of_range(emotions):
    emotions.loc[1, "valence"] = -1.5
    raises(["emotions.valence", "outside [-1, 1]", "row 1", "-1.5"], validate_emotions, emotions)
    emotions.loc[1, "valence"] = -0.5
    emotions.loc[0, "joy"] = 1.2
    raises(["emotions.joy", "outside [0, 1]"], validate_emotions, emotions)


def test_emotion_reading_without_signal(emotions):
    emotions.loc[2, "text"] = ""
    raises(["emotions", "neither a score nor a text", "row 2"], validate_emotions, emotions)
    raises(
        ["emotions", "no signal column"],
        validate_emotions,
        emotions[["customer_id", "timestamp"]],
    )


def test_emotion_infinite_score(emotions):
    emotions.loc[0, "arousal"] = np.inf
    raises(["emotions.arousal", "infinite"], validate_emotions, emotions)


# ------------------------------------------------------------------ demographics and together


def test_demographics_need_unique_ids_and_finite_numbers():
    people = pd.DataFrame({"customer_id": [1, 2, 2], "age": [30.0, 40.0, 50.0]})
    raises(["demographics.customer_id", "repeat"], validate_demographics, people)
    people = pd.DataFrame({"customer_id": [1, 2], "income": [1e4, np.inf]})
    raises(["demographics.income", "infinite"], validate_demographics, people)


def test_inputs_must_agree_on_the_id_type(contract_events, contract_survey, contract_instrument):
    inputs = validate_inputs(contract_events, contract_survey, instrument=contract_instrument)
    assert inputs.events is contract_events and inputs.emotions is None
    raises(
        ["survey.customer_id", "holds int ids while events holds str ids"],
        validate_inputs,
        contract_events,
        contract_survey.assign(customer_id=[1, 2, 3]),
        instrument=contract_instrument,
    )
    raises(["survey", "without an instrument"], validate_inputs, contract_events, contract_survey)


def test_validation_scales_to_a_generated_base():
    from persona.datasets import make_customers

    data = make_customers(n_customers=300, random_state=3)
    inputs = validate_inputs(
        data.events, data.survey, data.emotions, data.demographics, instrument=data.instrument
    )
    assert inputs.events is data.events
    assert inputs.survey is data.survey
    assert inputs.emotions is data.emotions
    assert inputs.demographics is data.demographics


def test_inputs_must_agree_on_time_zones(contract_events, emotions):
    aware = emotions.assign(timestamp=emotions["timestamp"].dt.tz_localize("Europe/Rome"))
    raises(
        [
            "emotions.timestamp",
            "events in no time zone, emotions in Europe/Rome",
            "tz_localize('UTC')",
        ],
        validate_inputs,
        contract_events,
        emotions=aware,
    )
    both = validate_inputs(
        contract_events.assign(timestamp=contract_events["timestamp"].dt.tz_localize("UTC")),
        emotions=aware.assign(timestamp=aware["timestamp"].dt.tz_convert("UTC")),
    )
    assert str(both.events["timestamp"].dt.tz) == "UTC"


def test_trusted_tables_skip_checks_only_inside_the_block():
    from persona.contract._schema import trusted, validate_events

    bad = pd.DataFrame({"customer_id": [1], "timestamp": ["not a date"], "channel": ["web"],
                        "event_type": ["search"]})  # fmt: skip
    with trusted(bad):
        assert validate_events(bad) is bad  # the builder vouches for what it validated
        with pytest.raises(InputError, match="cannot be parsed"):
            validate_events(bad.copy())  # any other object is checked
    with pytest.raises(InputError, match="cannot be parsed"):
        validate_events(bad)


# ------------------------------------------------------------------ the house (issue 22)


def test_the_mixed_offset_rule_is_still_read_from_the_schema():
    # Batch scoring imports these three names from persona.contract._schema.
    from persona.contract import _schema, _timestamps

    assert _schema._MIXED_OFFSETS is _timestamps.MIXED_OFFSETS
    assert _schema._has_utc_offset is _timestamps.has_utc_offset
    assert _schema._minority_of(1, 3) == "zoned"
