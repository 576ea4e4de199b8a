"""persona.serve._models: the HTTP bodies, generated from the data contract -- what they refuse
is a 422 naming the field, extra touchpoint columns pass, an emotion the contract gains is
a field -- and the bounds on numbers, ids and lists."""

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from persona.contract import EMOTIONS, REQUIRED_COLUMNS  # noqa: E402
from persona.serve import ServeSettings, create_app  # noqa: E402
from persona.serve._models import reading_model, request_models, touchpoint_model  # noqa: E402


def test_schema_violations_are_422_with_the_field_path(serve_client):
    missing = {"customer_id": 1, "events": [{"channel": "app", "event_type": "view"}]}
    detail = serve_client.post("/v1/assign", json=missing).json()["detail"]
    assert detail[0]["loc"] == ["body", "events", 0, "timestamp"]
    unknown = serve_client.post("/v1/assign", json={"customer_id": 1, "segment": "x"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "segment"]
    text_number = {"customer_id": 1, "features": {"behaviour__touchpoints": "3"}}
    response = serve_client.post("/v1/assign", json=text_number)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "features", "behaviour__touchpoints"]
    assert serve_client.post("/v1/assign", json={"customer_id": True}).status_code == 422


def test_extra_touchpoint_columns_pass_through(serve_client):
    event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view",
             "campaign": "autumn"}  # fmt: skip
    response = serve_client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 200, response.text


def test_the_request_models_follow_the_contract():
    touchpoint = touchpoint_model().model_json_schema()
    assert touchpoint["required"] == [c for c in REQUIRED_COLUMNS["events"] if c != "customer_id"]
    reading = list(reading_model(100).model_json_schema()["properties"])
    assert reading[3:-2] == ["valence", "arousal", *EMOTIONS]
    with_store = touchpoint_model(required=(*REQUIRED_COLUMNS["events"], "store"))
    assert with_store.model_json_schema()["required"][-1] == "store"


def test_a_ninth_emotion_in_the_contract_is_accepted_not_a_422(assigner_path, monkeypatch):
    nine = (*EMOTIONS, "awe")
    assert reading_model(100, emotions=nine).model_validate({"awe": 0.4}).awe == 0.4
    with pytest.raises(ValueError, match="awe"):  # the eight of today refuse it
        reading_model(100).model_validate({"awe": 0.4})

    import persona.serve._models

    monkeypatch.setattr(persona.serve._models, "EMOTIONS", nine)  # the contract, grown
    record = {"customer_id": 1, "emotions": [{"valence": 0.3, "awe": 0.4}]}
    with TestClient(create_app(assigner_path)) as client:
        reading = client.get("/openapi.json").json()["components"]["schemas"]["Reading"]
        assert list(reading["properties"])[-3:] == ["awe", "text", "language"]
        response = client.post("/v1/assign", json=record)
    refused = response.json().get("detail", []) if response.status_code == 422 else []
    assert not [item for item in refused if item["type"] == "extra_forbidden"], refused


def _refusals(model, body):
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    return [(error["loc"], error["type"]) for error in refused.value.errors()]


def test_ids_numbers_and_lists_are_bounded_as_the_settings_say():
    record, batch = request_models(ServeSettings(max_fields=2, max_touchpoints=1,
                                                 max_batch_records=1))  # fmt: skip
    # ids: int64 or text, never a float or a bool
    assert record.model_validate({"customer_id": -(2**63)}).customer_id == -(2**63)
    assert record.model_validate({"customer_id": "c-42"}).customer_id == "c-42"
    for bad in (2**63, 1.0, True):
        assert ("customer_id", "str") in [loc for loc, _ in _refusals(record, {"customer_id": bad})]
    # a whole number a float64 holds exactly, or a float; text is no number
    exact = record.model_validate({"customer_id": 1, "features": {"a": 2**53}})
    assert exact.features == {"a": 2**53} and isinstance(exact.features["a"], int)
    assert ("features", "a", "float") in [
        loc for loc, _ in _refusals(record, {"customer_id": 1, "features": {"a": "3"}})
    ]
    # counted before any item is read
    too_many = {"customer_id": 1, "survey": {"q1": 1, "q2": 2, "q3": None}}
    with pytest.raises(ValidationError, match="should have at most 2 items, not 3"):
        record.model_validate(too_many)
    event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view"}
    assert _refusals(record, {"customer_id": 1, "events": [event, event]}) == [
        (("events",), "too_long")
    ]
    assert _refusals(batch, {"records": [{"customer_id": 1}] * 2}) == [(("records",), "too_long")]
    assert _refusals(record, {"customer_id": 1, "emotions": [{"valence": 0.1}] * 2}) == [
        (("emotions",), "too_long")
    ]
