"""persona.serve: every endpoint and every error path, and schemathesis over the OpenAPI schema."""

import copy
import dataclasses
import json
import logging
import shutil

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from persona.contract import EMOTIONS, REQUIRED_COLUMNS  # noqa: E402
from persona.serve import ServeSettings, create_app  # noqa: E402
from persona.serve._models import reading_model, touchpoint_model  # noqa: E402

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def artifact(persona_model, tmp_path_factory):
    return persona_model.export_assigner(tmp_path_factory.mktemp("assigner"))


@pytest.fixture(scope="module")
def app(artifact):
    return create_app(artifact, ServeSettings(reload_token=TOKEN))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as client:  # runs the lifespan: the artifact is loaded
        yield client


@pytest.fixture(scope="module")
def raw_record(customers):
    customer = customers.survey["customer_id"].iloc[0]
    events = customers.events[customers.events["customer_id"] == customer].drop(
        columns="customer_id"
    )
    events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    rows = [{k: v for k, v in row.items() if v == v} for row in events.to_dict("records")]
    survey = customers.survey[customers.survey["customer_id"] == customer].iloc[0]
    answers = {k: (None if v != v else float(v)) for k, v in survey.drop("customer_id").items()}
    return {"customer_id": int(customer), "events": rows, "survey": answers}


FEATURES = {"customer_id": "c-42", "features": {"behaviour__share_channel_app": 0.7}}


def _served_with(artifact, tmp_path, **settings):
    folder = shutil.copytree(artifact, tmp_path / "assigner")
    return folder, create_app(folder, ServeSettings(reload_token=TOKEN, **settings))


@pytest.fixture(scope="module")
def second_export(persona_model, tmp_path_factory):
    """Another model's artifact: the reference model with one fitted number moved."""
    other = copy.deepcopy(persona_model)
    pattern, fitted = next(iter(other.assigner_.models_.items()))
    other.assigner_.models_[pattern] = dataclasses.replace(
        fitted, intercept=fitted.intercept + 1e-3
    )
    other._publish()
    assert other.model_version_ != persona_model.model_version_
    return other.export_assigner(tmp_path_factory.mktemp("second")), other.model_version_


def _re_export(folder, export):
    """What exporting another model to the same folder does: its files, the manifest last."""
    source, version = export
    for name in ("assigner.json", "assigner.npz", "manifest.json"):
        shutil.copyfile(source / name, folder / name)
    return version


# --------------------------------------------------------------------------- endpoints


def test_health_and_readiness_before_and_after_loading(artifact):
    app = create_app(artifact)
    outside = TestClient(app)  # no lifespan yet: nothing loaded
    assert outside.get("/healthz").json()["status"] == "alive"
    assert outside.get("/readyz").status_code == 503
    assert outside.post("/v1/assign", json=FEATURES).status_code == 503
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_assign_features_and_raw_record_as_the_library_does(client, persona_model, raw_record):
    import persona

    for record in (FEATURES, raw_record):
        response = client.post("/v1/assign", json=record)
        assert response.status_code == 200, response.text
        expected = json.loads(json.dumps(persona.assign_persona(record, persona_model).to_dict()))
        assert response.json() == expected
        assert response.json()["model_version"] == persona_model.model_version_


def test_batch_keeps_order_and_carries_the_version(client, persona_model, raw_record):
    records = [raw_record, FEATURES, {"customer_id": 3}]
    response = client.post("/v1/assign/batch", json={"records": records})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == persona_model.model_version_
    assert [a["customer_id"] for a in body["assignments"]] == [raw_record["customer_id"], "c-42", 3]
    assert all(a["model_version"] == body["model_version"] for a in body["assignments"])
    assert body["assignments"][2]["persona_id"] == -1  # no signal: unassigned


def test_personas_and_model(client, persona_model):
    personas = client.get("/v1/personas").json()
    assert [p["persona_id"] for p in personas["personas"]] == list(persona_model.persona_ids_)
    assert personas["personas"][0]["name"] == persona_model.personas_["name"].iloc[0]
    assert personas["personas"][0]["description"]
    model = client.get("/v1/model").json()
    assert model["model_version"] == persona_model.model_version_
    assert model["manifest"]["format"] == "persona-assigner"


# --------------------------------------------------------------------------- bad input


def test_schema_violations_are_422_with_the_field_path(client):
    missing = {"customer_id": 1, "events": [{"channel": "app", "event_type": "view"}]}
    detail = client.post("/v1/assign", json=missing).json()["detail"]
    assert detail[0]["loc"] == ["body", "events", 0, "timestamp"]
    unknown = client.post("/v1/assign", json={"customer_id": 1, "segment": "x"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "segment"]
    text_number = {"customer_id": 1, "features": {"behaviour__touchpoints": "3"}}
    response = client.post("/v1/assign", json=text_number)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "features", "behaviour__touchpoints"]
    assert client.post("/v1/assign", json={"customer_id": True}).status_code == 422


def test_extra_touchpoint_columns_pass_through(client):
    event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view",
             "campaign": "autumn"}  # fmt: skip
    response = client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 200, response.text


def test_persona_input_errors_are_422_naming_table_column_and_fix(client):
    event = {"timestamp": "not a date", "channel": "web", "event_type": "product_view"}
    response = client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["loc"] == ["body", "events", "timestamp"]
    assert (item["table"], item["column"]) == ("events", "timestamp")
    assert "cannot be parsed" in item["problem"] and "ISO 8601" in item["fix"]
    both = {"customer_id": 1, "features": {}, "survey": {"thr1": 3}}
    batch = client.post("/v1/assign/batch", json={"records": [FEATURES, both]})
    assert batch.status_code == 422
    assert batch.json()["detail"][0]["loc"] == ["body", "records", 1]
    assert "both features" in batch.json()["detail"][0]["problem"]


def test_a_warning_made_an_error_by_the_host_is_a_422_not_a_500(client):
    # pytest turns warnings into errors: an event type outside the taxonomy warns.
    event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "teleport"}
    response = client.post("/v1/assign", json={"customer_id": 1, "events": [event]})
    assert response.status_code == 422 and "'teleport'" in response.json()["detail"][0]["msg"]


def test_limits(artifact, tmp_path):
    _, app = _served_with(
        artifact, tmp_path, max_body_bytes=2_000, max_batch_records=2, max_touchpoints=2
    )
    with TestClient(app) as client:
        big = {"customer_id": 1, "features": {f"f{i}": 0.5 for i in range(200)}}
        assert client.post("/v1/assign", json=big).status_code == 413  # Content-Length

        def streamed():  # no Content-Length: counted while reading
            yield b'{"customer_id": 1, "features": {'
            for _ in range(100):
                yield b'"behaviour__touchpoints": 1.0, '
            yield b'"behaviour__touchpoints": 1.0}}'

        response = client.post(
            "/v1/assign", content=streamed(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413 and "larger than 2000 bytes" in response.json()["detail"]
        records = {"records": [{"customer_id": i} for i in range(3)]}
        assert client.post("/v1/assign/batch", json=records).status_code == 413
        event = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view"}
        response = client.post("/v1/assign", json={"customer_id": 1, "events": [event] * 3})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "events"]


def test_a_bug_is_a_500_and_a_persona_error_a_422(artifact, monkeypatch):
    import persona.serve._routes
    from persona.errors import ConfigError

    def failing(error):
        def assign(record, model):
            raise error

        return assign

    with TestClient(create_app(artifact), raise_server_exceptions=False) as client:
        monkeypatch.setattr(persona.serve._routes, "assign_persona", failing(TypeError("bug")))
        assert client.post("/v1/assign", json=FEATURES).status_code == 500
        refused = ConfigError("Got observation_end='x', but expected a time.")
        monkeypatch.setattr(persona.serve._routes, "assign_persona", failing(refused))
        response = client.post("/v1/assign", json=FEATURES)
        assert response.status_code == 422
        assert response.json()["detail"][0]["type"] == "persona.invalid"


# --------------------------------------------------------------------------- the contract


def test_the_request_models_follow_the_contract():
    touchpoint = touchpoint_model().model_json_schema()
    assert touchpoint["required"] == [c for c in REQUIRED_COLUMNS["events"] if c != "customer_id"]
    reading = list(reading_model(100).model_json_schema()["properties"])
    assert reading[3:-2] == ["valence", "arousal", *EMOTIONS]
    with_store = touchpoint_model(required=(*REQUIRED_COLUMNS["events"], "store"))
    assert with_store.model_json_schema()["required"][-1] == "store"


def test_a_ninth_emotion_in_the_contract_is_accepted_not_a_422(artifact, monkeypatch):
    nine = (*EMOTIONS, "awe")
    assert reading_model(100, emotions=nine).model_validate({"awe": 0.4}).awe == 0.4
    with pytest.raises(ValueError, match="awe"):  # the eight of today refuse it
        reading_model(100).model_validate({"awe": 0.4})

    import persona.serve._models

    monkeypatch.setattr(persona.serve._models, "EMOTIONS", nine)  # the contract, grown
    record = {"customer_id": 1, "emotions": [{"valence": 0.3, "awe": 0.4}]}
    with TestClient(create_app(artifact)) as client:
        reading = client.get("/openapi.json").json()["components"]["schemas"]["Reading"]
        assert list(reading["properties"])[-3:] == ["awe", "text", "language"]
        response = client.post("/v1/assign", json=record)
    refused = response.json().get("detail", []) if response.status_code == 422 else []
    assert not [item for item in refused if item["type"] == "extra_forbidden"], refused


# --------------------------------------------------------------------------- reload


def test_reload_needs_the_token(artifact, tmp_path, monkeypatch):
    monkeypatch.delenv("PERSONA_RELOAD_TOKEN", raising=False)
    with TestClient(create_app(artifact)) as client:
        assert client.post("/admin/reload").status_code == 404  # no token configured
    _, app = _served_with(artifact, tmp_path)
    with TestClient(app) as client:
        assert client.post("/admin/reload").status_code == 403
        wrong = {"Authorization": "Bearer nope"}
        assert client.post("/admin/reload", headers=wrong).status_code == 403


def test_reload_swaps_a_verified_artifact_and_keeps_the_old_one_otherwise(
    artifact, tmp_path, second_export
):
    folder, app = _served_with(artifact, tmp_path)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        old = client.get("/readyz").json()["model_version"]
        v2 = _re_export(folder, second_export)
        response = client.post("/admin/reload", headers=auth)
        assert response.status_code == 200 and response.json()["model_version"] == v2
        assert client.post("/v1/assign", json=FEATURES).json()["model_version"] == v2

        with (folder / "assigner.npz").open("ab") as stream:
            stream.write(b"tampered")
        response = client.post("/admin/reload", headers=auth)
        assert response.status_code == 409
        assert "altered" in response.json()["detail"] and v2 in response.json()["detail"]
        assert client.get("/readyz").json()["model_version"] == v2
        assert client.post("/v1/assign", json=FEATURES).status_code == 200
    assert old != v2


def test_a_bad_artifact_at_start_is_not_ready_until_fixed(artifact, tmp_path):
    folder, app = _served_with(artifact, tmp_path)
    good = (folder / "assigner.npz").read_bytes()
    (folder / "assigner.npz").write_bytes(good + b"x")
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/v1/personas").status_code == 503
        (folder / "assigner.npz").write_bytes(good)
        reloaded = client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reloaded.status_code == 200
        assert client.get("/readyz").status_code == 200


def test_a_worker_that_requires_the_artifact_does_not_start_without_it(tmp_path):
    app = create_app(tmp_path, require_artifact=True)  # what each of several workers runs
    with pytest.raises(ValueError, match="no manifest.json"):
        with TestClient(app):
            pass


def test_cli_refuses_a_bad_artifact_before_binding_the_port(tmp_path, capsys):
    from persona.cli import main

    assert main(["serve", "--assigner", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_cli_passes_every_limit_to_the_service(artifact, monkeypatch):
    import persona.serve._app
    from persona.cli import main

    started = {}
    monkeypatch.setattr(persona.serve._app, "run", lambda folder, settings, **kw: started.update(
        settings=settings, **kw))  # fmt: skip
    argv = ["serve", "--assigner", str(artifact), "--max-text-chars", "500", "--max-fields",
            "40", "--body-timeout", "2.5", "--max-touchpoints", "7", "--port", "9"]  # fmt: skip
    assert main(argv) == 0
    settings = started["settings"]
    assert (settings.max_text_chars, settings.max_fields, settings.body_timeout) == (500, 40, 2.5)
    assert settings.max_touchpoints == 7 and started["port"] == 9


def test_cli_refuses_a_limit_that_is_not_positive(capsys):
    from persona.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--assigner", "x", "--body-timeout", "0"])
    assert "expected a positive number of seconds, got 0" in capsys.readouterr().err


# --------------------------------------------------------------------------- logs


def test_one_json_log_line_per_request_without_customer_data(client, caplog, raw_record):
    caplog.set_level(logging.INFO, logger="persona.serve._app")
    client.post("/v1/assign/batch", json={"records": [raw_record, FEATURES]})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "persona.serve._app"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"method", "path", "status", "latency_ms", "records", "model_version"}
    assert (line["path"], line["status"], line["records"]) == ("/v1/assign/batch", 200, 2)
    assert "c-42" not in caplog.text and str(raw_record["customer_id"]) not in caplog.text
    caplog.clear()
    assert client.get("/v1/customers/c-42").status_code == 404
    assert "c-42" not in caplog.text and '"path": "<other>"' in caplog.text


# --------------------------------------------------------------------------- the schema


@pytest.fixture(scope="module")
def api_schema(app, client):  # client: the artifact is loaded while schemathesis calls
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_schema(api_schema, mode):
    """Every operation, fuzzed from its OpenAPI description by schemathesis' Python API:
    valid and invalid requests alike get a documented status and a conforming body, never a
    500. The API is driven through plain Hypothesis rather than schemathesis' pytest loader,
    whose lazy fixtures write pytest internals (``Function._nodeid``) that pytest 9.2 dropped."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6, [op.label for op in operations]
    if mode is GenerationMode.NEGATIVE:  # only what takes input can be sent invalid input
        operations = [op for op in operations if len(op.body) or any(op.iter_parameters())]
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,  # the same cases on every run: a failure reproduces
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case):
            case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ]
            )

        conforms()


# --------------------------------------------------------------------------- a real server


def test_a_real_server_drains_on_sigterm_and_reloads_on_sighup(
    artifact, tmp_path, raw_record, second_export, persona_server
):
    """uvicorn started as a user starts it: SIGHUP swaps the artifact, SIGTERM lets the
    request in flight finish before the process exits."""
    import signal
    import threading
    import time

    import httpx

    folder = shutil.copytree(artifact, tmp_path / "assigner")
    server, base = persona_server(folder)
    before = httpx.get(f"{base}/v1/model").json()["model_version"]
    v2 = _re_export(folder, second_export)
    server.send_signal(signal.SIGHUP)
    for _ in range(100):
        if httpx.get(f"{base}/v1/model").json()["model_version"] == v2:
            break
        time.sleep(0.05)
    after = httpx.get(f"{base}/v1/model").json()["model_version"]
    assert after == v2 != before

    records = [dict(raw_record, customer_id=i) for i in range(400)]  # about half a second
    answer = {}

    def send():
        answer["response"] = httpx.post(f"{base}/v1/assign/batch",
                                        json={"records": records}, timeout=60)  # fmt: skip

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.2)  # the batch is being assigned
    server.send_signal(signal.SIGTERM)
    sender.join(60)
    assert answer["response"].status_code == 200
    assert len(answer["response"].json()["assignments"]) == 400
    # uvicorn re-raises the signal once it has drained, so the exit is SIGTERM's
    assert server.wait(30) in (0, -signal.SIGTERM)
