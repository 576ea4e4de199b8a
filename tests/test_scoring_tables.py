"""persona.scoring._tables: score_tables scores whole customers of in-memory tables as
predict_proba and assign_persona do, sets aside the customers whose rows break the
contract with the reason, and portable_assigner reads every kind of model it is given."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers_scoring import base_slice

import persona
from persona.errors import ConfigError, InputError
from persona.scoring import score_tables
from persona.scoring._tables import _stamp, portable_assigner

SCORED_AT = "2026-11-23T03:00:00+01:00"  # stamped in UTC: 02:00


@pytest.fixture(scope="module")
def few(customers):
    """40 whole customers of the session base (some answered the survey), and the model's
    window end."""
    return base_slice(customers, 40)


def _record(tables, customer, end):
    """One customer of the tables as the record assign_persona reads."""
    record = {"customer_id": customer, "observation_end": end}
    rows = {name: table[table["customer_id"] == customer].drop(columns="customer_id")
            for name, table in tables.items()}  # fmt: skip
    record["events"] = [{k: v for k, v in r.items() if v == v}
                        for r in rows["events"].to_dict("records")]  # fmt: skip
    if len(rows["survey"]):
        record["survey"] = rows["survey"].iloc[0].to_dict()
    if len(rows["emotions"]):
        record["emotions"] = [{k: v for k, v in r.items() if v == v}
                              for r in rows["emotions"].to_dict("records")]  # fmt: skip
    return record


def _probabilities(scores) -> np.ndarray:
    columns = [c for c in scores.column_names if c.startswith("probability_")]
    return scores.select(columns).to_pandas().to_numpy()


def test_scores_are_predict_proba_bit_for_bit_one_row_per_customer(persona_model, few):
    tables, end = few
    scores, rejects, raw = score_tables(persona_model, **tables, observation_end=end,
                                        scored_at=SCORED_AT)  # fmt: skip
    expected = persona_model.predict_proba(**tables, observation_end=end)
    ids = [*persona_model.persona_ids_.tolist()]
    assert scores.column_names == [
        "customer_id", "persona_id", "persona_name", "confidence",
        *[f"probability_{p}" for p in ids], "probability_unassigned",
        "reasons", "signals_used", "model_version", "scored_at",
    ]  # fmt: skip
    assert scores.column("customer_id").to_pylist() == expected.index.tolist()  # sorted
    assert np.array_equal(_probabilities(scores), expected.to_numpy())
    assert (
        scores.column("persona_id").to_pylist()
        == persona_model.predict(**tables, observation_end=end).tolist()
    )
    assert np.array_equal(scores.column("confidence").to_numpy(), expected.to_numpy().max(axis=1))
    assert set(scores.column("model_version").to_pylist()) == {persona_model.model_version_}
    assert set(scores.column("scored_at").to_pylist()) == {pd.Timestamp("2026-11-23T02:00:00Z")}
    assert len(rejects) == 0 and raw.index.tolist() == expected.index.tolist()


def test_names_reasons_and_signals_are_assign_persona_s(persona_model, few):
    tables, end = few
    scores = score_tables(persona_model, **tables, observation_end=end, top_reasons=3)[0]
    rows = scores.to_pandas().set_index("customer_id")
    with_survey = set(tables["survey"]["customer_id"])
    chosen = [rows.index[0], rows.index[-1], next(c for c in rows.index if c in with_survey)]
    for customer in chosen:
        assignment = persona.assign_persona(_record(tables, customer, end), persona_model, top=3)
        row = rows.loc[customer]
        assert row["persona_id"] == assignment.persona_id
        assert row["persona_name"] == assignment.name
        assert list(row["reasons"]) == [r["feature"] for r in assignment.reasons]
        assert list(row["signals_used"]) == list(assignment.signals_used)
    assert "psychographic" in list(rows.loc[chosen[2], "signals_used"])

    # without reasons: the same probabilities, and empty lists
    bare = score_tables(persona_model, **tables, observation_end=end, top_reasons=0)[0]
    assert np.array_equal(_probabilities(bare), _probabilities(scores))
    assert set(map(len, bare.column("reasons").to_pylist())) == {0}


def test_a_customer_whose_rows_break_the_contract_is_set_aside_with_the_reason(persona_model, few):
    tables, end = few
    events = tables["events"].copy()
    ids = np.sort(events["customer_id"].unique())
    infinite, blank = ids[2], ids[5]
    rows = np.flatnonzero(events["customer_id"] == infinite)[:2]
    events.loc[rows, "value"] = np.inf  # two of the customer's rows
    events["channel"] = events["channel"].astype(str)
    events.loc[np.flatnonzero(events["customer_id"] == blank)[0], "channel"] = " "
    scores, rejects, _ = score_tables(persona_model, **(tables | {"events": events}),
                                      observation_end=end)  # fmt: skip
    rejects = rejects.set_index("customer_id")
    assert sorted(rejects.index) == sorted([infinite, blank])
    assert rejects.loc[infinite, "reason"] == (
        "events.value: 2 of this customer's rows are infinite. (replace inf with a finite "
        "value, or leave the cell empty (NaN) if value is unknown there.)"
    )
    assert (rejects.loc[blank, "table"], rejects.loc[blank, "column"]) == ("events", "channel")
    assert "have an empty channel" in rejects.loc[blank, "reason"]
    # the others are scored as they would be without the two
    others = {name: t[~t["customer_id"].isin([infinite, blank])] for name, t in tables.items()}
    alone = score_tables(persona_model, **others, observation_end=end)[0]
    assert scores.column("customer_id").to_pylist() == alone.column("customer_id").to_pylist()
    assert np.array_equal(_probabilities(scores), _probabilities(alone))


def test_amounts_that_overflow_a_feature_reject_the_customer_naming_the_feature(persona_model, few):
    tables, end = few
    events = tables["events"].copy()
    customer = events["customer_id"].iloc[0]
    rows = np.flatnonzero(events["customer_id"] == customer)[:2]
    events.loc[rows, ["event_type", "value"]] = ["purchase", 1.7e308]  # finite, their sum not
    scores, rejects, raw = score_tables(persona_model, events=events, observation_end=end)
    assert rejects["customer_id"].tolist() == [customer]
    reject = rejects.iloc[0]
    assert reject["table"] == "events" and reject["column"].startswith("behaviour__")
    assert reject["reason"] == (
        f"{reject['column']}: this customer's numbers are so large that the feature overflows "
        "a float64 (check for corrupt amounts or scores)"
    )
    assert customer not in scores.column("customer_id").to_pylist()
    assert np.isfinite(raw.to_numpy(dtype=float)[~np.isnan(raw.to_numpy(dtype=float))]).all()


def test_a_customer_whose_touchpoints_all_follow_the_window_is_unassigned(persona_model, few):
    tables, _ = few
    customer = tables["events"]["customer_id"].iloc[0]
    events = tables["events"][tables["events"]["customer_id"] == customer]
    before = events["timestamp"].min() - pd.Timedelta(days=1)
    scores = score_tables(persona_model, events=events, observation_end=before)[0].to_pylist()
    assert len(scores) == 1
    (row,) = scores
    assert (row["customer_id"], row["persona_id"], row["persona_name"]) == (
        customer, -1, "unassigned",
    )  # fmt: skip
    assert row["probability_unassigned"] == row["confidence"] == 1.0
    assert row["signals_used"] == [] and row["reasons"] == []


def test_a_table_without_a_required_column_raises_rather_than_rejecting(persona_model, few):
    tables, end = few
    with pytest.raises(InputError, match=r"events\.channel: .*missing the required column"):
        score_tables(persona_model, events=tables["events"].drop(columns="channel"),
                     observation_end=end)  # fmt: skip


def test_a_model_an_assigner_or_their_folder_score_alike(persona_model, few, tmp_path):
    tables, end = few
    folder = persona_model.export_assigner(tmp_path / "assigner")
    results = [
        score_tables(model, **tables, observation_end=end, scored_at=SCORED_AT)[0]
        for model in (persona_model, persona.load_assigner(folder), portable_assigner(folder))
    ]
    assert results[0].equals(results[1]) and results[0].equals(results[2])
    assert portable_assigner(persona_model).model_version == persona_model.model_version_

    with pytest.raises(FileNotFoundError, match=r"holds no manifest\.json: give a folder "
                       r"written by model\.export_assigner\(path\)"):  # fmt: skip
        portable_assigner(tmp_path / "nothing")
    with pytest.raises(ConfigError, match="Got a list; score with a fitted PersonaModel"):
        portable_assigner([persona_model])
    matrix_only = dataclasses.replace(persona.load_assigner(folder), builder=None)
    for call in (lambda: portable_assigner(matrix_only),
                 lambda: score_tables(matrix_only, **tables, observation_end=end)):  # fmt: skip
        with pytest.raises(ConfigError, match="fitted on a feature matrix, so it cannot read"):
            call()


def test_scored_at_is_stamped_in_utc_to_the_second():
    assert _stamp("2026-03-01T09:00:00+01:00") == pd.Timestamp("2026-03-01T08:00:00Z")
    assert _stamp("2026-03-01T09:00:00") == pd.Timestamp("2026-03-01T09:00:00Z")  # naive: UTC
    before = pd.Timestamp.now(tz="UTC").floor("s")
    now = _stamp(None)
    assert str(now.tz) == "UTC" and now == now.floor("s")
    assert before <= now <= pd.Timestamp.now(tz="UTC")
