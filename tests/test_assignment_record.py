"""A record read into the assigner's feature row: the numpy path, stored features, skipped
questions, and every malformed record named as an InputError."""

import math

import numpy as np
import pytest
from helpers_assignment import customer_record, customer_tables

import persona
from persona import InputError, assign_persona


def test_many_records_take_the_numpy_path_and_agree_with_predict(persona_model, customers, end):
    whole = persona_model.predict_proba(**customer_tables(customers), observation_end=end)
    ids = whole.index[np.random.default_rng(1).choice(len(whole), 300, replace=False)]
    reader = persona.assignment.assignment_parts(persona_model).record
    for customer in ids:
        record = customer_record(customers, customer, end)
        signals = {k: record.get(k) for k in ("events", "survey", "emotions")}
        assert reader.compute(customer, **signals, observation_end=end) is not None
        assignment = assign_persona(record, persona_model)
        expected = {int(k): float(v) for k, v in whole.loc[customer].items()}
        assert assignment.probabilities == expected, customer


def test_stored_features_give_the_same_answer(persona_model, customers, sample_ids):
    raw = persona_model.features_.compute(**customer_tables(customers))[
        persona_model.feature_names_out_
    ]
    for customer in sample_ids:
        values = raw.loc[customer]
        stored = {k: (None if math.isnan(v) else float(v)) for k, v in values.items()}
        by_features = assign_persona({"customer_id": customer, "features": stored}, persona_model)
        expected = persona_model.probabilities_.loc[customer]
        assert by_features.probabilities == {int(k): float(v) for k, v in expected.items()}
        # a partial feature-store row, in any order, is fine too
        partial = dict(reversed([(k, v) for k, v in stored.items() if v is not None]))
        assert assign_persona({"customer_id": customer, "features": partial}, persona_model) \
            .probabilities == by_features.probabilities  # fmt: skip


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (["not", "a", "mapping"], "record: got a list, not a mapping"),
        ({"customer_id": 1, "shoe_size": 42}, r"record: has unknown field\(s\) \['shoe_size'\]"),
        ({"events": []}, "record.customer_id: has no customer_id"),
        ({"customer_id": 1, "features": {"behaviour__nope": 1.0}},
         r"record.features: 1 unknown feature\(s\), first \['behaviour__nope'\]"),
        ({"customer_id": 1, "features": {"behaviour__touchpoints": "many"}},
         "record.features: 1 feature value\\(s\\) are not numbers: \\[\"behaviour__touchpoints="),
        ({"customer_id": 1, "features": {"behaviour__touchpoints": True}},
         "are not numbers"),
        ({"customer_id": 1, "features": {}, "events": [{"timestamp": "2026-01-01"}]},
         "record: has both features and \\['events'\\]"),
        ({"customer_id": 1, "survey": ["a"]}, "record.survey: survey is not a mapping"),
        ({"customer_id": 1, "events": [{"customer_id": 2, "timestamp": "2026-01-01",
                                        "channel": "web", "event_type": "search"}]},
         "record.events: events carry another customer's id"),
    ],
)  # fmt: skip
def test_malformed_records_are_named(persona_model, record, message):
    with pytest.raises(InputError, match=message):
        assign_persona(record, persona_model)


def test_invalid_signals_fail_with_the_batch_paths_errors(persona_model):
    record = {"customer_id": 1, "events": [
        {"timestamp": "2026-01-01T10:00:00", "channel": "web", "event_type": "search"},
        {"timestamp": "not a date", "channel": "web", "event_type": "purchase"},
    ]}  # fmt: skip
    with pytest.raises(InputError, match="events.timestamp: 1 of 2 rows have a timestamp"):
        assign_persona(record, persona_model)
    record["events"][1] = {"timestamp": "2026-01-02", "channel": "web",
                           "event_type": "purchase", "value": float("inf")}  # fmt: skip
    with pytest.raises(InputError, match=r"events.value: 1 of 2 rows are infinite\."):
        assign_persona(record, persona_model)
    record["events"][1] = {"timestamp": "2026-01-02", "channel": "web", "event_type": "teleport"}
    with pytest.warns(UserWarning, match="'teleport' \\(1 rows\\)"):
        assign_persona(record, persona_model)
    with pytest.raises(TypeError, match="assign with a fitted PersonaModel"):
        assign_persona({"customer_id": 1}, object())
    assert persona.Assignment  # public


def test_records_may_leave_skipped_questions_out(persona_model, customers, end):
    customer = customers.survey["customer_id"].iloc[0]
    answers = customers.survey.set_index("customer_id").loc[customer]
    some = {k: float(v) for k, v in list(answers.items())[:5]}
    padded = {**dict.fromkeys(answers.index), **some}
    short = assign_persona({"customer_id": customer, "survey": some}, persona_model)
    full = assign_persona({"customer_id": customer, "survey": padded}, persona_model)
    assert short.probabilities == full.probabilities
    assert short.signals_used == ("psychographic",)


def test_infinite_features_are_refused_not_scored(persona_model, customers):
    with pytest.raises(InputError, match=r"feature value\(s\) are infinite: \['behaviour__total"):
        assign_persona({"customer_id": 1, "features": {"behaviour__total_spend": math.inf}},
                       persona_model)  # fmt: skip
    matrix = persona_model.features_.transform(**customer_tables(customers)).iloc[:3].copy()
    matrix.iloc[0, 5] = np.inf
    with pytest.raises(ValueError, match="holds infinite values in \\[.psychographic__con"):
        persona_model.predict_proba(matrix)
