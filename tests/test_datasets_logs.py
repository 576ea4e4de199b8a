"""Real behavioural logs turned into events: CDNOW purchases and ad journeys, read here from
small hand-made files laid out as the packages ship them, so every row can be worked out."""

import gzip

import numpy as np
import pandas as pd
import pytest

from persona.contract import validate_events
from persona.datasets import _logs
from persona.datasets._logs import _mta_events, load_cdnow, load_mta_paths

MASTER = """ customer_id  date number_of_cds  dollar_value
 00001 19970101  1   11.77
 00002 19970112  1   12.00
 00002 19970112  5   77.00
 00003 19980630  2    0.00
"""
SAMPLE = """ 00002 0001 19970112  1   12.00
 00002 0001 19970112  5   77.00
"""
PATHS = pd.DataFrame(
    {"path": ["eta > iota", "alpha"], "total_conversions": [2, 0],
     "total_conversion_value": [30.0, 0.0], "total_null": [1, 2]}
)  # fmt: skip


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """lifetimes' and mta's files, as the packages lay them out, in a folder of their own."""
    (tmp_path / "lifetimes" / "datasets").mkdir(parents=True)
    (tmp_path / "lifetimes" / "datasets" / "CDNOW_master.txt").write_text(MASTER)
    (tmp_path / "lifetimes" / "datasets" / "CDNOW_sample.txt").write_text(SAMPLE)
    (tmp_path / "mta" / "data").mkdir(parents=True)
    with gzip.open(tmp_path / "mta" / "data" / "data.csv.gz", "wt") as stream:
        PATHS.to_csv(stream, index=False)
    monkeypatch.setattr(_logs, "package_dir", lambda name, purpose: tmp_path / name)
    return tmp_path


# --------------------------------------------------------------------------- cdnow


def test_each_cdnow_line_is_a_web_purchase_at_midnight(shipped):
    data = load_cdnow()
    events = data.events
    assert events["customer_id"].tolist() == ["00001", "00002", "00002", "00003"]  # text ids
    assert events["timestamp"].tolist() == [
        pd.Timestamp("1997-01-01"), pd.Timestamp("1997-01-12"), pd.Timestamp("1997-01-12"),
        pd.Timestamp("1998-06-30"),
    ]  # fmt: skip
    assert set(events["channel"]) == {"web"} and set(events["event_type"]) == {"purchase"}
    assert events["value"].tolist() == [11.77, 12.0, 77.0, 0.0]
    assert events["quantity"].tolist() == [1, 1, 5, 2]
    assert data.notes == {"zero_value_purchases": 1, "same_day_repeat_rows": 1}
    assert data.observation_end == pd.Timestamp("1998-06-30")
    pd.testing.assert_frame_equal(validate_events(events), events)


def test_the_cdnow_sample_keeps_the_master_ids(shipped):
    sample = load_cdnow(sample=True)
    assert sample.events["customer_id"].tolist() == ["00002", "00002"]  # not the 0001 renumbering
    assert sample.events["value"].tolist() == [12.0, 77.0]
    assert sample.description.startswith("CDNOW purchase log (1/10th sample): ")


def test_a_cdnow_file_without_the_expected_columns_names_them(shipped):
    master = shipped / "lifetimes" / "datasets" / "CDNOW_master.txt"
    master.write_text(MASTER.replace("dollar_value", "dollars"))
    with pytest.raises(ValueError, match=r"CDNOW from the package 'lifetimes' lacks the "
                       r"column\(s\) \['dollar_value'\]"):  # fmt: skip
        load_cdnow()


# --------------------------------------------------------------------------- mta


def test_each_journey_of_a_path_row_is_a_customer_and_a_conversion_ends_in_a_purchase():
    events = _mta_events(PATHS, expand=True)
    # row 0 stands for 2 converted journeys then 1 that was not; row 1 for 2 unconverted ones
    per_customer = events.groupby("customer_id")["event_type"].apply(list).to_dict()
    assert per_customer == {
        "mta-000001": ["ad_click", "ad_click", "purchase"],
        "mta-000002": ["ad_click", "ad_click", "purchase"],
        "mta-000003": ["ad_click", "ad_click"],
        "mta-000004": ["ad_click"],
        "mta-000005": ["ad_click"],
    }
    first = events[events["customer_id"] == "mta-000001"]
    assert first["channel"].tolist() == ["eta", "iota", "iota"]  # bought on the last channel
    assert first["value"].iloc[2] == 15.0 and first["value"].iloc[:2].isna().all()  # 30 / 2
    start = pd.Timestamp("2024-01-01")
    assert first["timestamp"].tolist() == [start + pd.Timedelta(hours=h) for h in range(3)]
    assert (events.groupby("customer_id")["timestamp"].min() == start).all()


def test_one_customer_per_path_row_when_not_expanded():
    events = _mta_events(PATHS, expand=False)
    assert events["customer_id"].tolist() == ["path-00001"] * 3 + ["path-00002"]
    assert events["event_type"].tolist() == ["ad_click", "ad_click", "purchase", "ad_click"]
    assert events["value"].iloc[2] == 15.0  # the row's value per conversion, as when expanded
    assert np.isnan(events["value"].iloc[3])


def test_the_mta_loader_reads_the_shipped_file_and_counts_what_it_holds(shipped):
    data = load_mta_paths()
    assert data.notes["rows"] == 2 and data.notes["journeys"] == 5
    assert data.notes["converted_journeys"] == 2
    pd.testing.assert_frame_equal(data.events, _mta_events(PATHS, expand=True))
    pd.testing.assert_frame_equal(validate_events(data.events), data.events)
    assert load_mta_paths(expand=False).events["customer_id"].nunique() == 2
