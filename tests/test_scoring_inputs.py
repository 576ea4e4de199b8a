"""persona.scoring._inputs: the job's input tables as every pass reads them -- Parquet files and
folders, CSV and TSV, damaged files named -- with one type of customer id, and what makes
the job know its inputs again on resume."""

import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from helpers_scoring import scores_in

from persona import InputError, score_files
from persona.contract import ReadOptions
from persona.scoring._inputs import _batches, _check_columns, _id_kind, _ids_of, _source, _with_ids


def test_a_partitioned_parquet_folder_reads_like_one_file(persona_model, inputs, subset, tmp_path):
    _, end = subset
    events = pd.read_parquet(inputs["events"])
    events["month"] = events["timestamp"].dt.month
    folder = tmp_path / "events"
    events.to_parquet(folder, partition_cols=["month"])
    score_files(persona_model, events=folder, out=tmp_path / "folder", observation_end=end)
    tabs = tmp_path / "events.tsv.gz"  # and a tab-separated, compressed file
    events.drop(columns="month").to_csv(tabs, sep="\t", index=False)
    score_files(persona_model, events=tabs, out=tmp_path / "tsv", observation_end=end)
    c = scores_in(tmp_path / "tsv")
    score_files(persona_model, events=inputs["events"], out=tmp_path / "file", observation_end=end)
    a, b = scores_in(tmp_path / "folder"), scores_in(tmp_path / "file")
    columns = [c for c in a.columns if c.startswith("probability_")]
    assert np.array_equal(a[columns].to_numpy(), b[columns].to_numpy())
    assert np.array_equal(c[columns].to_numpy(), b[columns].to_numpy())
    schema = pq.read_schema(next((tmp_path / "file").glob("part-*.parquet")))
    assert str(schema.field("reasons").type) == "list<element: string>"


def _damaged(source, target, how):
    data = source.read_bytes()
    if how == "truncated":
        target.write_bytes(data[: len(data) // 2])
    else:  # a damaged page in the middle of the file
        spoilt = bytearray(data)
        spoilt[len(data) // 3 : len(data) // 3 + 2_000] = bytes(2_000)
        target.write_bytes(bytes(spoilt))
    return target


@pytest.mark.parametrize("how", ["truncated", "page"])
@pytest.mark.parametrize("chunk_customers", [100, 5_000])
def test_a_damaged_file_is_named(persona_model, inputs, tmp_path, how, chunk_customers):
    events = _damaged(inputs["events"], tmp_path / "events.parquet", how)
    damaged = r"events: could not read '.*events\.parquet': the file is damaged or truncated"
    with pytest.raises(InputError, match=damaged + r" \(.+\)\.\n  fix: write the file again"):
        score_files(persona_model, events=events, survey=inputs["survey"],
                    out=tmp_path / "out", chunk_customers=chunk_customers)  # fmt: skip
    cut = tmp_path / "events.csv.gz"  # a CSV file cut short
    pd.read_parquet(inputs["events"]).to_csv(cut, index=False)
    cut.write_bytes(cut.read_bytes()[:-2_000])
    with pytest.raises(InputError, match=r"events: could not read '.*events\.csv\.gz': the file "
                       r"is damaged or truncated"):  # fmt: skip
        score_files(persona_model, events=cut, out=tmp_path / "csv",
                    chunk_customers=chunk_customers)  # fmt: skip


def test_customer_ids_are_read_as_int64_or_as_text_whatever_their_width():
    narrow = pa.record_batch({"customer_id": pa.array([3, 1], pa.uint32())})
    assert _ids_of(narrow).type == pa.int64() and _ids_of(narrow).to_pylist() == [3, 1]
    codes = pa.record_batch({"customer_id": pa.array(["b", "a", "b"]).dictionary_encode()})
    assert _ids_of(codes).type == pa.string() and _ids_of(codes).to_pylist() == ["b", "a", "b"]
    large = pa.record_batch({"customer_id": pa.array(["b"], pa.large_string())})
    assert _ids_of(large).type == pa.string()
    widened = _with_ids(pa.record_batch({"customer_id": pa.array([7], pa.int8()), "v": [1.0]}),
                        "events")  # fmt: skip
    assert widened.schema.field("customer_id").type == pa.int64()
    assert widened.column("v").to_pylist() == [1.0]
    plain = pa.record_batch({"customer_id": pa.array([7], pa.int64())})
    assert _with_ids(plain, "events") is plain  # nothing to change: the batch itself
    assert (_id_kind(pa.int64(), "events"), _id_kind(pa.large_string(), "events")) == (
        "int", "str",
    )  # fmt: skip


def test_ids_that_are_no_integers_nor_text_or_too_wide_are_refused_by_name():
    too_wide = r"survey\.customer_id: holds customer ids that do not fit a 64-bit signed integer"
    with pytest.raises(InputError, match=too_wide + r" .*\n  fix: give such ids as text"):
        _ids_of(pa.record_batch({"customer_id": pa.array([2**63], pa.uint64())}), "survey")
    with pytest.raises(InputError, match=r"survey\.customer_id: holds customer ids of type "
                       r"double, neither integers nor text"):  # fmt: skip
        _id_kind(pa.float64(), "survey")


def test_a_zip_archive_and_a_table_without_rows_are_refused_by_name(tmp_path):
    archive = tmp_path / "events.csv.zip"
    archive.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"events: '.*events\.csv\.zip' is a zip archive, which "
                       r"cannot be read in batches\.\n  fix: give it as \.csv\.gz"):  # fmt: skip
        _source("events", archive, None)
    ids_only = pa.table({"customer_id": pa.array([], pa.int64())})
    with pytest.raises(InputError, match=r"events: the table is empty \(0 rows\)\."):
        _check_columns(ds.dataset(ids_only), "events")
    with pytest.raises(InputError, match=r"events\.timestamp: lacks the column\(s\) "
                       r"\['timestamp', 'channel', 'event_type'\]"):  # fmt: skip
        _check_columns(ds.dataset(pa.table({"customer_id": [1]})), "events")


def test_a_timestamp_that_does_not_fit_the_format_given_is_named_with_its_row(tmp_path):
    # Past the rows Arrow reads to learn the columns (the first MB): found while streaming.
    n = 40_000
    lines = ["customer_id,timestamp,channel,event_type",
             *(f"{i},01/03/2026 09:{i % 60:02d},web,product_view" for i in range(n)),
             f"{n},yesterday,web,product_view"]  # fmt: skip
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n")
    source = _source("events", path, ReadOptions(timestamp_format="%d/%m/%Y %H:%M"))
    named = rf"\('.*events\.csv'\): .*Row #{n + 2}.* invalid value 'yesterday'"
    fix = r"\n  fix: every timestamp of the file must fit the timestamp_format given"
    with pytest.raises(
        InputError, match=r"events\.timestamp: could not be read in batches " + named + fix
    ):
        list(_batches(source.dataset(), "events"))
    # without a format the timestamps stay text, for the contract to read
    plain = _source("events", path, None).dataset()
    assert plain.schema.field("timestamp").type == pa.string()


def test_a_job_knows_its_inputs_by_content_or_by_file(tmp_path):
    frame = pd.DataFrame({"customer_id": [1, 2], "value": [0.5, 1.0]})
    same = _source("events", frame.copy(), None).identity()
    assert _source("events", frame, None).identity() == same
    assert _source("events", frame.assign(value=[0.5, 2.0]), None).identity() != same

    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    stat = path.stat()
    assert _source("events", path, None).identity() == [
        [str(path.resolve()), stat.st_size, stat.st_mtime_ns]
    ]
    time.sleep(0.01)
    pd.concat([frame, frame]).to_parquet(path)  # written again, another night's file
    assert _source("events", path, None).identity() != [
        [str(path.resolve()), stat.st_size, stat.st_mtime_ns]
    ]
    csv = tmp_path / "events.csv"
    frame.to_csv(csv, index=False)
    comma = _source("events", csv, None).identity()
    semicolon = _source("events", csv, ReadOptions(delimiter=";")).identity()
    assert comma[:-1] == semicolon[:-1] and comma[-1] != semicolon[-1]  # read another way
