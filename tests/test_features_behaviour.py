"""The touchpoint feature families on one sorted part of a log."""

import pandas as pd

from persona.contract import validate_events
from persona.features._behaviour import DAYPARTS, features
from persona.features._log import LogColumns, SortedLog
from persona.features.touchpoints import JourneySettings


def test_the_dayparts_cover_the_day_once():
    hours = [hour for low, high in DAYPARTS.values() for hour in range(low, high)]
    assert hours == list(range(24))


def test_one_customers_sessions_moments_and_value():
    events = pd.DataFrame({
        "customer_id": [1, 1, 1, 1],
        "timestamp": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:01",
                                     "2026-03-02 12:00", "2026-03-12 10:00"]),
        "channel": ["web", "web", "app", "store"],
        "event_type": ["search", "purchase", "write_review", "purchase"],
        "value": [None, 20.0, None, 30.0],
    })  # fmt: skip
    log = LogColumns.from_table(validate_events(events), None)
    part = SortedLog.from_columns(log, next(iter(log.parts(1))))
    columns = features(part, None, None, ["purchase"], JourneySettings())
    assert columns["sessions"].tolist() == [3.0]  # 30 minutes of quiet end a session
    assert columns["purchases"].tolist() == [2.0]
    assert columns["total_spend"].tolist() == [50.0]
    assert columns["research_before_purchase"].tolist() == [0.5]  # the second is 10 days on
    assert columns["share_event_purchase"].tolist() == [0.5]
