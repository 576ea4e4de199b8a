"""persona.serve._run: the service under uvicorn -- a real server reloads on SIGHUP and drains on
SIGTERM, ``persona serve`` refuses a bad artifact before binding the port, several workers
build their app from the settings run leaves them, and the log is one JSON line each."""

import json
import logging
import shutil
import warnings

import pytest

pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from helpers_serve import re_export  # noqa: E402

from persona.serve import ServeSettings, run  # noqa: E402
from persona.serve._run import _WORKER_CONFIG, _worker_app  # noqa: E402


def test_cli_refuses_a_bad_artifact_before_binding_the_port(tmp_path, capsys):
    from persona.cli import main

    assert main(["serve", "--assigner", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_a_real_server_drains_on_sigterm_and_reloads_on_sighup(
    assigner_path, tmp_path, raw_record, second_export, persona_server
):
    """uvicorn started as a user starts it: SIGHUP swaps the artifact, SIGTERM lets the
    request in flight finish before the process exits."""
    import signal
    import threading
    import time

    import httpx

    folder = shutil.copytree(assigner_path, tmp_path / "assigner")
    server, base = persona_server(folder)
    before = httpx.get(f"{base}/v1/model").json()["model_version"]
    v2 = re_export(folder, second_export)
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


@pytest.fixture
def started(monkeypatch):
    """What run hands uvicorn (which is not started), and the process as run leaves it: the
    service's logger and the workers' environment are put back afterwards."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setenv(_WORKER_CONFIG, "")  # put back (removed) after the test
    logger = logging.getLogger("persona.serve")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield calls
    for handler in [h for h in logger.handlers if h not in handlers]:
        logger.removeHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


def test_several_workers_build_their_app_from_the_settings_run_leaves(assigner_path, started):
    settings = ServeSettings(max_body_bytes=300, max_batch_records=2, max_text_chars=50)
    run(assigner_path, settings, host="0.0.0.0", port=9, workers=3, graceful_timeout=2.5)
    ((app, options),) = started
    assert app == "persona.serve._run:_worker_app"
    assert options == {"factory": True, "workers": 3, "host": "0.0.0.0", "port": 9,
                       "access_log": False, "log_level": "warning",
                       "timeout_graceful_shutdown": 2.5}  # fmt: skip

    worker = _worker_app()  # what each worker process builds, from the environment
    schemas = worker.openapi()["components"]["schemas"]
    assert schemas["BatchRequest"]["properties"]["records"]["maxItems"] == 2
    assert {"type": "string", "maxLength": 50} in schemas["Reading"]["properties"]["text"]["anyOf"]
    client = TestClient(worker)  # not started: the body limit answers all the same
    big = client.post("/v1/assign", json={"customer_id": 1, "features": {"x" * 400: 1.0}})
    assert big.status_code == 413
    assert big.json() == {"detail": "the request body is larger than 300 bytes"}


def test_one_worker_serves_the_app_itself_and_logs_bare_json_lines(assigner_path, started, capsys):
    run(assigner_path, port=9, graceful_timeout=4.0)
    ((app, options),) = started
    assert isinstance(app, FastAPI) and "workers" not in options
    assert (options["port"], options["timeout_graceful_shutdown"]) == (9, 4.0)
    line = json.dumps({"event": "loaded", "model_version": "v1"})
    logging.getLogger("persona.serve._app").info(line)
    assert capsys.readouterr().err == line + "\n"  # one JSON object per line, nothing around it
    with warnings.catch_warnings():  # what clients sent is not a curated table: no warning
        warnings.simplefilter("error")
        run(assigner_path, port=9)  # the filter is set as the service starts
        warnings.warn("events: 1 event type(s) are not in the taxonomy and count as moment "
                      "'other'", UserWarning, stacklevel=1)  # fmt: skip
