"""Timestamp columns: UTC offsets are read as instants, and a column of both kinds is refused."""

import numpy as np
import pandas as pd
import pytest
from helpers_contract import raises

from persona import validate_events
from persona.contract._timestamps import has_utc_offset, minority_of, parse_timestamps
from persona.errors import InputError


def test_an_offset_is_found_after_a_time_of_day_only():
    text = pd.Series(["2026-03-01T09:00:00+01:00", "2026-03-01", "2026-03-01T09:00Z", None])
    assert has_utc_offset(text).tolist() == [True, False, True, False]


def test_the_fewer_kind_is_refused_and_the_naive_ones_on_a_tie():
    assert minority_of(2, 5) == "zoned"
    assert minority_of(5, 2) == minority_of(3, 3) == "naive"
    assert minority_of(0, 3) is None


def test_summer_and_winter_offsets_are_read_as_their_instants_in_utc():
    stamps = ["2026-01-10T09:00:00+01:00", "2026-07-10T09:00:00+02:00"]
    df = pd.DataFrame({"customer_id": [1, 2], "timestamp": stamps})
    parsed = parse_timestamps(df, "events", "timestamp", nullable=False)
    assert parsed.dt.hour.tolist() == [8, 7]
    assert str(parsed.dt.tz) == "UTC"


def test_a_column_of_both_kinds_names_the_rows_of_the_fewer():
    df = pd.DataFrame({"customer_id": [1, 2, 3],
                       "timestamp": ["2026-01-10T09:00+01:00", "2026-01-10T10:00+01:00",
                                     "2026-01-10T11:00"]})  # fmt: skip
    with pytest.raises(InputError, match="events.timestamp: 1 of 3 rows have no UTC offset"):
        parse_timestamps(df, "events", "timestamp", nullable=False)


def test_datetime_values_pass_as_they_are_and_an_optional_column_may_have_gaps():
    stamps = pd.to_datetime(["2026-01-10 09:00", None])
    df = pd.DataFrame({"customer_id": [1, 2], "timestamp": stamps})
    assert parse_timestamps(df, "emotions", "timestamp", nullable=True) is None  # nothing parsed
    text = df.assign(timestamp=["2026-01-10T09:00", None])
    parsed = parse_timestamps(text, "emotions", "timestamp", nullable=True)
    assert parsed.iloc[0] == pd.Timestamp("2026-01-10 09:00") and parsed.isna().tolist()[1]
    with pytest.raises(InputError, match=r"events\.timestamp: 1 of 2 rows have no timestamp"):
        parse_timestamps(text, "events", "timestamp", nullable=False)


# ------------------------------------------------------------------ through validate_events


def test_unparseable_timestamp_names_value_and_customer(contract_events):
    raw = contract_events.astype({"timestamp": str})
    raw.loc[3, "timestamp"] = "yesterday"
    raises(
        [
            "events.timestamp",
            "1 of 4 rows have a timestamp that cannot be parsed",
            "row 3 (customer_id='c3', timestamp='yesterday')",
            "ISO 8601",
        ],
        validate_events,
        raw,
    )


def test_missing_timestamp(contract_events):
    contract_events.loc[1, "timestamp"] = pd.NaT
    raises(
        ["events.timestamp", "have no timestamp", "customer_id='c1'"],
        validate_events,
        contract_events,
    )


def test_utc_offsets_are_read_in_utc_whatever_the_offsets(contract_events):
    raw = contract_events.astype({"timestamp": str})
    raw["timestamp"] = [  # winter and summer time in one export
        "2026-03-01T09:00:00+01:00",
        "2026-03-01T09:05:00+01:00",
        "2026-07-02T18:30:00+02:00",
        "2026-03-04T12:00:00Z",
    ]
    parsed = validate_events(raw)
    assert str(parsed["timestamp"].dt.tz) == "UTC"
    assert (
        parsed["timestamp"].tolist()
        == pd.to_datetime(
            ["2026-03-01 08:00", "2026-03-01 08:05", "2026-07-02 16:30", "2026-03-04 12:00"]
        )
        .tz_localize("UTC")
        .tolist()
    )
    one_offset = validate_events(raw.assign(timestamp=raw["timestamp"].str[:19] + "+01:00"))
    assert str(one_offset["timestamp"].dt.tz) == "UTC"  # the same rule for a single offset
    assert (
        validate_events(raw.assign(timestamp=raw["timestamp"].str[:10]))["timestamp"].dt.tz is None
    )  # dates alone end in what looks like an offset, and are none


def test_timestamps_with_and_without_offsets_refuse_the_fewer_rows(contract_events):
    raw = contract_events.astype({"timestamp": str})
    raw["timestamp"] = [
        "2026-03-01T09:00:00",
        "2026-03-01T09:05:00+01:00",
        "2026-07-02T18:30:00+02:00",
        "2026-03-04T12:00:00+01:00",
    ]
    error = raises(
        [
            "events.timestamp: 1 of 4 rows have no UTC offset",
            "row 0 (customer_id='c1', timestamp='2026-03-01T09:00:00')",
            "give every timestamp its UTC offset",
        ],
        validate_events,
        raw,
    )
    assert error.positions.tolist() == [0]  # what batch scoring rejects the customer by
    raw.loc[[1, 2], "timestamp"] = ["2026-03-01T09:05:00", "2026-07-02T18:30:00"]
    raises(["1 of 4 rows carry a UTC offset", "row 3"], validate_events, raw)
    raw.loc[3, "timestamp"] = "2026-13-45T12:00:00+01:00"  # an offset, but no such day
    raises(["cannot be parsed", "row 3"], validate_events, raw)


def test_numeric_timestamps_are_refused_not_guessed(contract_events):
    contract_events["timestamp"] = np.arange(4) * 1_700_000_000
    raises(["events.timestamp", "unit='s'"], validate_events, contract_events)
