"""persona.scoring._plan: pass 1 of a job -- every customer numbered once in id order (ids of any
range), chunks cut, the window's end (from Parquet statistics or read), the zones checked
before any chunk."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers_scoring import manifest_in, scores_in

from persona import InputError, score_files
from persona.scoring._inputs import _source
from persona.scoring._plan import _plan, _planned_customers


def test_the_window_end_from_parquet_statistics_equals_the_one_read(persona_model, subset,
                                                                    tmp_path):  # fmt: skip
    """Without observation_end, the plan takes the latest touchpoint from the row groups'
    statistics when every group has them, and reads the column when not: same window."""
    from pyarrow import dataset as ds

    from persona.scoring._plan import _latest_in_statistics

    tables, _ = subset
    events = tables["events"].sort_values("timestamp", kind="stable")
    latest = events["timestamp"].max()
    events = pd.concat([events.iloc[len(events) // 2 :], events.iloc[: len(events) // 2]])
    with_stats, without = tmp_path / "with.parquet", tmp_path / "without.parquet"
    events.to_parquet(with_stats, row_group_size=700)  # the latest in a middle group
    events.to_parquet(without, row_group_size=700, write_statistics=False)
    assert _latest_in_statistics(ds.dataset(with_stats)) == latest
    assert _latest_in_statistics(ds.dataset(without)) is None  # the column is read instead
    survey = tmp_path / "survey.parquet"
    tables["survey"].to_parquet(survey)
    for name, path in (("stats", with_stats), ("read", without)):
        score_files(persona_model, events=path, survey=survey, out=tmp_path / name,
                    chunk_customers=500, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
        assert manifest_in(tmp_path / name)["plan"]["observation_end"] == str(latest)
    pd.testing.assert_frame_equal(scores_in(tmp_path / "stats"), scores_in(tmp_path / "read"))
    zoned = tmp_path / "zoned.parquet"
    events.assign(timestamp=events["timestamp"].dt.tz_localize("UTC")).to_parquet(zoned)
    assert _latest_in_statistics(ds.dataset(zoned)) is None  # zones: read and parsed


def test_ids_of_any_range_are_each_scored_once(persona_model, subset, tmp_path):
    """Small non-negative ids are found through a bitmap, others by hashing; together."""
    tables, end = subset
    ids = np.sort(tables["events"]["customer_id"].unique())
    remap = dict(zip(ids, ids, strict=True))
    remap.update({i: -int(i) - 1 for i in ids[::3]})  # negative
    remap.update({i: int(i) + 2**40 for i in ids[1::3]})  # beyond the bitmap
    small = [i for i in ids if 0 <= remap[i] < 2**20]
    tables = tables | {"survey": tables["survey"][tables["survey"]["customer_id"].isin(small)]}
    # The survey holds small ids only (a bitmap), the other tables all kinds (hashed).
    moved = {k: t.assign(customer_id=t["customer_id"].map(remap)) for k, t in tables.items()}
    only_survey = min(set(range(len(ids) + 1)) - set(remap.values()))  # in no other table
    moved["survey"] = pd.concat(
        [moved["survey"], moved["survey"].iloc[[0]].assign(customer_id=only_survey)]
    )
    score_files(persona_model, **moved, out=tmp_path / "moved", chunk_customers=300,
                observation_end=end, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
    scores = scores_in(tmp_path / "moved")
    assert scores["customer_id"].tolist() == sorted([*remap.values(), only_survey])
    assert manifest_in(tmp_path / "moved")["plan"]["customers"] == len(ids) + 1
    scores = scores[scores["customer_id"] != only_survey]
    score_files(persona_model, **tables, out=tmp_path / "plain", chunk_customers=300,
                observation_end=end, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
    plain = scores_in(tmp_path / "plain").set_index("customer_id")
    back = scores.assign(customer_id=scores["customer_id"].map({v: k for k, v in remap.items()}))
    columns = [c for c in plain.columns if c.startswith("probability_")]
    back = back.set_index("customer_id").loc[plain.index, columns]
    assert np.array_equal(back.to_numpy(), plain[columns].to_numpy())


def _sources(**tables):
    return {name: _source(name, table, None) for name, table in tables.items()}


def _events(ids, stamps):
    return pd.DataFrame({"customer_id": ids, "timestamp": stamps, "channel": "web",
                         "event_type": "product_view"})  # fmt: skip


def test_the_plan_numbers_every_tables_customers_once_and_cuts_chunks():
    events = _events(pd.array([7, 3, None, 3, 11, 5], dtype="Int64"), pd.to_datetime([
        "2026-03-01 09:00", "2026-03-04 10:00", "2026-03-01 08:00", "2026-03-02 00:00",
        "2026-03-03 00:00", "2026-03-01 00:00"]))  # fmt: skip
    survey = pd.DataFrame({"customer_id": [3, 20], "thr1": [4, 2]})
    plan = _plan(_sources(events=events, survey=survey), 2, None, "2026-01-01T03:00:00+01:00")
    assert plan == {
        "customers": 5,  # 3, 5, 7, 11 and 20
        "chunk_customers": 2,
        "n_chunks": 3,
        "bounds": [7, 20],  # chunks [3, 5], [7, 11], [20]
        "id_kind": "int",
        "rows_without_customer": {"events": 1, "survey": 0},
        "observation_end": "2026-03-04 10:00:00",  # the latest touchpoint
        "scored_at": "2026-01-01 02:00:00+00:00",
        "offsets": {},
    }
    assert json.loads(json.dumps(plan)) == plan  # plain JSON, for the manifest
    assert [_planned_customers(plan, k) for k in range(4)] == [2, 2, 1, 0]
    given = _plan(_sources(events=events), 10, "2026-03-31", None)
    assert (given["n_chunks"], given["bounds"], given["observation_end"]) == (
        1, [], "2026-03-31 00:00:00",
    )  # fmt: skip

    survey = pd.DataFrame({"customer_id": ["b", "a", "c", "b"], "thr1": [1, 2, 3, 4]})
    text = _plan(_sources(survey=survey), 2, None, None)
    assert (text["customers"], text["bounds"], text["id_kind"], text["observation_end"]) == (
        3, ["c"], "str", None,
    )  # fmt: skip


def test_text_timestamps_with_offsets_end_the_window_at_the_latest_instant_in_utc():
    stamps = ["2026-03-01T09:00:00+01:00", "2026-03-02T10:00:00+01:00", "2026-03-05T00:00:00",
              "2026-03-01T12:00:00Z"]  # fmt: skip
    events = _sources(events=_events([1, 1, 2, 3], stamps))
    plan = _plan(events, 10, None, None)
    # The latest with an offset, in UTC; the one without (the fewer) is refused by its chunk,
    # so its later time does not end the window.
    assert plan["observation_end"] == "2026-03-02 09:00:00+00:00"
    assert plan["offsets"] == {"events": {"zoned": 3, "naive": 1}}
    with pytest.raises(InputError, match=r"events\.timestamp: timestamps are in UTC, but "
                       r"observation_end=2026-03-10 has no time zone"):  # fmt: skip
        _plan(events, 10, "2026-03-10", None)
    assert _plan(events, 10, "2026-03-10T01:00:00+01:00", None)["observation_end"] == (
        "2026-03-10 01:00:00+01:00"
    )


def test_tables_in_different_zones_or_without_a_touchpoint_time_are_refused():
    events = _events([1, 2], pd.to_datetime(["2026-03-01", "2026-03-02"]).tz_localize("UTC"))
    emotions = pd.DataFrame({"customer_id": [1], "timestamp": pd.to_datetime(["2026-03-01"]),
                             "valence": [0.2]})  # fmt: skip
    with pytest.raises(InputError, match=r"emotions\.timestamp: timestamps are events in UTC, "
                       r"emotions in no time zone, so they cannot be compared"):  # fmt: skip
        _plan(_sources(events=events, emotions=emotions), 10, None, None)
    untimed = _events([1, 2], pd.to_datetime([None, None]))
    untimed_message = r"events\.timestamp: holds no touchpoint with a timestamp\.\n  fix: give "
    with pytest.raises(
        InputError, match=untimed_message + "events with timestamps, or observation_end="
    ):
        _plan(_sources(events=untimed), 10, None, None)
    assert _plan(_sources(events=untimed), 10, "2026-03-31", None)["customers"] == 2
    survey = pd.DataFrame({"customer_id": ["1"], "thr1": [3]})
    with pytest.raises(InputError, match=r"survey\.customer_id: customer ids differ in kind: "
                       r"events holds int ids, survey holds str ids\."):  # fmt: skip
        _plan(_sources(events=events, survey=survey), 10, None, None)
