"""score_files: exactly once, resumable after kill -9, n_jobs-invariant, with drift reports."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import persona
from persona import InputError, score_files
from persona.cli import main
from persona.datasets import make_customers

N_SUBSET = 1_200  # customers of the session base scored in most tests


@pytest.fixture(scope="module")
def assigner_path(persona_model, tmp_path_factory):
    return persona_model.export_assigner(tmp_path_factory.mktemp("assigner"))


@pytest.fixture(scope="module")
def subset(customers):
    """A slice of the session base, with the model's window end."""
    ids = np.sort(customers.events["customer_id"].unique())[:N_SUBSET]
    tables = {
        name: table[table["customer_id"].isin(ids)].reset_index(drop=True)
        for name, table in (("events", customers.events), ("survey", customers.survey),
                            ("emotions", customers.emotions))
    }  # fmt: skip
    return tables, customers.events["timestamp"].max()


@pytest.fixture(scope="module")
def inputs(subset, tmp_path_factory):
    """The subset as Parquet files, events sorted by time (as logs arrive)."""
    tables, _ = subset
    folder = tmp_path_factory.mktemp("inputs")
    paths = {}
    for name, table in tables.items():
        if name == "events":
            table = table.sort_values("timestamp", kind="stable")
        paths[name] = folder / f"{name}.parquet"
        table.to_parquet(paths[name])
    return paths


def _scores(out):
    return pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)


def _manifest(out):
    return json.loads((out / "_manifest.json").read_text())


def _part_hashes(out):
    files = sorted(p for p in out.rglob("*.parquet") if "_work" not in p.parts)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_scores_equal_predict_proba_and_reconcile(persona_model, subset, inputs, tmp_path):
    tables, end = subset
    summary = score_files(persona_model, **inputs, out=tmp_path / "out", chunk_customers=250,
                          observation_end=end, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
    scores = _scores(tmp_path / "out")
    expected = persona_model.predict_proba(**tables, observation_end=end)
    columns = [c for c in scores.columns if c.startswith("probability_")]
    assert scores["customer_id"].tolist() == expected.index.tolist()
    assert np.array_equal(scores[columns].to_numpy(), expected.to_numpy())  # bit for bit
    assert (scores["persona_id"].to_numpy() == persona_model.predict(**tables,
            observation_end=end).to_numpy()).all()  # fmt: skip
    assert summary.input_customers == summary.scored == N_SUBSET and summary.rejected == 0
    assert summary.chunks == 5 and len(list((tmp_path / "out").glob("part-*.parquet"))) == 5
    assert str(scores["scored_at"].iloc[0]) == "2026-11-23 02:00:00+00:00"
    # the same customer through assign_persona: the same probabilities
    customer = int(scores["customer_id"].iloc[7])
    record = {"customer_id": customer, "observation_end": end, "events": [
        {k: v for k, v in r.items() if k != "customer_id" and v == v}
        for r in tables["events"][tables["events"]["customer_id"] == customer].to_dict("records")
    ]}  # fmt: skip
    answers = tables["survey"][tables["survey"]["customer_id"] == customer]
    readings = tables["emotions"][tables["emotions"]["customer_id"] == customer]
    if len(answers):
        record["survey"] = answers.drop(columns="customer_id").iloc[0].to_dict()
    if len(readings):
        record["emotions"] = [{k: v for k, v in r.items() if k != "customer_id" and v == v}
                              for r in readings.to_dict("records")]  # fmt: skip
    assignment = persona.assign_persona(record, persona_model)
    row = scores.iloc[7]
    assert [assignment.probabilities[p] for p in [*persona_model.persona_ids_, -1]] == \
        row[columns].tolist()  # fmt: skip
    assert list(row["signals_used"]) == list(assignment.signals_used)


def test_nothing_lost_nothing_doubled(persona_model, subset, tmp_path):
    tables, end = subset
    events, survey, emotions = (tables[k].copy() for k in ("events", "survey", "emotions"))
    ids = np.sort(events["customer_id"].unique())
    events["channel"] = events["channel"].astype(str)
    bad_value, bad_channel, bad_time, refunded = ids[3], ids[4], ids[5], ids[7]
    events.loc[events.index[events["customer_id"] == bad_value][0], "value"] = np.inf
    events.loc[events.index[events["customer_id"] == refunded][0], "value"] = -5.0  # a refund
    events.loc[events.index[events["customer_id"] == bad_channel][0], "channel"] = " "
    events["timestamp"] = events["timestamp"].astype(str)
    events.loc[events.index[events["customer_id"] == bad_time][0], "timestamp"] = "yesterday"
    doubled = events[events["customer_id"] == ids[6]]
    events = pd.concat([events, doubled])  # touchpoints logged twice: still one customer
    twice = survey.iloc[[0]]
    survey = pd.concat([survey, twice])  # one respondent answering twice: rejected
    only_survey = {"customer_id": 9_000_001, **{i: 3 for i in persona_model.instrument.item_names}}
    survey = pd.concat([survey, pd.DataFrame([only_survey])])
    only_emotions = pd.DataFrame({"customer_id": [9_000_002], "valence": [0.4]})
    emotions = pd.concat([emotions, only_emotions])
    nobody = events.iloc[:2].assign(customer_id=None)
    events = pd.concat([events, nobody]).astype({"customer_id": "Int64"})
    folder = tmp_path / "in"
    folder.mkdir()
    events.to_csv(folder / "events.csv", index=False)  # CSV in, with text timestamps
    survey.to_parquet(folder / "survey.parquet")
    emotions.to_parquet(folder / "emotions.parquet")

    summary = score_files(
        persona_model, events=folder / "events.csv", survey=folder / "survey.parquet",
        emotions=folder / "emotions.parquet", out=tmp_path / "out", chunk_customers=400,
        observation_end=end, scored_at="2026-11-23T02:00:00Z",
    )  # fmt: skip
    scores = _scores(tmp_path / "out")
    rejects = pd.read_parquet(tmp_path / "out" / "_rejects").set_index("customer_id")
    everyone = set(ids) | {9_000_001, 9_000_002}
    assert set(scores["customer_id"]) | set(rejects.index) == everyone
    assert not set(scores["customer_id"]) & set(rejects.index)
    assert scores["customer_id"].is_unique and rejects.index.is_unique
    assert summary.input_customers == len(everyone) == summary.scored + summary.rejected
    assert summary.rows_without_customer == {"events": 2, "survey": 0, "emotions": 0}
    assert set(rejects.index) == {bad_value, bad_channel, bad_time, twice["customer_id"].iloc[0]}
    assert rejects.loc[bad_value, "reason"] == (
        "events.value: 1 of this customer's rows are infinite. (replace inf with a finite "
        "value, or leave the cell empty (NaN) if value is unknown there.)"
    )  # the customer's own rows, whoever shares the chunk
    assert refunded in set(scores["customer_id"])  # a negative value is a refund, and passes
    assert "have an empty channel" in rejects.loc[bad_channel, "reason"]
    assert "cannot be parsed" in rejects.loc[bad_time, "reason"]
    assert "repeat a customer_id" in rejects.loc[twice["customer_id"].iloc[0], "reason"]
    scored = scores.set_index("customer_id")
    assert list(scored.loc[9_000_001, "signals_used"]) == ["psychographic"]
    # in one chunk (the inputs read as they are, no spill files): the same rows and rejects
    score_files(
        persona_model, events=folder / "events.csv", survey=folder / "survey.parquet",
        emotions=folder / "emotions.parquet", out=tmp_path / "one", observation_end=end,
        scored_at="2026-11-23T02:00:00Z",
    )  # fmt: skip
    pd.testing.assert_frame_equal(_scores(tmp_path / "one"), scores)
    again = pd.read_parquet(tmp_path / "one" / "_rejects").set_index("customer_id")
    pd.testing.assert_frame_equal(again.sort_index(), rejects.sort_index())
    assert list(scored.loc[9_000_002, "signals_used"]) == ["emotion"]


def test_n_jobs_and_chunking_do_not_change_the_scores(persona_model, inputs, subset, tmp_path):
    _, end = subset
    common = {"observation_end": end, "scored_at": "2026-11-23T02:00:00Z"}
    score_files(persona_model, **inputs, out=tmp_path / "one", chunk_customers=300, **common)
    score_files(persona_model, **inputs, out=tmp_path / "two", chunk_customers=300, n_jobs=2,
                **common)  # fmt: skip
    score_files(persona_model, **inputs, out=tmp_path / "big", chunk_customers=5_000, **common)
    assert _part_hashes(tmp_path / "one") == _part_hashes(tmp_path / "two")  # byte for byte
    pd.testing.assert_frame_equal(_scores(tmp_path / "one"), _scores(tmp_path / "big"))


KILLED_JOB = """
import sys, time
import persona.scoring._files as batch
slow = batch._score_chunk
def score_chunk(*args, **kwargs):  # slow enough to be killed half way
    time.sleep(0.3)
    return slow(*args, **kwargs)
batch._score_chunk = score_chunk
batch.score_files(sys.argv[1], events=sys.argv[2], survey=sys.argv[3], emotions=sys.argv[4],
                  out=sys.argv[5], chunk_customers=100, observation_end=sys.argv[6])
"""


def test_kill_9_then_resume_gives_byte_identical_output(assigner_path, inputs, subset, tmp_path):
    _, end = subset
    args = [str(assigner_path), *(str(inputs[k]) for k in ("events", "survey", "emotions"))]
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(KILLED_JOB))
    out = tmp_path / "killed"
    job = subprocess.Popen([sys.executable, str(script), *args, str(out), str(end)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill once a few chunks are done
        if (out / "_manifest.json").exists() and len(_manifest(out).get("chunks", {})) >= 3:
            break
        time.sleep(0.02)
    os.kill(job.pid, signal.SIGKILL)
    job.wait()
    finished = len(_manifest(out)["chunks"])
    assert 3 <= finished < 12, "the job was not killed half way"
    with pytest.raises(ValueError, match="unfinished \\(interrupted\\?\\): pass resume=True"):
        score_files(assigner_path, **inputs, out=out, chunk_customers=100, observation_end=end)

    resumed = score_files(assigner_path, **inputs, out=out, chunk_customers=100,
                          observation_end=end, resume=True)  # fmt: skip
    clean = tmp_path / "clean"
    manifest = _manifest(out)
    score_files(assigner_path, **inputs, out=clean, chunk_customers=100, observation_end=end,
                scored_at=manifest["plan"]["scored_at"])  # fmt: skip
    assert resumed.resumed_chunks == finished and resumed.scored == N_SUBSET
    assert _part_hashes(out) == _part_hashes(clean)
    assert not (out / "_work").exists()

    # rerunning the finished job is a no-op
    before = {p: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    again = score_files(assigner_path, **inputs, out=out, chunk_customers=100, observation_end=end)
    assert again.scored == N_SUBSET
    assert {p: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")} == before


def test_the_drift_report_flags_a_shifted_base_and_not_a_fresh_sample(persona_model, tmp_path):
    fresh = make_customers(n_customers=3_000, random_state=11)
    tables = {"events": fresh.events, "survey": fresh.survey, "emotions": fresh.emotions}
    quiet = score_files(persona_model, **tables, out=tmp_path / "fresh",
                        drift_report=tmp_path / "fresh-drift")  # fmt: skip
    assert not quiet.drift.refit_recommended, quiet.drift.flags
    assert (tmp_path / "fresh-drift" / "drift.html").exists()

    shifted = fresh.events.copy()
    shifted["value"] = shifted["value"] * 4  # spend inflates ...
    shifted["channel"] = shifted["channel"].astype(str).replace({"store": "app", "web": "app"})
    loud = score_files(persona_model, events=shifted, emotions=fresh.emotions,  # ... no surveys
                       out=tmp_path / "shifted", drift_report=tmp_path / "drift")  # fmt: skip
    assert loud.drift.refit_recommended
    report = json.loads((tmp_path / "drift" / "drift.json").read_text())
    assert report["refit_recommended"] is True
    flags = " ".join(report["flags"])
    assert "psychographic" in flags and "behaviour__share_channel_app" in flags
    assert "refit" in (tmp_path / "drift" / "drift.html").read_text().lower()


def test_the_command_line_scores_resumes_and_reports_drift(assigner_path, inputs, subset,
                                                           tmp_path, capsys):  # fmt: skip
    _, end = subset
    out = tmp_path / "out"
    argv = ["score", str(assigner_path), "--events", str(inputs["events"]), "--survey",
            str(inputs["survey"]), "--emotions", str(inputs["emotions"]), "--out", str(out),
            "--chunk-customers", "500", "--observation-end", str(end), "--quiet"]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"{N_SUBSET:,} customers in: {N_SUBSET:,} scored, 0 rejected" in printed
    assert main(argv) == 0  # finished: nothing to do
    assert main(["drift", str(out), "--report", str(tmp_path / "drift")]) == 0
    assert "drift report written to" in capsys.readouterr().out
    assert (tmp_path / "drift" / "drift.json").exists()
    other = [("300" if a == "500" else a) for a in argv]  # another job, same folder
    assert main(other) == 2
    assert "holds the output of another scoring job" in capsys.readouterr().err


def test_bad_jobs_are_refused_with_what_to_do(persona_model, inputs, tmp_path):
    with pytest.raises(ValueError, match="Got no input: pass at least one of events="):
        score_files(persona_model, out=tmp_path / "a")
    with pytest.raises(InputError, match=r"events: the table is empty \(0 rows and no columns"):
        score_files(persona_model, events=pd.DataFrame(), out=tmp_path / "a")
    bare = pd.read_parquet(inputs["events"]).drop(columns="channel")
    with pytest.raises(InputError, match=r"events.channel: lacks the column\(s\) \[.channel.\]"):
        score_files(persona_model, events=bare, out=tmp_path / "b")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("mine")
    for overwrite in (False, True):  # overwrite replaces a scoring job, never other files
        with pytest.raises(ValueError, match="is not empty and holds no scoring job"):
            score_files(persona_model, **inputs, out=tmp_path / "c", overwrite=overwrite)
    assert (tmp_path / "c" / "keep.txt").read_text() == "mine"
    survey = pd.read_parquet(inputs["survey"]).astype({"customer_id": str})
    with pytest.raises(InputError, match="customer ids differ in kind"):
        score_files(persona_model, events=inputs["events"], survey=survey, out=tmp_path / "d")
    with pytest.raises(ValueError, match="chunk_customers=0"):
        score_files(persona_model, **inputs, out=tmp_path / "e", chunk_customers=0)


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
    c = _scores(tmp_path / "tsv")
    score_files(persona_model, events=inputs["events"], out=tmp_path / "file", observation_end=end)
    a, b = _scores(tmp_path / "folder"), _scores(tmp_path / "file")
    columns = [c for c in a.columns if c.startswith("probability_")]
    assert np.array_equal(a[columns].to_numpy(), b[columns].to_numpy())
    assert np.array_equal(c[columns].to_numpy(), b[columns].to_numpy())
    schema = pq.read_schema(next((tmp_path / "file").glob("part-*.parquet")))
    assert str(schema.field("reasons").type) == "list<element: string>"


def test_files_whose_categories_differ_are_read_together(persona_model, inputs, subset, tmp_path):
    _, end = subset
    events = pd.read_parquet(inputs["events"]).sort_values("customer_id")
    folder = tmp_path / "events"
    folder.mkdir()
    halves = np.array_split(np.arange(len(events)), 2)
    for i, rows in enumerate(halves):  # each file its own categories (Arrow dictionaries)
        part = events.iloc[rows].copy()
        part["channel"] = part["channel"].astype(str).astype("category")
        part.to_parquet(folder / f"part-{i}.parquet")
    score_files(persona_model, events=folder, out=tmp_path / "out", observation_end=end,
                chunk_customers=300)  # fmt: skip
    expected = persona_model.predict_proba(events=events, observation_end=end)
    scores = _scores(tmp_path / "out")
    columns = [c for c in scores.columns if c.startswith("probability_")]
    assert np.array_equal(scores[columns].to_numpy(), expected.to_numpy())


def test_edge_jobs_found_in_review(persona_model, subset, tmp_path):
    tables, end = subset
    events, survey = tables["events"], tables["survey"]
    # integer ids of two widths meet as integers, not as floats
    wide = survey.astype({"customer_id": "uint64"})
    summary = score_files(persona_model, events=events, survey=wide, out=tmp_path / "w",
                          chunk_customers=500, observation_end=end)  # fmt: skip
    assert summary.scored == N_SUBSET
    assert str(pq.read_schema(tmp_path / "w" / "part-00000.parquet").field("customer_id").type) \
        == "int64"  # fmt: skip

    # every customer rejected: the job finishes, and says there is no drift to report
    bad = events.assign(value=np.inf)
    summary = score_files(persona_model, events=bad, out=tmp_path / "r", observation_end=end,
                          drift_report=tmp_path / "r-drift")  # fmt: skip
    assert summary.scored == 0 and summary.rejected == N_SUBSET and summary.drift is None
    with pytest.raises(ValueError, match="scored no customer"):
        persona.scoring._files.drift_of(tmp_path / "r")

    # text ids, a first chunk of rejected customers: every part has the same id type
    text = {k: v.astype({"customer_id": str}) for k, v in tables.items()}
    first = sorted(text["events"]["customer_id"].unique())[:20]
    text["events"].loc[text["events"]["customer_id"].isin(first), "value"] = np.inf
    score_files(persona_model, **text, out=tmp_path / "s", chunk_customers=20,
                observation_end=end)  # fmt: skip
    assert len(pd.read_parquet(tmp_path / "s")) == N_SUBSET - 20

    # touchpoints all after the window: those customers are scored without behaviour
    early = events["timestamp"].quantile(0.05)
    one = score_files(persona_model, events=events, out=tmp_path / "e1", observation_end=early)
    many = score_files(persona_model, events=events, out=tmp_path / "e2", observation_end=early,
                       chunk_customers=300)  # fmt: skip
    before = events["timestamp"].min() - pd.Timedelta(days=1)  # whole chunks without a touch
    none = score_files(persona_model, events=events, out=tmp_path / "e3", observation_end=before,
                       chunk_customers=600)  # fmt: skip
    assert one.scored == many.scored == none.scored == N_SUBSET
    assert set(_scores(tmp_path / "e3")["persona_id"]) == {-1}
    late = _scores(tmp_path / "e1").set_index("customer_id")
    assert (late["persona_id"] == -1).sum() > 0
    pd.testing.assert_frame_equal(late.drop(columns="scored_at"), _scores(tmp_path / "e2")
                                  .set_index("customer_id").drop(columns="scored_at"))  # fmt: skip
    customer = int(late.index[late["persona_id"] == -1][0])
    record = {"customer_id": customer, "observation_end": early, "events": [
        {k: v for k, v in r.items() if k != "customer_id" and v == v}
        for r in events[events["customer_id"] == customer].to_dict("records")]}  # fmt: skip
    assert persona.assign_persona(record, persona_model).persona_id == -1

    # overwrite replaces a finished job; another scored_at is another job
    again = score_files(persona_model, events=events, out=tmp_path / "e1", observation_end=early,
                        overwrite=True, scored_at="2026-01-01")  # fmt: skip
    assert str(_scores(tmp_path / "e1")["scored_at"].iloc[0]).startswith("2026-01-01")
    assert again.scored == N_SUBSET
    with pytest.raises(ValueError, match="holds the output of another scoring job"):
        score_files(persona_model, events=events, out=tmp_path / "e1", observation_end=early,
                    scored_at="2026-02-02")  # fmt: skip


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
        assert _manifest(tmp_path / name)["plan"]["observation_end"] == str(latest)
    pd.testing.assert_frame_equal(_scores(tmp_path / "stats"), _scores(tmp_path / "read"))
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
    scores = _scores(tmp_path / "moved")
    assert scores["customer_id"].tolist() == sorted([*remap.values(), only_survey])
    assert _manifest(tmp_path / "moved")["plan"]["customers"] == len(ids) + 1
    scores = scores[scores["customer_id"] != only_survey]
    score_files(persona_model, **tables, out=tmp_path / "plain", chunk_customers=300,
                observation_end=end, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
    plain = _scores(tmp_path / "plain").set_index("customer_id")
    back = scores.assign(customer_id=scores["customer_id"].map({v: k for k, v in remap.items()}))
    columns = [c for c in plain.columns if c.startswith("probability_")]
    back = back.set_index("customer_id").loc[plain.index, columns]
    assert np.array_equal(back.to_numpy(), plain[columns].to_numpy())


def test_chunk_numbers_count_the_bounds_like_a_binary_search():
    import pyarrow as pa

    from persona.scoring._partition import _chunk_of
    from persona.scoring._plan import _SeenIds

    rng = np.random.default_rng(0)
    values = rng.integers(-1_000, 1_000_000, 50_000)
    for n_bounds in (1, 5, 16, 40):
        bounds = np.sort(rng.choice(values, n_bounds, replace=False))
        expected = np.searchsorted(bounds, values, side="right")
        assert np.array_equal(_chunk_of(pa.array(values), bounds), expected)
        with_nulls = pa.array(values, mask=values % 7 == 0)
        assert np.array_equal(_chunk_of(with_nulls, bounds),
                              np.where(values % 7 == 0, -1, expected))  # fmt: skip
    seen = _SeenIds()
    assert seen.add(np.array([5, 3, 5])) and seen.add(np.array([1_000, 0]))  # grows
    assert not seen.add(np.array([2, -1])) and not seen.add(np.array([2**26]))
    assert np.flatnonzero(seen.bitmap).tolist() == [0, 3, 5, 1_000]


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from persona.scoring._folder import _job_lock
with _job_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def test_one_job_at_a_time_per_folder_and_a_dead_holder_does_not_block(persona_model, inputs,
                                                                        tmp_path):  # fmt: skip
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "hold.py"
    script.write_text(textwrap.dedent(HOLD_THE_LOCK))
    holder = subprocess.Popen([sys.executable, str(script), str(out)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ValueError, match=rf"Another scoring job \(pid {holder.pid} on .+, "
                           r"started .+\) is writing to .+: wait for it to finish"):  # fmt: skip
            score_files(persona_model, **inputs, out=out, resume=True)
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: the kernel lets it go
        holder.wait()
        holder.stdout.close()
    assert not (out / "_manifest.json").exists()  # the refused job wrote nothing

    # workers of an ended job, still on a chunk, hold the folder too
    worker = os.open(out / "_workers.lock", os.O_RDWR)
    fcntl.flock(worker, fcntl.LOCK_SH)
    try:
        with pytest.raises(ValueError, match="Worker processes of an earlier scoring job"):
            score_files(persona_model, **inputs, out=out)
    finally:
        os.close(worker)

    # the lock is held while the job runs, and the lock files survive overwrite
    held = []
    score_chunk = persona.scoring._files._score_chunk

    def probe(*args, **kwargs):
        other = os.open(out / "_job.lock", os.O_RDWR)
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(other)
        return score_chunk(*args, **kwargs)

    persona.scoring._files._score_chunk = probe
    try:
        summary = score_files(persona_model, **inputs, out=out, chunk_customers=600)
        again = score_files(persona_model, **inputs, out=out, chunk_customers=400, overwrite=True)
    finally:
        persona.scoring._files._score_chunk = score_chunk
    assert summary.scored == again.scored == N_SUBSET and held == [True] * 5
    assert json.loads((out / "_job.lock").read_text())["pid"] == os.getpid()


class _Stop(Exception):
    pass


def _interrupted(persona_model, inputs, out, after, **settings):
    """Run a job that stops once ``after`` chunks are scored, as a crash would."""
    score_chunk = persona.scoring._files._score_chunk

    def stop(scorer, reference, work, folder, k, *args, **kwargs):
        if k >= after:
            raise _Stop
        return score_chunk(scorer, reference, work, folder, k, *args, **kwargs)

    persona.scoring._files._score_chunk = stop
    try:
        with pytest.raises(_Stop):
            score_files(persona_model, **inputs, out=out, **settings)
    finally:
        persona.scoring._files._score_chunk = score_chunk


def test_a_chunk_without_its_customers_is_never_finished(persona_model, inputs, tmp_path):
    settings = {"chunk_customers": 100, "scored_at": "2026-11-23T02:00:00Z"}
    score_files(persona_model, **inputs, out=tmp_path / "clean", **settings)

    # a spill file removed after a crash is made again from the inputs, not scored empty
    out = tmp_path / "out"
    _interrupted(persona_model, inputs, out, after=2, **settings)
    shutil.rmtree(out / "_work" / "chunk-00005")
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET and resumed.resumed_chunks == 2
    assert _part_hashes(out) == _part_hashes(tmp_path / "clean")

    # a chunk recorded without its customers (what the empty spill gave) is scored again
    out = tmp_path / "recorded"
    _interrupted(persona_model, inputs, out, after=3, **settings)
    manifest = _manifest(out)
    empty = pq.read_table(out / "part-00001.parquet").slice(0, 0)
    pq.write_table(empty, out / "part-00001.parquet")
    manifest["chunks"]["1"] |= {"scored": 0, "rejected": 0,
                                "sha256": _part_hashes(out)["part-00001.parquet"]}  # fmt: skip
    (out / "_manifest.json").write_text(json.dumps(manifest))
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET and resumed.resumed_chunks == 2
    assert _part_hashes(out) == _part_hashes(tmp_path / "clean")

    # a spill file gone while the job runs: the chunk is refused, named, and not recorded
    out = tmp_path / "gone"
    partition = persona.scoring._files._partition

    def lose_one(*args):
        spills = partition(*args)
        (args[2] / "chunk-00003" / "events.arrow").unlink()
        return spills

    persona.scoring._files._partition = lose_one
    try:
        with pytest.raises(ValueError, match=r"chunk 3: the spill file .*chunk-00003.events\.arrow"
                           r" cannot be read .* run the job again with resume=True"):  # fmt: skip
            score_files(persona_model, **inputs, out=out, **settings)
    finally:
        persona.scoring._files._partition = partition
    assert "3" not in _manifest(out)["chunks"]
    resumed = score_files(persona_model, **inputs, out=out, resume=True, **settings)
    assert resumed.scored == N_SUBSET
    assert _part_hashes(out) == _part_hashes(tmp_path / "clean")


def test_out_is_never_the_inputs_folder_nor_other_files(persona_model, inputs, assigner_path,
                                                       tmp_path):  # fmt: skip
    folder = tmp_path / "d"
    folder.mkdir()
    events = folder / "events.parquet"
    shutil.copy(inputs["events"], events)
    for out in (folder, tmp_path):  # the input's folder, or one above it
        with pytest.raises(ValueError, match=r"holds the job's events input '.*events\.parquet'"
                           r": the scores would mix with the inputs, and overwrite would "
                           r"delete them\. Write the scores to a folder of their own"):  # fmt: skip
            score_files(persona_model, events=events, out=out, overwrite=True)
    assert events.exists()
    parts = tmp_path / "events"  # a Parquet folder: not it, nor a folder inside it
    parts.mkdir()
    shutil.copy(inputs["events"], parts / "a.parquet")
    with pytest.raises(ValueError, match="holds the job's events input"):
        score_files(persona_model, events=parts, out=parts, overwrite=True)
    with pytest.raises(ValueError, match=r"is inside the job's events input .*: its part files "
                       "would be read as part of that input"):  # fmt: skip
        score_files(persona_model, events=parts, out=parts / "scores")
    model = shutil.copytree(assigner_path, tmp_path / "models" / "assigner")
    with pytest.raises(ValueError, match="holds the job's model"):
        score_files(model, events=events, out=model.parent, overwrite=True)
    assert (parts / "a.parquet").exists() and (model / "manifest.json").exists()

    other = tmp_path / "other"  # a manifest, but not a scoring job's
    other.mkdir()
    (other / "_manifest.json").write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ValueError, match="holds no scoring job .*even with overwrite=True"):
        score_files(persona_model, events=events, out=other, overwrite=True)
    assert (other / "_manifest.json").exists()

    # out an existing file: named, not a FileExistsError
    plain = tmp_path / "scores.parquet"
    plain.write_bytes(b"not a folder")
    with pytest.raises(ValueError, match=r"out='.*scores\.parquet' is a file, not a folder"):
        score_files(persona_model, events=events, out=plain)
    with pytest.raises(ValueError, match="the output folder cannot be made"):
        score_files(persona_model, events=events, out=plain / "scores")


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
    pd.testing.assert_frame_equal(_scores(tmp_path / "csv"), _scores(tmp_path / "utc"))

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
    pd.testing.assert_frame_equal(_scores(tmp_path / "m"), _scores(tmp_path / "m1"))
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "m1" / "_rejects").set_index("customer_id").sort_index(),
        rejects.sort_index(),
    )  # the table's count decides, not each chunk's
    scored = _scores(tmp_path / "m")
    kept = _scores(tmp_path / "csv")
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
    scores = _scores(tmp_path / "many").set_index("customer_id")
    assert "psychographic" not in list(scores.loc[silent, "signals_used"])
    assert buyer in scores.index and set(scores.index) == set(ids)
    rejects = pd.read_parquet(tmp_path / "many" / "_rejects")
    assert rejects["customer_id"].tolist() == [9_000_001]
    assert rejects["reason"].iloc[0].startswith("survey: this customer's only row answers no item")
    assert any("answer no item at all" in w for w in many.warnings)
    pd.testing.assert_frame_equal(_scores(tmp_path / "many"), _scores(tmp_path / "one"))
