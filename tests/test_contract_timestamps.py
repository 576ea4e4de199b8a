"""Timestamp columns: UTC offsets are read as instants, and a column of both kinds is refused."""

import pandas as pd
import pytest

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
