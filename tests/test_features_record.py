"""RecordFeatures: one customer's features from a record, equal to the table path's bit for bit."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from persona.datasets import make_customers
from persona.features.builder import FeatureBuilder, with_observation_end
from persona.features.record import RecordFeatures


@pytest.fixture(scope="module")
def base():
    return make_customers(n_customers=1_500, random_state=3)


@pytest.fixture(scope="module")
def builder(base):
    return FeatureBuilder(instrument=base.instrument).fit(
        events=base.events, survey=base.survey, emotions=base.emotions
    )


def _by_customer(table, *, text_times):
    table = table.copy()
    if text_times and "timestamp" in table:
        table["timestamp"] = table["timestamp"].astype(str).replace("NaT", None)
    out = {}
    for customer, rows in table.groupby("customer_id", sort=False):
        records = rows.drop(columns="customer_id").to_dict("records")
        out[customer] = [{k: v for k, v in r.items() if v == v and v is not None} for r in records]
    return out


def _table_row(builder, customer_id, end, **signals):
    """The table path's raw features of one record."""
    tables = {}
    for name, value in signals.items():
        if value is None:
            continue
        if name == "survey":
            items = builder.instrument.item_names
            tables[name] = pd.DataFrame([{"customer_id": customer_id,
                                          **dict.fromkeys(items), **value}])  # fmt: skip
        else:
            tables[name] = pd.DataFrame(value).assign(customer_id=customer_id)
    moved = builder if end is None else with_observation_end(builder, end)
    return moved.compute(**tables).iloc[0][builder.get_feature_names_out()].to_numpy(float)


@pytest.mark.parametrize("text_times", [True, False], ids=["iso-text", "datetime"])
def test_every_customer_of_a_base_gets_the_table_paths_numbers(base, builder, text_times):
    end = base.events["timestamp"].max()
    whole = builder.compute(events=base.events, survey=base.survey, emotions=base.emotions)
    whole = whole[builder.get_feature_names_out()]
    events = _by_customer(base.events, text_times=text_times)
    emotions = _by_customer(base.emotions, text_times=text_times)
    survey = base.survey.set_index("customer_id")
    record = RecordFeatures(builder)
    for customer in whole.index:
        answers = survey.loc[customer].to_dict() if customer in survey.index else None
        row = record.compute(
            customer,
            events=events.get(customer),
            survey=answers,
            emotions=emotions.get(customer),
            observation_end=str(end) if text_times else end,
        )
        assert row is not None, customer  # read without the table path
        np.testing.assert_array_equal(row, whole.loc[customer].to_numpy(), err_msg=str(customer))


EDGE_EVENTS = [
    # three touchpoints in the same second: the order comes from the other columns
    {"timestamp": "2026-03-02T09:00:00", "channel": "web", "event_type": "purchase",
     "value": 20.0, "session_id": "b", "device": "desktop"},
    {"timestamp": "2026-03-02T09:00:00", "channel": "app", "event_type": "search",
     "session_id": "a"},
    {"timestamp": "2026-03-02 09:00:00", "channel": "app", "event_type": "purchase",
     "value": 5, "session_id": "a", "device": "mobile"},
    {"timestamp": "2026-03-20", "channel": "store", "event_type": "product_use",
     "session_id": "c", "moment": "SMOT", "note": "passes through"},
    {"timestamp": "2026-04-01T08:30:00.25", "channel": "social", "event_type": "write_review",
     "session_id": "d", "device": ""},
    # after the observation end: left out
    {"timestamp": "2026-06-01T00:00:00", "channel": "web", "event_type": "purchase",
     "value": 99.0, "session_id": "e"},
]  # fmt: skip
EDGE_READINGS = [
    {"text": "Il pacco è arrivato rotto.", "language": "it"},  # untimed, scored in Italian
    {"timestamp": "2026-03-02T09:00:00", "event_type": "purchase", "valence": 0.5,
     "arousal": 0.4, "joy": 0.9},
    {"timestamp": "2026-03-02T09:00:00", "event_type": "purchase", "valence": -0.2,
     "moment": "UMOT"},  # the moment given wins over the event type's
    {"timestamp": "2026-04-15T12:00:00", "event_type": " ", "text": "Great service, thank you!"},
    {"timestamp": "2026-04-15T12:00:00", "text": "Meh", "valence": 0.1},  # numbers win over text
    # the text gives valence and emotions, the reading's own arousal stays
    {"timestamp": "2026-04-20T10:00:00", "text": "Sono arrabbiatissima!! 😡", "arousal": 0.2},
    {"timestamp": "2026-04-21T10:00:00", "text": "can't wait for the new range ✨"},
]  # fmt: skip


@pytest.mark.parametrize("end", ["2026-05-01T00:00:00", None])
def test_ties_sessions_windows_and_readings_match_the_table_path(builder, end):
    answers = {"thr1": 4, "thr2": 2.0, "con1": None, "dis1": 5}
    events = EDGE_EVENTS if end else EDGE_EVENTS[:-1]
    row = RecordFeatures(builder).compute(
        "c-1", events=events, survey=answers, emotions=EDGE_READINGS, observation_end=end
    )
    assert row is not None
    expected = _table_row(
        builder, "c-1", end, events=events, survey=answers, emotions=EDGE_READINGS
    )
    np.testing.assert_array_equal(row, expected)
    names = list(builder.get_feature_names_out())
    assert row[names.index("behaviour__touchpoints")] == 5.0  # the June purchase is out
    assert row[names.index("behaviour__total_spend")] == 25.0
    assert row[names.index("available__psychographic")] == 1.0
    assert row[names.index("emotion__mean_anger")] > 0  # read from the Italian text
    assert row[names.index("emotion__mean_anticipation")] > 0  # and from the English one


def test_naive_datetimes_and_integer_sessions_match(builder):
    events = [
        {"timestamp": dt.datetime(2026, 1, 5, 9, 0), "channel": "web",
         "event_type": "search", "session_id": 2},
        {"timestamp": pd.Timestamp("2026-01-05 09:10"), "channel": "web",
         "event_type": "purchase", "session_id": 2, "value": 12.5},
        {"timestamp": dt.datetime(2026, 2, 1), "channel": "email",
         "event_type": "newsletter_open", "session_id": 7},
    ]  # fmt: skip
    row = RecordFeatures(builder).compute(7, events=events)
    assert row is not None
    np.testing.assert_array_equal(row, _table_row(builder, 7, None, events=events))


def test_a_refund_takes_the_fast_path_and_nets_spend(builder):
    events = [
        {"timestamp": "2026-01-05T09:10:00", "channel": "web", "event_type": "purchase",
         "value": 40.0},
        {"timestamp": "2026-01-09T12:00:00", "channel": "web", "event_type": "purchase",
         "value": -15.0},
    ]  # fmt: skip
    row = RecordFeatures(builder).compute(8, events=events)
    assert row is not None  # a negative value is the contract's refund, not something unusual
    np.testing.assert_array_equal(row, _table_row(builder, 8, None, events=events))
    names = list(builder.get_feature_names_out())
    assert row[names.index("behaviour__total_spend")] == 25.0
    assert row[names.index("behaviour__purchases")] == 1.0


def test_a_moment_the_record_says_takes_the_fast_path(builder):
    events = [
        {"timestamp": "2026-01-05T09:00:00", "channel": "web", "event_type": "search"},
        {"timestamp": "2026-01-05T09:05:00", "channel": "web", "event_type": "coupon_redeem",
         "moment": "SMOT"},
        {"timestamp": "2026-01-06T10:00:00", "channel": "app", "event_type": "purchase",
         "moment": "FMOT", "value": 9.0},
    ]  # fmt: skip
    row = RecordFeatures(builder).compute(9, events=events)
    assert row is not None  # an event type outside the taxonomy, with its moment: not unusual
    np.testing.assert_array_equal(row, _table_row(builder, 9, None, events=events))
    names = list(builder.get_feature_names_out())
    assert row[names.index("behaviour__share_moment_SMOT")] == 1 / 3
    assert row[names.index("behaviour__share_event_purchase")] == 1 / 3


@pytest.mark.parametrize(
    "signals",
    [
        {"survey": {"thr1": "4"}},  # a number written as text: the table path parses it
        {"survey": {"thr1": 4.5}},  # not a whole answer: the table path refuses it
        {"survey": {"nope": 3}},  # an unknown item
        {"events": [{"timestamp": "2026-01-05T09:00:00Z", "channel": "web",
                     "event_type": "search"}]},  # a zone
        {"events": [{"timestamp": "2026-01-05", "channel": "web",
                     "event_type": "teleport"}]},  # not in the taxonomy: warned about
        {"events": [{"timestamp": "2026-02-30", "channel": "web",
                     "event_type": "search"}]},  # no such day
        {"emotions": [{"valence": 2.0}]},  # out of range
        {"emotions": [{"event_type": "search"}]},  # no signal at all
    ],
    ids=["text-number", "fraction", "unknown-item", "zone", "unknown-event",
         "bad-date", "out-of-range", "no-signal"],
)  # fmt: skip
def test_anything_unusual_goes_to_the_table_path(builder, signals):
    assert RecordFeatures(builder).compute(1, **signals) is None


def test_a_custom_scorer_scores_text_on_the_table_path(base):
    class Constant:
        def score(self, texts, languages=None):
            return pd.DataFrame({"valence": [0.25] * len(texts)})

    custom = FeatureBuilder(instrument=base.instrument, scorer=Constant()).fit(
        events=base.events, emotions=base.emotions
    )
    record = RecordFeatures(custom)
    assert record.compute(1, emotions=[{"text": "fine"}]) is None
    assert record.compute(1, emotions=[{"valence": 0.3}]) is not None


def test_the_reader_pickles_with_the_model_it_caches_on(builder):
    import pickle

    record = pickle.loads(pickle.dumps(RecordFeatures(builder)))
    assert record.compute(1, events=EDGE_EVENTS[:2]) is not None


def test_touchpoints_all_after_the_window_leave_behaviour_empty(builder):
    answers = {"thr1": 4, "dis1": 5}
    end = "2026-01-01T00:00:00"  # before every touchpoint
    row = RecordFeatures(builder).compute(
        "c-2", events=EDGE_EVENTS, survey=answers, observation_end=end
    )
    expected = _table_row(builder, "c-2", end, events=EDGE_EVENTS, survey=answers)
    np.testing.assert_array_equal(row, expected)
    names = list(builder.get_feature_names_out())
    assert row[names.index("available__behaviour")] == 0.0
    assert np.isnan(row[names.index("behaviour__touchpoints")])
