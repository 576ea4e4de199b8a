"""persona.scoring._chunk: pass 3 of a job, one chunk scored -- timestamps with and without a UTC
offset refused by customer as the whole table decides, respondents without answers, refunds
-- and a chunk read back from spill files that changed is refused."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from helpers_scoring import N_SUBSET, scores_in

from persona import InputError, score_files
from persona.scoring._chunk import _chunk_tables, _ChunkMismatch, _mixed_offsets, _without_signal
from persona.scoring._inputs import _source
from persona.scoring._partition import _partition


def _offsets(stamps: pd.Series) -> pd.Series:
    """Wall times with the offset of central European time: +01:00 in winter, +02:00 in summer."""
    summer = stamps.dt.month.between(4, 10).to_numpy()
    return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S") + np.where(summer, "+02:00", "+01:00")


def test_timestamps_with_utc_offsets_are_read_in_utc_or_rejected_by_customer(
    persona_model, subset, tmp_path
):
    tables, _ = subset
    events = tables["events"]
    text = events.assign(timestamp=_offsets(events["timestamp"]))
    folder = tmp_path / "in"
    folder.mkdir()
    text.to_csv(folder / "events.csv", index=False)
    summer = events["timestamp"].dt.month.between(4, 10).to_numpy()
    utc = events["timestamp"] - pd.to_timedelta(np.where(summer, 2, 1), unit="h")
    common = {"scored_at": "2026-11-23T02:00:00Z", "chunk_customers": 300}
    offsets = score_files(persona_model, events=folder / "events.csv", out=tmp_path / "csv",
                          **common)  # fmt: skip
    instants = score_files(persona_model, events=events.assign(timestamp=utc.dt.tz_localize("UTC")),
                           out=tmp_path / "utc", **common)  # fmt: skip
    assert offsets.scored == N_SUBSET and offsets.observation_end == instants.observation_end
    pd.testing.assert_frame_equal(scores_in(tmp_path / "csv"), scores_in(tmp_path / "utc"))

    # some customers' rows without an offset: those customers, not the job, are refused
    ids = np.sort(events["customer_id"].unique())
    naive = ids[[5, 250, 900]]
    mixed = text.copy()
    rows = mixed["customer_id"].isin(naive).to_numpy()
    mixed.loc[rows, "timestamp"] = mixed.loc[rows, "timestamp"].str[:19]
    mixed.to_csv(folder / "mixed.csv", index=False)
    many = score_files(persona_model, events=folder / "mixed.csv", out=tmp_path / "m", **common)
    one = score_files(persona_model, events=folder / "mixed.csv", out=tmp_path / "m1",
                      scored_at=common["scored_at"])  # fmt: skip
    assert many.scored == one.scored == N_SUBSET - 3 and many.rejected == one.rejected == 3
    rejects = pd.read_parquet(tmp_path / "m" / "_rejects").set_index("customer_id")
    assert set(rejects.index) == set(naive)
    n_rows = int((mixed["customer_id"] == naive[0]).sum())
    assert rejects.loc[naive[0], "reason"] == (
        f"events.timestamp: {n_rows} of this customer's rows have no UTC offset, while the "
        "column's other timestamps carry one, so they cannot be placed in time. (give every "
        "timestamp its UTC offset (e.g. '2026-03-01T09:00:00+01:00', or 'Z' for UTC), or none "
        "at all.)"
    )
    pd.testing.assert_frame_equal(scores_in(tmp_path / "m"), scores_in(tmp_path / "m1"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "m1" / "_rejects").set_index("customer_id").sort_index(),
        rejects.sort_index(),
    )  # the table's count decides, not each chunk's
    scored = scores_in(tmp_path / "m")
    kept = scores_in(tmp_path / "csv")
    pd.testing.assert_frame_equal(scored, kept[~kept["customer_id"].isin(naive)]
                                  .reset_index(drop=True))  # fmt: skip

    # an end without a zone for events with one: refused before any chunk
    with pytest.raises(InputError, match=r"events.timestamp: timestamps are in UTC, but "
                       r"observation_end=2026-07-01 has no time zone"):  # fmt: skip
        score_files(persona_model, events=folder / "events.csv", out=tmp_path / "end",
                    observation_end="2026-07-01")  # fmt: skip


def test_refunds_and_respondents_without_answers_are_scored(persona_model, subset, tmp_path):
    tables, end = subset
    events, survey = tables["events"].copy(), tables["survey"].copy()
    items = list(persona_model.instrument.item_names)
    ids = np.sort(events["customer_id"].unique())
    silent = survey["customer_id"].iloc[0]  # a respondent with touchpoints, no answer at all
    survey.loc[survey.index[0], items] = np.nan
    nobody = {"customer_id": 9_000_001, **dict.fromkeys(items, np.nan)}  # nothing but that row
    survey = pd.concat([survey, pd.DataFrame([nobody])], ignore_index=True)
    buyer = events.loc[events["event_type"] == "purchase", "customer_id"].iloc[0]
    refund = events[events["customer_id"] == buyer].iloc[[0]].assign(event_type="purchase",
                                                                     value=-12.5)  # fmt: skip
    events = pd.concat([events, refund], ignore_index=True)
    common = {"observation_end": end, "scored_at": "2026-11-23T02:00:00Z"}
    many = score_files(persona_model, events=events, survey=survey, out=tmp_path / "many",
                       chunk_customers=300, **common)  # fmt: skip
    one = score_files(persona_model, events=events, survey=survey, out=tmp_path / "one", **common)
    assert many.input_customers == N_SUBSET + 1 == many.scored + many.rejected
    assert many.scored == one.scored == N_SUBSET and many.rejected == one.rejected == 1
    scores = scores_in(tmp_path / "many").set_index("customer_id")
    assert "psychographic" not in list(scores.loc[silent, "signals_used"])
    assert buyer in scores.index and set(scores.index) == set(ids)
    rejects = pd.read_parquet(tmp_path / "many" / "_rejects")
    assert rejects["customer_id"].tolist() == [9_000_001]
    assert rejects["reason"].iloc[0].startswith("survey: this customer's only row answers no item")
    assert any("answer no item at all" in w for w in many.warnings)
    pd.testing.assert_frame_equal(scores_in(tmp_path / "many"), scores_in(tmp_path / "one"))


FIX = (
    "(give every timestamp its UTC offset (e.g. '2026-03-01T09:00:00+01:00', or 'Z' for UTC), "
    "or none at all.)"
)


def test_the_rarer_kind_of_text_timestamp_sets_its_customers_aside_in_every_table():
    events = pd.DataFrame({"customer_id": [1, 1, 2, 3, 4], "timestamp": [
        "2026-03-01T09:00:00+01:00", "2026-03-01T10:00:00", "2026-03-02T10:00:00+01:00",
        "not a time", "2026-03-02T11:00:00Z"]})  # fmt: skip
    emotions = pd.DataFrame({"customer_id": [1, 4], "valence": [0.1, 0.2]})
    tables = {"events": events, "emotions": emotions}
    # Counted over the whole table, most rows carry an offset: customer 1's row without one
    # is refused, and the customer with it, in every table; text that is no time is the
    # contract's to refuse, with its own reason.
    kept, rejects = _mixed_offsets(tables, {"events": {"zoned": 30, "naive": 2}})
    assert rejects.to_dict("records") == [{
        "customer_id": 1, "table": "events", "column": "timestamp",
        "reason": "events.timestamp: 1 of this customer's rows have no UTC offset, while the "
        "column's other timestamps carry one, so they cannot be placed in time. " + FIX,
    }]  # fmt: skip
    assert kept["events"]["customer_id"].tolist() == [2, 3, 4]
    assert kept["emotions"]["customer_id"].tolist() == [4]
    # most without: those with one are refused, whatever this chunk's own count says
    kept, rejects = _mixed_offsets(tables, {"events": {"zoned": 2, "naive": 30}})
    assert rejects["customer_id"].tolist() == [1, 2, 4]
    assert rejects["reason"].iloc[1] == (
        "events.timestamp: 1 of this customer's rows carry a UTC offset, while most of the "
        "column's timestamps have none. " + FIX
    )
    assert kept["events"]["customer_id"].tolist() == [3]
    assert list(kept) == ["events"]  # a table left without rows is left out
    # one kind only: nobody is set aside
    assert _mixed_offsets(tables, {}) == (tables, None)


def test_a_customer_known_only_by_a_survey_row_without_answers_is_a_reject():
    survey = pd.DataFrame({"customer_id": [1, 2, 6], "thr1": [np.nan] * 3})
    events = pd.DataFrame({"customer_id": [1, 2]})
    scored = pa.table({"customer_id": [1]})
    rejected = pd.DataFrame({"customer_id": [2], "table": ["events"], "column": ["value"],
                             "reason": ["events.value: ..."]})  # fmt: skip
    silent = _without_signal({"survey": survey, "events": events}, scored, rejected)
    assert silent.to_dict("records") == [{
        "customer_id": 6, "table": "survey", "column": None,
        "reason": "survey: this customer's only row answers no item at all (a non-respondent), "
        "and there is no touchpoint or emotion reading to score.",
    }]  # fmt: skip
    assert _without_signal({"events": events}, scored, rejected) is None  # no survey
    known = pa.table({"customer_id": [1, 6]})
    assert _without_signal({"survey": survey, "events": events}, known, rejected) is None


def test_a_chunk_reads_its_spill_files_and_refuses_one_that_changed(tmp_path):
    emotions = pd.DataFrame({"customer_id": [3, 1, 2], "valence": [0.3, 0.1, 0.2]})
    spills = _partition({"emotions": _source("emotions", emotions, None)},
                        {"bounds": [2], "id_kind": "int"}, tmp_path)  # fmt: skip
    settings = {"sources": None, "spills": spills, "tables": ["emotions"]}
    tables = _chunk_tables(tmp_path, 1, settings)
    assert tables["emotions"].to_dict("list") == {"customer_id": [3, 2], "valence": [0.3, 0.2]}
    assert _chunk_tables(tmp_path, 7, settings) == {}  # no rows in this chunk
    spills["1"]["emotions"]["rows"] = 5
    with pytest.raises(_ChunkMismatch, match=r"chunk 1: the spill file .*chunk-00001.emotions"
                       r"\.arrow holds 2 rows, not 5; it changed since the inputs were "
                       r"partitioned\. Nothing of the chunk was recorded: run the job again "
                       r"with resume=True"):  # fmt: skip
        _chunk_tables(tmp_path, 1, settings)
    (tmp_path / "chunk-00000" / "emotions.arrow").write_bytes(b"")
    with pytest.raises(_ChunkMismatch, match=r"chunk 0: the spill file .* cannot be read"):
        _chunk_tables(tmp_path, 0, settings)
