"""persona.serve._routes: the endpoints -- /v1/assign and /v1/assign/batch answer as
assign_persona does, /v1/personas and /v1/model describe what is served, persona's refusals
are 422s naming table, column and fix, a bug a 500, /admin/reload wants its token -- and
how a body is read."""

import json

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from helpers_serve import FEATURES, served_with  # noqa: E402

from persona.serve import create_app  # noqa: E402


def test_assign_features_and_raw_record_as_the_library_does(
    serve_client, persona_model, raw_record
):
    import persona

    for record in (FEATURES, raw_record):
        response = serve_client.post("/v1/assign", json=record)
        assert response.status_code == 200, response.text
        expected = json.loads(json.dumps(persona.assign_persona(record, persona_model).to_dict()))
        assert response.json() == expected
        assert response.json()["model_version"] == persona_model.model_version_


def test_batch_keeps_order_and_carries_the_version(serve_client, persona_model, raw_record):
    records = [raw_record, FEATURES, {"customer_id": 3}]
    response = serve_client.post("/v1/assign/batch", json={"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == persona_model.model_version_
    assert [a["customer_id"] for a in body["assignments"]] == [raw_record["customer_id"], "c-42", 3]
    assert all(a["model_version"] == body["model_version"] for a in body["assignments"])
    assert body["assignments"][2]["persona_id"] == -1  # no signal: unassigned


def test_personas_and_model(serve_client, persona_model):
    personas = serve_client.get("/v1/personas").json()
    assert [p["persona_id"] for p in personas["personas"]] == list(persona_model.persona_ids_)
    assert personas["personas"][0]["name"] == persona_model.personas_["name"].iloc[0]
    assert personas["personas"][0]["description"]
    model = serve_client.get("/v1/model").json()
    assert model["model_version"] == persona_model.model_version_
    assert model["manifest"]["format"] == "persona-assigner"


def test_persona_input_errors_are_422_naming_table_column_and_fix(serve_client):
    event = {"timestamp": "not a date", "channel": "web", "event_type": "product_view"}
    response = serve_client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["loc"] == ["body", "events", "timestamp"]
    assert (item["table"], item["column"]) == ("events", "timestamp")
    assert "cannot be parsed" in item["problem"] and "ISO 8601" in item["fix"]
    both = {"customer_id": 1, "features": {}, "survey": {"thr1": 3}}
    batch = serve_client.post("/v1/assign/batch", json={"records": [FEATURES, both]})
    assert batch.status_code == 422
    assert batch.json()["detail"][0]["loc"] == ["body", "records", 1]
    assert "both features" in batch.json()["detail"][0]["problem"]


def test_a_warning_made_an_error_by_the_host_is_a_422_not_a_500(serve_client):
    # pytest turns warnings into errors: an event type outside the taxonomy warns.
    event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "teleport"}
    response = serve_client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 422 and "'teleport'" in response.json()["detail"][0]["msg"]


def test_a_bug_is_a_500_and_a_persona_error_a_422(assigner_path, monkeypatch):
    import persona.serve._routes
    from persona.errors import ConfigError

    def failing(error):
        def assign(record, model):
            raise error

        return assign

    with TestClient(create_app(assigner_path), raise_server_exceptions=False) as client:
        monkeypatch.setattr(persona.serve._routes, "assign_persona", failing(TypeError("bug")))
        assert client.post("/v1/assign", json=FEATURES).status_code == 500
        refused = ConfigError("Got observation_end='x', but expected a time.")
        monkeypatch.setattr(persona.serve._routes, "assign_persona", failing(refused))
        response = client.post("/v1/assign", json=FEATURES)
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "persona.invalid"


def test_reload_needs_the_token(assigner_path, tmp_path, monkeypatch):
    monkeypatch.delenv("PERSONA_RELOAD_TOKEN", raising=False)
    with TestClient(create_app(assigner_path)) as client:
        assert client.post("/admin/reload").status_code == 404  # no token configured
    _, app = served_with(assigner_path, tmp_path)
    with TestClient(app) as client:
        assert client.post("/admin/reload").status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert client.post("/admin/reload", headers=wrong).status_code == 403


JSON = {"content-type": "application/json"}


def test_a_body_that_is_not_json_is_a_422_at_its_position_or_a_400(serve_client):
    cut = b'{"customer_id": 1, "features": {'
    for path, body in (("/v1/assign", cut), ("/v1/assign/batch", b'{"records": [' + cut)):
        response = serve_client.post(path, content=body, headers=JSON)
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["body", len(body)], "msg": "JSON decode error", "type": "json_invalid"}
        ]  # where the text ends, it is cut
    latin = serve_client.post("/v1/assign", content='{"customer_id": "café"}'.encode("latin-1"),
                        headers=JSON)  # fmt: skip
    assert latin.status_code == 400
    assert latin.json() == {"detail": "the request body cannot be read as JSON"}


def test_a_large_body_is_answered_as_the_same_small_one(serve_client, raw_record):
    small = json.dumps(raw_record)
    large = small.replace(", ", "," + " " * 2_000)  # whitespace: the same JSON, over 64 KiB
    assert len(large) > 64 * 1024
    answers = [
        serve_client.post("/v1/assign", content=body, headers=JSON) for body in (small, large)
    ]
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].json() == answers[1].json()
