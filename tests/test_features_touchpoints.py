"""Touchpoint features: exact values on a hand-made journey, lifetimes' RFM, invariances."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from persona import InputError
from persona.contract._journey import DEFAULT_TAXONOMY
from persona.datasets import load_cdnow, make_customers
from persona.errors import ConfigError
from persona.features.touchpoints import (
    JourneySettings,
    behaviour_features,
    first_touchpoints,
    journey_settings,
)

END = pd.Timestamp("2026-03-16")


@pytest.fixture
def journey():
    """Customer a: researches on the web, buys in the app, reviews, later buys and returns
    in store. Customer b: reads a review late at night, then an event outside the taxonomy."""
    rows = [
        ("a", "2026-03-02 09:00:00", "web", "desktop", "search", None),
        ("a", "2026-03-02 09:01:00", "web", "desktop", "product_view", None),
        ("a", "2026-03-02 09:03:00", "app", "mobile", "purchase", 20.0),
        ("a", "2026-03-02 20:00:00", "app", "mobile", "write_review", None),
        ("a", "2026-03-14 14:00:00", "store", "in_store", "purchase", 30.0),
        ("a", "2026-03-14 14:00:30", "store", "in_store", "return", 10.0),
        ("b", "2026-03-03 23:30:00", "social", "mobile", "read_review", None),
        ("b", "2026-03-03 23:31:00", "social", "mobile", "mystery_event", None),
    ]
    frame = pd.DataFrame(
        rows, columns=["customer_id", "timestamp", "channel", "device", "event_type", "value"]
    )
    return frame.assign(timestamp=pd.to_datetime(frame["timestamp"]))


def features_of(events, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the unknown event type of customer b
        return behaviour_features(events, observation_end=END, **kwargs)


def test_hand_made_journey_exact_values(journey):
    a = features_of(journey).loc["a"]
    minute, hour, day = 60, 3600, 86400
    expected = {
        "touchpoints": 6,
        "share_channel_web": 2 / 6,
        "share_channel_app": 2 / 6,
        "share_channel_store": 2 / 6,
        "share_channel_social": 0,
        "share_device_mobile": 2 / 6,
        "n_channels": 3,
        "channel_entropy": math.log(3),
        # sessions: 09:00-09:03 (3 touches), 20:00 (1), Sat 14:00:00-14:00:30 (2)
        "sessions": 3,
        "session_touchpoints": 2,
        "session_minutes": (180 + 0 + 30) / 3 / 60,
        "micro_moment_share": 2 / 3,  # 0 s and 30 s are <= 2 minutes
        "days_between_sessions": ((11 * hour - 3 * minute) / day + (11.75 * day) / day) / 2,
        "channel_switch_across_sessions": 2 / 2,  # web -> app -> store
        "channel_switch_in_session": 1 / 3,  # web-web, web-app, store-store
        "share_moment_ZMOT": 1 / 6,
        "share_moment_FMOT": 1 / 6,
        "share_moment_SMOT": 3 / 6,
        "share_moment_UMOT": 1 / 6,
        # the app purchase follows web research 3 minutes earlier; the store one
        # comes 12 days after it, outside the 7-day window
        "research_before_purchase": 1 / 2,
        "research_other_channel": 1 / 2,
        "expression_after_experience": 1 / 3,  # the review follows the first purchase only
        "journey_backtracking": 1 / 5,  # Z F S U S S: one step back in five
        "share_daypart_morning": 3 / 6,
        "share_daypart_afternoon": 2 / 6,
        "share_daypart_evening": 1 / 6,
        "share_daypart_night": 0,
        "weekend_share": 2 / 6,
        # seconds since the first touch, averaged, over the span to the observation end
        "activity_trend": 2 * ((0 + 60 + 180 + 39600 + 1054800 + 1054830) / 6) / 1177200 - 1,
        "purchases": 2,
        "total_spend": 50,
        "frequency": 1,
        "recency": 12,
        "T": 14,
        "monetary_value": 30,
        "support_per_purchase": 0,
        "return_rate": 1 / 2,
        # every event type of the log has a share column: behaviour in its own vocabulary
        "share_event_search": 1 / 6,
        "share_event_product_view": 1 / 6,
        "share_event_purchase": 2 / 6,
        "share_event_write_review": 1 / 6,
        "share_event_return": 1 / 6,
        "share_event_read_review": 0,
        "share_event_mystery_event": 0,
    }
    for name, value in expected.items():
        assert a["behaviour__" + name] == pytest.approx(value, abs=1e-12), name


def test_customer_without_purchases_gets_nan_not_zero_where_undefined(journey):
    b = features_of(journey).loc["b"]
    assert b["behaviour__purchases"] == 0 and b["behaviour__total_spend"] == 0
    for name in (
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "research_before_purchase",
        "support_per_purchase",
        "return_rate",
        "expression_after_experience",
        "journey_backtracking",
        "days_between_sessions",
    ):
        assert np.isnan(b["behaviour__" + name]), name
    assert b["behaviour__share_moment_ZMOT"] == 0.5  # the unknown event still counts
    assert b["behaviour__channel_entropy"] == 0 and b["behaviour__micro_moment_share"] == 1
    assert b["behaviour__share_daypart_evening"] == 1


def test_a_negative_purchase_is_a_refund_not_a_purchase(journey):
    """Customer a is refunded 5.0 on 2026-03-15: spend nets it, nothing else sees it."""
    refund = journey.iloc[[4]].assign(timestamp=pd.Timestamp("2026-03-15 10:00"), value=-5.0)
    before = features_of(journey).loc["a"]
    after = features_of(pd.concat([journey, refund], ignore_index=True)).loc["a"]
    assert before["behaviour__total_spend"] == 50.0 and after["behaviour__total_spend"] == 45.0
    for name in ("purchases", "frequency", "recency", "T", "monetary_value", "return_rate",
                 "research_before_purchase", "support_per_purchase"):  # fmt: skip
        assert after["behaviour__" + name] == before["behaviour__" + name], name
    assert after["behaviour__purchases"] == 2 and after["behaviour__recency"] == 12


def test_a_moment_column_says_the_moment_of_event_types_the_taxonomy_lacks(journey):
    said = journey.assign(moment=[None] * 7 + ["UMOT"])  # b's mystery_event is an expression
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no row is left without a moment: nothing to warn
        b = behaviour_features(said, observation_end=END).loc["b"]
    assert b["behaviour__share_moment_ZMOT"] == 0.5 and b["behaviour__share_moment_UMOT"] == 0.5
    # the column wins over the taxonomy where it speaks, and only there
    moved = journey.assign(moment=["FMOT"] + [None] * 7)  # a's search, read as FMOT
    a = features_of(moved).loc["a"]
    assert a["behaviour__share_moment_ZMOT"] == 0 and a["behaviour__share_moment_FMOT"] == 2 / 6
    assert a["behaviour__research_before_purchase"] == 0


def test_event_type_columns_default_to_the_frequent_ones(journey):
    only = features_of(journey, event_types=["purchase", "absent_type"])
    assert [c for c in only if "share_event_" in c] == [
        "behaviour__share_event_purchase", "behaviour__share_event_absent_type"]  # fmt: skip
    assert only.loc["a", "behaviour__share_event_absent_type"] == 0
    # 40 event types, type k on k + 1 rows: the 30 most frequent get a column, sorted by name
    kinds = np.repeat([f"t{k:02d}" for k in range(40)], np.arange(1, 41))
    many = pd.DataFrame({"customer_id": np.arange(len(kinds)) % 7, "channel": "web",
                         "timestamp": pd.Timestamp("2026-03-01"), "event_type": kinds})  # fmt: skip
    columns = [c for c in features_of(many) if "share_event_" in c]
    assert columns == [f"behaviour__share_event_t{k:02d}" for k in range(10, 40)]


def test_journey_settings_take_one_name_or_many_and_refuse_the_rest():
    assert JourneySettings(purchase_types="order").purchase_types == ("order",)
    assert JourneySettings(return_types=["refund", "rma"]).return_types == ("refund", "rma")
    with pytest.raises(TypeError, match=r"Got support_types=7, but expected event type names"):
        JourneySettings(support_types=7)
    with pytest.raises(TypeError, match="Got taxonomy of type list, but expected a mapping"):
        JourneySettings(taxonomy=["search"])


def test_a_purchase_named_otherwise_is_said_out_loud(journey):
    from persona.features.builder import FeatureBuilder

    renamed = journey.replace({"event_type": {"purchase": "order_placed"}})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "events: 2 event type.s. are not in the taxonomy")
        with pytest.warns(UserWarning, match=r"no row has an event type of purchase_types=\('p"):
            FeatureBuilder(observation_end=END).fit(events=renamed)
    taxonomy = {**DEFAULT_TAXONOMY, "order_placed": "SMOT", "mystery_event": "UMOT"}
    journey_dict = {"purchase_types": "order_placed", "taxonomy": taxonomy}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        builder = FeatureBuilder(observation_end=END, journey=journey_dict).fit(events=renamed)
    raw = builder.compute(events=renamed)
    assert (
        raw.loc["a", "behaviour__purchases"] == 2 and raw.loc["a", "behaviour__total_spend"] == 50
    )
    with pytest.raises(ValueError, match=r"Got journey settings \['purchase'\], but"):
        FeatureBuilder(journey={"purchase": "order_placed"}).fit(events=renamed)
    with pytest.raises(TypeError, match="Got journey of type int, but expected"):
        FeatureBuilder(journey=3).fit(events=renamed)


def test_unknown_event_types_are_reported_by_name(journey):
    with pytest.warns(
        UserWarning,
        match=r"1 event type\(s\) are not in the taxonomy.*"
        r"'mystery_event' \(1 rows\)",
    ):
        behaviour_features(journey, observation_end=END)
    taxonomy = {**JourneySettings().taxonomy, "mystery_event": "FMOT"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = behaviour_features(
            journey, observation_end=END, settings=JourneySettings(taxonomy=taxonomy)
        ).loc["b"]
    assert b["behaviour__share_moment_FMOT"] == 0.5


def test_any_row_order_and_dtype_gives_the_same_features(journey):
    reference = features_of(journey)
    shuffled = journey.sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(features_of(shuffled), reference)
    categorical = journey.astype({"channel": "category", "event_type": "category"})
    pd.testing.assert_frame_equal(features_of(categorical), reference)


def test_session_id_overrides_the_inactivity_rule(journey):
    # One session for all of a's touches, however far apart.
    with_ids = journey.assign(session_id=np.where(journey["customer_id"] == "a", 1, 2))
    a = features_of(with_ids).loc["a"]
    assert a["behaviour__sessions"] == 1 and a["behaviour__micro_moment_share"] == 0
    shorter = JourneySettings(session_gap=pd.Timedelta(minutes=1))
    # 09:00-09:01 stays one session (a gap of exactly one minute), 09:03 opens another
    assert features_of(journey, settings=shorter).loc["a", "behaviour__sessions"] == 4


def test_observation_end_leaves_later_events_out(journey):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        early = behaviour_features(journey, observation_end="2026-03-05").loc["a"]
    assert early["behaviour__touchpoints"] == 4
    assert early["behaviour__purchases"] == 1 and early["behaviour__T"] == 3


def test_time_zones_use_local_wall_time(journey):
    aware = journey.assign(timestamp=journey["timestamp"].dt.tz_localize("Europe/Rome"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        local = behaviour_features(aware, observation_end=END.tz_localize("Europe/Rome"))
    pd.testing.assert_frame_equal(local, features_of(journey))
    with pytest.raises(ValueError, match="give observation_end in the same zone"):
        behaviour_features(aware, observation_end=END)


def rfm_by_lifetimes(events, end):
    with warnings.catch_warnings():
        # lifetimes sets a pandas option on import that pandas 3 deprecates.
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data

        purchases = events[events["event_type"] == "purchase"]
        return summary_data_from_transaction_data(
            purchases,
            "customer_id",
            "timestamp",
            monetary_value_col="value",
            observation_period_end=end,
            freq="D",
        )


@pytest.mark.parametrize("source", ["synthetic", "cdnow"])
def test_rfm_equals_lifetimes(source):
    if source == "synthetic":
        events = make_customers(n_customers=1_500, random_state=2).events
        end = events["timestamp"].max()
    else:
        data = load_cdnow(sample=True)  # $0 purchases and same-day repeats included
        events, end = data.events, data.observation_end
    expected = rfm_by_lifetimes(events, end)
    ours = behaviour_features(events, observation_end=end)
    buyers = ours.loc[expected.index]
    for column in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(buyers["behaviour__" + column], expected[column], rtol=1e-12)
    non_buyers = ours.drop(expected.index)
    assert non_buyers["behaviour__frequency"].isna().all()
    assert (non_buyers["behaviour__purchases"] == 0).all()


def test_contract_errors_come_first(journey):
    broken = journey.assign(timestamp=journey["timestamp"].astype(str))
    broken.loc[2, "timestamp"] = "later"
    with pytest.raises(InputError, match="events.timestamp: 1 of 8 rows"):
        behaviour_features(broken)


def test_bad_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"taxonomy moments \['TMOT'\]"):
        JourneySettings(taxonomy={"search": "TMOT"})
    with pytest.raises(ValueError, match="Got session_gap=0 days"):
        JourneySettings(session_gap=pd.Timedelta(0))


def test_fixed_channel_columns_for_stable_schemas(journey):
    features = features_of(journey, channels=["web", "app", "store", "email"])
    channel_columns = [c for c in features.columns if c.startswith("behaviour__share_channel")]
    assert channel_columns == [
        f"behaviour__share_channel_{c}" for c in ("web", "app", "store", "email")
    ]
    assert (features["behaviour__share_channel_email"] == 0).all()


def test_reads_parquet_paths(tmp_path, journey):
    journey.to_parquet(tmp_path / "events.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        from_path = behaviour_features(tmp_path / "events.parquet", observation_end=END)
    pd.testing.assert_frame_equal(from_path, features_of(journey))


def test_integer_ids_far_apart_take_the_two_column_sort(journey):
    # Ids 10**15 apart cannot be packed with the time into one 62-bit key.
    numbered = journey.assign(customer_id=journey["customer_id"].map({"a": 7, "b": 10**15}))
    by_number = features_of(numbered.sample(frac=1, random_state=5))
    by_name = features_of(journey)
    assert by_number.index.tolist() == [7, 10**15]
    np.testing.assert_array_equal(by_number.to_numpy(), by_name.to_numpy())


@pytest.mark.parametrize("chunk_rows", [1, 3, 5])
def test_working_in_parts_gives_the_same_features(journey, chunk_rows):
    pd.testing.assert_frame_equal(features_of(journey, chunk_rows=chunk_rows), features_of(journey))
    named = journey.assign(customer_id=journey["customer_id"].map({"a": 11, "b": 4}))
    pd.testing.assert_frame_equal(
        features_of(named, chunk_rows=chunk_rows), features_of(named, chunk_rows=10**6)
    )


def test_parts_on_a_generated_base_match_the_whole():
    events = make_customers(n_customers=800, random_state=6).events
    whole = behaviour_features(events)
    pd.testing.assert_frame_equal(behaviour_features(events, chunk_rows=2_000), whole)
    with pytest.raises(ValueError, match="Got chunk_rows=0, but expected a positive"):
        behaviour_features(events, chunk_rows=0)


# --------------------------------------------------------------------------- the house (issue 22)


def test_settings_and_arguments_that_cannot_work_are_config_errors(journey):
    with pytest.raises(ConfigError, match=r"taxonomy moments \['TMOT'\]"):
        JourneySettings(taxonomy={"search": "TMOT"})
    with pytest.raises(ConfigError, match="Got journey of type int"):
        journey_settings(3)
    # A bool is no count of rows, though Python calls it an int.
    with pytest.raises(ConfigError, match="Got chunk_rows=True, but expected a positive"):
        behaviour_features(journey, chunk_rows=True)
    with pytest.raises(ConfigError, match="Got n=True, but expected a whole number"):
        first_touchpoints(journey, True)
    early, _ = first_touchpoints(journey, np.int64(2))  # a numpy whole number is one
    assert early.groupby("customer_id").size().tolist() == [2, 2]


def test_the_names_of_touchpoints_stay_where_they_were():
    from persona.features import touchpoints

    assert touchpoints.DAYPARTS["night"] == (0, 6)
    assert callable(touchpoints._features)  # the one-record path reads the families here
