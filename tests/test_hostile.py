"""Bad, odd and hostile input, as an attacker's battery sends it: a named error or a valid
answer, never a crash, never a non-finite probability, and work bounded by the input's size.

The defects a battery found are pinned one by one; a seeded, bounded Hypothesis fuzz of records
and tables through assign_persona, score_tables and the HTTP app keeps its spirit.
"""

import asyncio
import dataclasses
import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona import InputError, assign_persona, load_assigner
from persona._manifest import sha256 as _sha256
from persona.features.text import _SCORE_NAMES, comment_scores
from persona.scoring import score_tables

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # seeded: the same cases on every run, so a failure reproduces
    database=None,
    suppress_health_check=list(HealthCheck),
)
EVENT = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view"}
PURCHASE = {"timestamp": "2025-10-01T11:00:00", "channel": "web", "event_type": "purchase"}


def _valid(assignment) -> bool:
    values = list(assignment.probabilities.values())
    return (
        all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)
        and math.isclose(sum(values), 1.0, abs_tol=1e-9)
        and math.isfinite(assignment.confidence)
    )


@pytest.fixture(scope="module")
def portable(persona_model, tmp_path_factory):
    return load_assigner(persona_model.export_assigner(tmp_path_factory.mktemp("assigner")))


# --------------------------------------------------------------------------- long texts


@pytest.mark.parametrize(
    "text",
    [
        "The delivery was late but the product is great. " * 2_000,  # 98 KB of sentences
        "word " * 20_000,  # one run-on sentence
        "x" * 100_000,  # one "word" without a space
        "ma non è per niente " * 5_000,  # a negation and a contrast every few words
        "😡❤️" * 25_000,  # emoji only
        "?!\n" * 30_000,  # clause ends only
        ":( " * 30_000,
    ],
    ids=["sentences", "run-on", "no-space", "cues", "emoji", "stops", "emoticons"],
)
def test_a_long_or_odd_text_is_read_whole_to_finite_scores_in_range(text):
    # One pass over the text: the cost is linear (benchmarks/text.py times 1, 10, 100 KB).
    for language in ("en", "it", None):
        scores, read_in = comment_scores(text, language)
        assert len(scores) == len(_SCORE_NAMES) and read_in in ("en", "it")
        assert all(math.isfinite(v) for v in scores)
        assert -1 <= scores[0] <= 1 and all(0 <= v <= 1 for v in scores[1:])


# --------------------------------------------------------------------------- numbers


def test_huge_but_finite_values_never_give_a_non_finite_probability(persona_model, portable):
    for model in (persona_model, portable):
        far = assign_persona(
            {"customer_id": 1, "features": {"psychographic__thrift": 1e308}}, model
        )
        assert _valid(far) and far.persona_id == -1  # far from every persona: unassigned
        X = pd.DataFrame(
            [[1e308] * len(portable.feature_names)], columns=portable.feature_names
        ).astype(float)
        assert np.isfinite(model.predict_proba(X).to_numpy()).all()


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"features": {"psychographic__thrift": 10**400}}, "features['psychographic__thrift']"),
        ({"survey": {"thr1": 10**400}}, "survey['thr1']"),
        ({"events": [{**PURCHASE, "value": 10**400}]}, "events[0]['value']"),
        ({"emotions": [{"valence": 10**400}]}, "emotions[0]['valence']"),
    ],
)
def test_an_integer_too_large_for_a_float_is_named(persona_model, record, where):
    with pytest.raises(InputError, match=re.escape(f"too large for a float64 ({where})")):
        assign_persona({"customer_id": 1, **record}, persona_model)


def test_sums_that_overflow_are_refused_in_a_record_and_rejected_in_a_table(
    persona_model, customers
):
    huge = [EVENT, {**PURCHASE, "value": 1.7e308}, {**PURCHASE, "value": 1.7e308}]
    with pytest.raises(InputError, match=r"behaviour__total_spend.*overflow a float64"):
        assign_persona({"customer_id": 1, "events": huge}, persona_model)
    events = customers.events[customers.events["customer_id"].isin(customers.truth.index[:40])]
    events = events.copy()
    victim = events["customer_id"].iloc[0]
    rows = events.index[events["customer_id"] == victim][:2]
    events.loc[rows, ["event_type", "value"]] = ["purchase", 1.7e308]
    scores, rejects, _ = score_tables(
        persona_model, events=events, observation_end=customers.events["timestamp"].max()
    )
    assert rejects["customer_id"].tolist() == [victim]
    assert rejects["column"].tolist() == ["behaviour__total_spend"]
    assert "overflows a float64" in rejects["reason"].iloc[0]
    assert scores.num_rows == events["customer_id"].nunique() - 1
    probabilities = scores.select([c for c in scores.column_names if c.startswith("probab")])
    assert np.isfinite(probabilities.to_pandas().to_numpy()).all()


# --------------------------------------------------------------------------- ids and lists


@pytest.mark.parametrize(
    ("customer_id", "message"),
    [
        ({"a": 1}, "customer_id of type dict"),
        (float("nan"), "customer_id of type float"),
        (True, "customer_id of type bool"),
        (2**70, "customer_id of type int"),
        ("", "customer_id of type str"),
        ("\ud800", "not text UTF-8 can encode"),
    ],
)
def test_loose_ids_are_refused_with_stored_features_too(persona_model, customer_id, message):
    for record in (
        {"customer_id": customer_id, "features": {"psychographic__thrift": 1.0}},
        {"customer_id": customer_id, "events": [EVENT]},
    ):
        with pytest.raises(InputError, match=message):
            assign_persona(record, persona_model)


def test_empty_lists_and_an_empty_survey_mean_no_such_signal(persona_model):
    nothing = assign_persona({"customer_id": 1}, persona_model)
    for empty in ({"events": []}, {"emotions": []}, {"survey": {}}):
        got = assign_persona({"customer_id": 1, **empty}, persona_model)
        assert got.probabilities == nothing.probabilities and got.signals_used == ()
    some = assign_persona({"customer_id": 1, "events": [EVENT], "emotions": []}, persona_model)
    alone = assign_persona({"customer_id": 1, "events": [EVENT]}, persona_model)
    assert some.probabilities == alone.probabilities


# --------------------------------------------------------------------------- the artifact


def _rewrite(folder, name, change):
    path = folder / name
    body = json.loads(path.read_text())
    change(body)
    path.write_text(json.dumps(body))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = _sha256(path)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_arrays_of_another_export_are_refused_even_with_their_checksum(persona_model, tmp_path):
    import copy

    mine = persona_model.export_assigner(tmp_path / "mine")
    other = copy.deepcopy(persona_model)
    pattern, fitted = next(iter(other.assigner_.models_.items()))
    other.assigner_.models_[pattern] = dataclasses.replace(fitted, coef=fitted.coef * 1.01)
    other._publish()
    theirs = other.export_assigner(tmp_path / "theirs")
    shutil.copyfile(theirs / "assigner.npz", mine / "assigner.npz")
    manifest = json.loads((mine / "manifest.json").read_text())
    manifest["files"]["assigner.npz"] = _sha256(mine / "assigner.npz")
    (mine / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="come from different exports"):
        load_assigner(mine)


def test_an_edited_persona_count_is_refused(persona_model, tmp_path):
    folder = persona_model.export_assigner(tmp_path / "a")
    _rewrite(folder, "assigner.json", lambda b: b["assigner"].update(n_personas=2))
    with pytest.raises(ValueError, match="want .*the arrays belong to another assigner"):
        load_assigner(folder)


# --------------------------------------------------------------------------- the fuzz

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([1e308, -1e308, 1.7e308, 5e-324, 0.0, -0.0]),
)
ODD = st.one_of(
    NUMBERS, st.text(max_size=8), st.none(), st.booleans(),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers()),
)  # fmt: skip
TIMESTAMPS = st.one_of(
    st.sampled_from(["2025-10-01T10:00:00", "2025-10-02 09:30", "2025-10-01T10:00:00+02:00",
                     "not a date", "", "9999-12-31T23:59:59", "1900-01-01"]),
    ODD,
)  # fmt: skip
WORDS = st.sampled_from(["web", "app", "store", "product_view", "purchase", "review", "x", ""])
IDS = st.one_of(st.integers(min_value=-(2**64), max_value=2**64), st.text(max_size=6), ODD)


def _rows(fields):
    return st.lists(st.dictionaries(st.sampled_from(fields), ODD | WORDS | TIMESTAMPS), max_size=4)


@st.composite
def records(draw, items, features):
    record = {"customer_id": draw(IDS)}
    kinds = draw(st.sets(st.sampled_from(["events", "survey", "emotions", "features", "junk"])))
    if "events" in kinds:
        record["events"] = draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {"timestamp": TIMESTAMPS, "channel": WORDS, "event_type": WORDS},
                        optional={"value": NUMBERS, "device": WORDS, "moment": WORDS},
                    ),
                    max_size=4,
                ),
                _rows(["timestamp", "channel", "event_type", "value", "other"]),
                ODD,
            )
        )
    if "survey" in kinds:
        record["survey"] = draw(st.one_of(st.dictionaries(st.sampled_from(items), NUMBERS), ODD))
    if "emotions" in kinds:
        record["emotions"] = draw(
            st.one_of(_rows(["valence", "arousal", "joy", "text", "timestamp", "moment"]), ODD)
        )
    if "features" in kinds:
        record["features"] = draw(
            st.one_of(st.dictionaries(st.sampled_from(features), NUMBERS), ODD)
        )
    if "junk" in kinds:
        record[draw(st.sampled_from(["segment", "observation_end"]))] = draw(ODD | TIMESTAMPS)
    return record


def test_fuzzed_records_get_a_named_error_or_a_valid_answer(persona_model, customers, portable):
    items = list(customers.instrument.item_names[:6])
    features = portable.feature_names[:4] + portable.feature_names[-4:]

    @FUZZ
    @given(record=records(items, features))
    def check(record):
        for model in (persona_model, portable):
            try:
                assignment = assign_persona(record, model)
            except InputError:
                continue
            except (ValueError, TypeError) as error:  # allowed only with a message to act on
                assert str(error) and "Traceback" not in str(error), repr(error)
                continue
            assert _valid(assignment), (record, assignment)

    check()


def test_fuzzed_tables_are_scored_or_rejected_and_counts_reconcile(persona_model, customers):
    end = customers.events["timestamp"].max()
    base = customers.events[customers.events["customer_id"].isin(customers.truth.index[:5])]

    @FUZZ
    @given(
        values=st.lists(NUMBERS, min_size=len(base), max_size=len(base)),
        stamps=st.lists(TIMESTAMPS, min_size=len(base), max_size=len(base)),
        broken=st.integers(min_value=0, max_value=len(base) - 1),
    )
    def check(values, stamps, broken):
        events = base.copy()
        events["value"] = pd.Series(values, index=events.index, dtype=object)
        timestamps = events["timestamp"].astype(object)
        timestamps.iloc[broken] = stamps[broken]
        events["timestamp"] = timestamps
        try:
            scores, rejects, _ = score_tables(persona_model, events=events, observation_end=end)
        except InputError:
            return
        scored = set(scores.column("customer_id").to_pylist())
        assert scored.isdisjoint(set(rejects["customer_id"]))
        assert len(scored) + rejects["customer_id"].nunique() == base["customer_id"].nunique()
        columns = [c for c in scores.column_names if c.startswith("probability_")]
        assert np.isfinite(scores.select(columns).to_pandas().to_numpy(dtype=float)).all()

    check()


# --------------------------------------------------------------------------- the service

fastapi = pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def client(persona_model, tmp_path_factory):
    from fastapi.testclient import TestClient

    from persona.serve import ServeSettings, create_app

    folder = persona_model.export_assigner(tmp_path_factory.mktemp("served"))
    app = create_app(folder, ServeSettings(max_text_chars=2_000))
    with TestClient(app) as client:
        yield client


def test_the_service_answers_every_battery_case_without_a_500(client):
    # Each was a 500: an integer of 400 digits, NaN probabilities from 1e308, a lone surrogate.
    for body in (
        {"customer_id": 1, "features": {"psychographic__thrift": 10**400}},
        {"customer_id": 1, "survey": {"thr1": 10**400}},
        {"customer_id": 1, "events": [EVENT, {**PURCHASE, "value": 1.7e308},
                                      {**PURCHASE, "value": 1.7e308}]},
        {"customer_id": "\ud800", "events": [EVENT]},
    ):  # fmt: skip
        response = client.post("/v1/assign", content=json.dumps(body),
                               headers={"content-type": "application/json"})  # fmt: skip
        assert response.status_code == 422, (body, response.text)
        assert response.content.isascii()  # a lone surrogate goes back escaped, as it came
    far = client.post(
        "/v1/assign", json={"customer_id": 1, "features": {"psychographic__thrift": 1e308}}
    )
    assert far.status_code == 200 and far.json()["persona_id"] == -1


def test_count_limits_apply_before_items_are_validated(client):
    body = {"customer_id": 1, "events": [{}] * 100_000}  # 400 KB of empty events
    response = client.post("/v1/assign", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail == [
        {"loc": ["body", "events"], "msg": "should have at most 10000 items, not 100000",
         "type": "too_long"}
    ]  # fmt: skip
    wide = {"customer_id": 1, "events": [{}] * 5_000}  # every item bad: the first one's errors
    detail = client.post("/v1/assign", json=wide).json()["detail"]
    assert [d["loc"] for d in detail] == [
        ["body", "events", 0, "timestamp"], ["body", "events", 0, "channel"],
        ["body", "events", 0, "event_type"],
    ]  # fmt: skip
    records = {"records": [{"customer_id": i} for i in range(1_001)]}
    too_many = client.post("/v1/assign/batch", json=records)
    assert too_many.status_code == 413
    assert too_many.json()["detail"] == "a batch holds at most 1000 records, got 1001"


def test_a_text_over_the_limit_is_a_422_naming_it(client):
    reading = {"text": "Great shop! " * 200}  # 2,400 characters
    response = client.post("/v1/assign", json={"customer_id": 1, "emotions": [reading]})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["body", "emotions", 0, "text"]
    assert item["msg"] == "String should have at most 2000 characters"


def test_the_model_endpoint_and_the_503_show_no_server_path(client, persona_model, tmp_path):
    from fastapi.testclient import TestClient

    from persona.serve import create_app

    body = client.get("/v1/model").json()
    assert "path" not in body and str(tmp_path.parent) not in json.dumps(body)
    with TestClient(create_app(tmp_path / "nothing-here")) as lost:
        response = lost.post("/v1/assign", json={"customer_id": 1})
        assert response.status_code == 503 and "nothing-here" not in response.text


def test_a_body_that_arrives_too_slowly_gets_a_408():
    from starlette.exceptions import HTTPException

    from persona.serve._middleware import BodyLimit as _BodyLimit

    async def app(scope, receive, send):
        await receive()

    async def slow():
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    limit = _BodyLimit(app, max_bytes=1_000, timeout=0.05)
    scope = {"type": "http", "headers": []}
    with pytest.raises(HTTPException) as refused:
        asyncio.run(limit(scope, slow, None))
    assert refused.value.status_code == 408
    assert refused.value.detail == "the request body did not arrive within 0.05 s"


def test_fuzzed_bodies_never_get_a_500(client, customers):
    items = list(customers.instrument.item_names[:4])
    features = ["psychographic__thrift", "behaviour__touchpoints"]

    @FUZZ
    @given(record=records(items, features))
    def check(record):
        content = json.dumps(record, allow_nan=True)  # Python's json reads NaN and Infinity
        response = client.post("/v1/assign", content=content,
                               headers={"content-type": "application/json"})  # fmt: skip
        assert response.status_code in (200, 413, 422), (record, response.text)
        if response.status_code == 200:
            values = response.json()["probabilities"].values()
            assert all(math.isfinite(v) for v in values)

    check()


def test_survey_checks_name_what_they_cannot_read():
    import warnings

    from persona import Instrument
    from persona.datasets import make_customers
    from persona.features import (
        assess_instrument,
        careless_respondents,
        measurement_invariance,
        omega,
    )

    data = make_customers(n_customers=300, random_state=0)
    tiny = data.survey.head(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flags = careless_respondents(tiny, data.instrument)  # too few to read, not a crash
        checked = assess_instrument(tiny, data.instrument, data.demographics)
    assert len(flags) == 4 and flags["careless"].dtype == bool
    assert checked.fit is None and any("confirmatory fit" in n for n in checked.notes)
    constant = data.survey.assign(thr1=3.0)
    with pytest.raises(ValueError, match=r"Instrument.suggest cannot read items \['thr1'\]"):
        Instrument.suggest(constant)
    with pytest.raises(ValueError, match=r"omega cannot read items \['thr1'\]"):
        omega(constant, data.instrument)
    one_group = pd.Series("a", index=data.survey["customer_id"])
    with pytest.raises(ValueError, match=r"needs two groups or more.*got 1 groups"):
        measurement_invariance(data.survey, data.instrument, one_group)
