"""The event log as arrays: codes by name, journeys sorted by customer then time, any row
order giving the same journey, and the observation window."""

import numpy as np
import pandas as pd
import pytest

import persona.features._log as log_module
from persona.contract import validate_events
from persona.features._log import LogColumns, SortedLog, changes, moment_codes


@pytest.fixture
def events():
    # customer 10 has two touchpoints at the same minute: a tie the other columns break
    return validate_events(
        pd.DataFrame(
            {
                "customer_id": [20, 10, 20, 10, 20, 10],
                "timestamp": pd.to_datetime(
                    [
                        "2026-03-02 10:00",
                        "2026-03-01 09:00",
                        "2026-03-02 09:00",
                        "2026-03-01 09:00",
                        "2026-03-05 09:00",
                        "2026-03-03 12:00",
                    ]
                ),  # fmt: skip
                "channel": ["web", "store", "app", "app", "web", "web"],
                "event_type": [
                    "purchase",
                    "store_visit",
                    "search",
                    "search",
                    "write_review",
                    "purchase",
                ],  # fmt: skip
                "value": [20.0, None, None, None, None, 35.0],
            }
        )
    )


def _journeys(log: SortedLog) -> list[tuple]:
    """Each sorted touchpoint as (customer id, time, channel, event type), by name."""
    return [
        (log.customers[c], t, log.channel_levels[ch], log.event_levels[e])
        for c, t, ch, e in zip(log.customer, log.time, log.channel, log.event_type, strict=True)
    ]


def test_levels_are_numbered_by_name_and_integer_ids_are_their_own_key(events):
    log = LogColumns.from_table(events, None)
    assert log.channel_levels == ["app", "store", "web"]
    assert log.channel.tolist() == [2, 1, 0, 0, 2, 2]
    assert log.event_levels == ["purchase", "search", "store_visit", "write_review"]
    assert log.event_type.tolist() == [0, 2, 1, 1, 3, 0]
    assert log.ids is None and log.customer.tolist() == [20, 10, 20, 10, 20, 10]
    assert log.device is None and log.moment is None and log.session_id is None
    assert np.isnan(log.value).tolist() == [False, True, True, True, True, False]


def test_text_ids_and_categories_are_numbered_in_sorted_order(events):
    table = events.assign(
        customer_id=events["customer_id"].map({20: "b", 10: "a"}),
        channel=pd.Categorical(events["channel"], categories=["web", "fax", "store", "app"]),
    )
    log = LogColumns.from_table(table, None)
    assert log.ids.tolist() == ["a", "b"] and log.customer.tolist() == [1, 0, 1, 0, 1, 0]
    # the unused "fax" is left out and the used ones numbered by name, not category order
    assert log.channel_levels == ["app", "store", "web"]
    assert log.channel.tolist() == [2, 1, 0, 0, 2, 2]


def test_the_journey_runs_by_customer_then_time_with_ties_broken_by_the_other_columns(events):
    log = SortedLog.from_columns(LogColumns.from_table(events, None), None)
    assert log.customers.tolist() == [10, 20] and log.customers.name == "customer_id"
    assert [(c, e) for c, _, _, e in _journeys(log)] == [
        (10, "search"), (10, "store_visit"), (10, "purchase"),  # app before store at 09:00
        (20, "search"), (20, "purchase"), (20, "write_review"),
    ]  # fmt: skip
    assert log.row.tolist() == [3, 1, 5, 2, 0, 4]  # where each came from
    assert log.value[log.row].tolist()[2] == 35.0  # money stays in input order, read by row
    shuffled = events.iloc[[5, 3, 1, 0, 4, 2]]
    again = SortedLog.from_columns(LogColumns.from_table(shuffled, None), None)
    assert _journeys(again) == _journeys(log)


def test_sums_per_customer_and_per_level(events):
    log = SortedLog.from_columns(LogColumns.from_table(events, None), None)
    assert log.n == 2 and log.total.tolist() == [3.0, 3.0]
    # channels app, store, web: customer 10 used each once, customer 20 app once and web twice
    assert log.counts(log.channel, 3).tolist() == [[1, 1, 1], [1, 0, 2]]
    purchases = log.in_event_types(["purchase"])
    assert log.count(purchases).tolist() == [1.0, 1.0]
    assert changes(log.customer).tolist() == [True, False, False, True, False, False]


def test_the_moment_is_the_rows_own_or_its_event_types_in_the_taxonomy(events):
    said = events.assign(moment=[None, "FMOT", None, None, "UMOT", "ZMOT"])
    log = SortedLog.from_columns(LogColumns.from_table(said, None), None)
    taxonomy = {"search": "ZMOT", "purchase": "SMOT"}
    # sorted: 10 search, 10 store_visit (says FMOT), 10 purchase (says ZMOT),
    #         20 search, 20 purchase, 20 write_review (says UMOT); store_visit alone is unknown
    assert log.moment_rank(taxonomy).tolist() == [0, 1, 0, 0, 2, 3]
    plain = SortedLog.from_columns(LogColumns.from_table(events, None), None)
    assert plain.moment_rank(taxonomy).tolist() == [0, -1, 2, 0, 2, -1]
    assert moment_codes(pd.Series(["ZMOT", None, "UMOT", "SMOT"])).tolist() == [0, -1, 3, 2]


def test_the_observation_end_leaves_later_touchpoints_out(events):
    log = LogColumns.from_table(events, "2026-03-02 09:30")
    assert log.customer.tolist() == [10, 20, 10]  # the three touchpoints up to 09:30 on 2 March
    assert log.end == pd.Timestamp("2026-03-02 09:30").value // 1_000  # microseconds
    whole = LogColumns.from_table(events, None)
    assert whole.end == whole.time.max() == pd.Timestamp("2026-03-05 09:00").value // 1_000


def test_zoned_times_are_read_as_local_wall_time_and_the_end_must_share_the_zone(events):
    naive = LogColumns.from_table(events, None)
    rome = events.assign(timestamp=events["timestamp"].dt.tz_localize("Europe/Rome"))
    zoned = LogColumns.from_table(rome, pd.Timestamp("2026-03-05 09:00", tz="UTC"))
    assert zoned.time.tolist() == naive.time.tolist()  # 09:00 in Rome is read as 09:00
    assert zoned.end == pd.Timestamp("2026-03-05 10:00").value // 1_000  # 09:00 UTC is 10:00
    with pytest.raises(ValueError, match=r"^Got observation_end=2026-03-05 00:00:00, but the "
                       r"events' timestamps are in Europe/Rome: give observation_end in the "
                       r"same zone\.$"):  # fmt: skip
        LogColumns.from_table(rome, "2026-03-05")


def test_parts_are_sets_of_whole_customers_in_key_order(events):
    log = LogColumns.from_table(events, None)
    assert list(log.parts(1)) == [None]  # one part: the whole log
    parts = list(log.parts(2))
    assert [log.customer[rows].tolist() for rows in parts] == [[10, 10, 10], [20, 20, 20]]
    assert sorted(np.concatenate(parts).tolist()) == list(range(6))


@pytest.mark.parametrize("far_apart", [False, True])
def test_the_sort_for_large_logs_gives_the_order_of_the_small_one(events, monkeypatch, far_apart):
    if far_apart:  # customer keys too far apart to pack with the time into one integer
        events = events.assign(customer_id=events["customer_id"] * 10**15)
    small = SortedLog.from_columns(LogColumns.from_table(events, None), None)
    monkeypatch.setattr(log_module, "_SMALL_LOG", 0)  # every log takes polars' sort now
    large = SortedLog.from_columns(LogColumns.from_table(events, None), None)
    assert large.row.tolist() == small.row.tolist() == [3, 1, 5, 2, 0, 4]
    assert large.customers.tolist() == small.customers.tolist()
    assert large.customer.tolist() == small.customer.tolist()
