"""persona.scoring._files: score_files end to end -- the scores are predict_proba's, nothing is
lost or doubled, n_jobs does not change them, the drift report, the command line -- and the
job's summary."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers_scoring import N_SUBSET, part_hashes, scores_in

import persona
from persona import InputError, score_files
from persona.cli import main
from persona.datasets import make_customers
from persona.errors import ArtifactError
from persona.scoring._files import ScoringSummary, drift_of


def test_scores_equal_predict_proba_and_reconcile(persona_model, subset, inputs, tmp_path):
    tables, end = subset
    summary = score_files(persona_model, **inputs, out=tmp_path / "out", chunk_customers=250,
                          observation_end=end, scored_at="2026-11-23T02:00:00Z")  # fmt: skip
    scores = scores_in(tmp_path / "out")
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
    scores = scores_in(tmp_path / "out")
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
    pd.testing.assert_frame_equal(scores_in(tmp_path / "one"), scores)
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
    assert part_hashes(tmp_path / "one") == part_hashes(tmp_path / "two")  # byte for byte
    pd.testing.assert_frame_equal(scores_in(tmp_path / "one"), scores_in(tmp_path / "big"))


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
    assert set(scores_in(tmp_path / "e3")["persona_id"]) == {-1}
    late = scores_in(tmp_path / "e1").set_index("customer_id")
    assert (late["persona_id"] == -1).sum() > 0
    pd.testing.assert_frame_equal(late.drop(columns="scored_at"), scores_in(tmp_path / "e2")
                                  .set_index("customer_id").drop(columns="scored_at"))  # fmt: skip
    customer = int(late.index[late["persona_id"] == -1][0])
    record = {"customer_id": customer, "observation_end": early, "events": [
        {k: v for k, v in r.items() if k != "customer_id" and v == v}
        for r in events[events["customer_id"] == customer].to_dict("records")]}  # fmt: skip
    assert persona.assign_persona(record, persona_model).persona_id == -1

    # overwrite replaces a finished job; another scored_at is another job
    again = score_files(persona_model, events=events, out=tmp_path / "e1", observation_end=early,
                        overwrite=True, scored_at="2026-01-01")  # fmt: skip
    assert str(scores_in(tmp_path / "e1")["scored_at"].iloc[0]).startswith("2026-01-01")
    assert again.scored == N_SUBSET
    with pytest.raises(ValueError, match="holds the output of another scoring job"):
        score_files(persona_model, events=events, out=tmp_path / "e1", observation_end=early,
                    scored_at="2026-02-02")  # fmt: skip


def test_the_summary_reads_as_counts_that_reconcile_and_keeps_in_the_manifest():
    summary = ScoringSummary(
        out="night", input_customers=1_205, scored=1_200, rejected=5,
        rows_without_customer={"events": 2, "survey": 0}, chunks=3,
        observation_end="2026-11-22 00:00:00", scored_at="2026-11-23 02:00:00+00:00",
        model_version="v1", seconds=12.34,
    )  # fmt: skip
    assert str(summary) == (
        "1,205 customers in: 1,200 scored, 5 rejected (see night/_rejects), in 12.3 s\n"
        "rows without a customer_id, left out: {'events': 2}"
    )
    stored = json.loads(json.dumps(summary.to_dict()))  # as the manifest keeps it
    assert stored["drift"] is None and stored["resumed_chunks"] == 0
    stored.pop("drift")
    assert ScoringSummary(**stored) == summary  # what a finished job's rerun returns
    quiet = ScoringSummary(**stored | {"rows_without_customer": {"events": 0}})
    assert str(quiet).count("\n") == 0


def test_drift_of_names_a_folder_it_cannot_compare(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"holds no _manifest\.json: give the output "
                       r"folder of score_files \(persona score\)"):  # fmt: skip
        drift_of(tmp_path)
    (tmp_path / "_manifest.json").write_text(json.dumps({"format": "persona-scores"}))
    with pytest.raises(ArtifactError, match="scored with a model that carries no drift "
                       "reference: refit the model"):  # fmt: skip
        drift_of(tmp_path)
