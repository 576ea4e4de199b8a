"""persona.serve._middleware: the service's edge -- the body limit (413 by Content-Length and
while reading), a batch over its size a 413, pydantic's refusals as a 422 that never quotes
the input, and every answer in ASCII JSON."""

import asyncio
import json

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from helpers_serve import served_with  # noqa: E402

from persona.serve import ServeSettings  # noqa: E402
from persona.serve._middleware import BodyLimit, JSONAnswer, validation_failed  # noqa: E402


def test_limits(assigner_path, tmp_path):
    _, app = served_with(
        assigner_path, tmp_path, max_body_bytes=2_000, max_batch_records=2, max_touchpoints=2
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


def test_a_422_lists_twenty_problems_then_counts_the_rest_without_the_input():
    errors = [
        {"loc": ("body", "survey", f"q{i}"), "msg": "Input should be a valid number",
         "type": "float_type", "input": f"private-{i}"}
        for i in range(25)
    ]  # fmt: skip
    answer = validation_failed(errors, ServeSettings())
    detail = json.loads(answer.body)["detail"]
    assert answer.status_code == 422 and len(detail) == 21
    assert detail[0] == {"loc": ["body", "survey", "q0"], "msg": "Input should be a valid number",
                         "type": "float_type"}  # fmt: skip
    assert detail[-1] == {"loc": ["body"], "msg": "and 5 more problems", "type": "more"}
    assert b"private" not in answer.body
    over = [{"loc": ("body", "records"), "msg": "too long", "type": "too_long",
             "ctx": {"max_length": 7, "actual_length": 9}}]  # fmt: skip
    answer = validation_failed(over, ServeSettings(max_batch_records=7))
    assert answer.status_code == 413
    assert json.loads(answer.body) == {"detail": "a batch holds at most 7 records, got 9"}


def test_answers_are_ascii_json_and_never_nan():
    assert JSONAnswer({"id": "\ud800", "café": 1}).body == b'{"id":"\\ud800","caf\\u00e9":1}'
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        JSONAnswer({"confidence": float("nan")})


def test_a_content_length_that_is_no_number_is_a_413_before_the_app():
    async def app(scope, receive, send):
        raise AssertionError("the app was reached")

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    limit = BodyLimit(app, max_bytes=100, timeout=1.0)
    asyncio.run(limit({"type": "http", "headers": [(b"content-length", b"12abc")]}, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {"detail": "the request body is larger than 100 bytes"}
