"""persona.serve._app: the application around an exported assigner -- not ready until the
artifact is loaded, a worker that needs it does not start without it, one JSON log line per
request, the reload token, and schemathesis over the OpenAPI schema."""

import json
import logging

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")

from fastapi.testclient import TestClient  # noqa: E402
from helpers_serve import FEATURES, TOKEN  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from persona.serve import ServeSettings, create_app  # noqa: E402


def test_health_and_readiness_before_and_after_loading(assigner_path):
    app = create_app(assigner_path)
    outside = TestClient(app)  # no lifespan yet: nothing loaded
    assert outside.get("/healthz").json()["status"] == "alive"
    assert outside.get("/readyz").status_code == 503
    assert outside.post("/v1/assign", json=FEATURES).status_code == 503
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_a_worker_that_requires_the_artifact_does_not_start_without_it(tmp_path):
    app = create_app(tmp_path, require_artifact=True)  # what each of several workers runs
    with pytest.raises(ValueError, match="no manifest.json"):
        with TestClient(app):
            pass


def test_one_json_log_line_per_request_without_customer_data(serve_client, caplog, raw_record):
    caplog.set_level(logging.INFO, logger="persona.serve._app")
    serve_client.post("/v1/assign/batch", json={"records": [raw_record, FEATURES]})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "persona.serve._app"]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) == {"method", "path", "status", "latency_ms", "records", "model_version"}
    assert (line["path"], line["status"], line["records"]) == ("/v1/assign/batch", 200, 2)
    assert "c-42" not in caplog.text and str(raw_record["customer_id"]) not in caplog.text
    caplog.clear()
    assert serve_client.get("/v1/customers/c-42").status_code == 404
    assert "c-42" not in caplog.text and '"path": "<other>"' in caplog.text


@pytest.fixture(scope="module")
def api_schema(serve_app, serve_client):
    # serve_client: the artifact is loaded while schemathesis calls
    return schemathesis.openapi.from_asgi("/openapi.json", serve_app)


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


def test_the_reload_token_comes_from_the_settings_else_the_environment(assigner_path, monkeypatch):
    monkeypatch.setenv("PERSONA_RELOAD_TOKEN", "from-the-environment")
    theirs = {"Authorization": "Bearer from-the-environment"}
    with TestClient(create_app(assigner_path)) as client:
        reloaded = client.post("/admin/reload", headers=theirs)
        assert reloaded.status_code == 200 and reloaded.json()["status"] == "reloaded"
    with TestClient(create_app(assigner_path, ServeSettings(reload_token=TOKEN))) as client:
        assert client.post("/admin/reload", headers=theirs).status_code == 403
    with TestClient(create_app(assigner_path, ServeSettings(reload_token=""))) as client:
        off = client.post("/admin/reload", headers=theirs)  # empty: off, whatever the variable
        assert off.status_code == 404
        assert off.json()["detail"] == "reload over HTTP is off: set PERSONA_RELOAD_TOKEN"
