"""persona.serve._state: what the service serves -- a reload swaps a verified artifact whole,
and keeps the old one when the new one is altered, missing or cannot score a record."""

import dataclasses

import numpy as np
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from helpers_serve import FEATURES, TOKEN, re_export, served_with  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402

import persona.serve._state  # noqa: E402
from persona import load_assigner  # noqa: E402
from persona.errors import ArtifactError  # noqa: E402
from persona.serve._state import State, current, version  # noqa: E402


def test_reload_swaps_a_verified_artifact_and_keeps_the_old_one_otherwise(
    assigner_path, tmp_path, second_export
):
    folder, app = served_with(assigner_path, tmp_path)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as client:
        old = client.get("/readyz").json()["model_version"]
        v2 = re_export(folder, second_export)
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


def test_a_bad_artifact_at_start_is_not_ready_until_fixed(assigner_path, tmp_path):
    folder, app = served_with(assigner_path, tmp_path)
    good = (folder / "assigner.npz").read_bytes()
    (folder / "assigner.npz").write_bytes(good + b"x")
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 503
        assert client.get("/v1/personas").status_code == 503
        (folder / "assigner.npz").write_bytes(good)
        reloaded = client.post("/admin/reload", headers={"Authorization": f"Bearer {TOKEN}"})
        assert reloaded.status_code == 200
        assert client.get("/readyz").status_code == 200


def test_nothing_is_served_until_a_load_is_verified(assigner_path, tmp_path):
    state = State(tmp_path)  # a folder without an artifact
    assert state.served is None and version(state) is None
    with pytest.raises(HTTPException) as refused:
        current(state)
    assert refused.value.status_code == 503
    assert refused.value.detail == "no verified assigner is loaded; see the server's log"
    with pytest.raises(ArtifactError, match="no manifest.json"):
        state.reload()
    assert state.served is None

    state = State(assigner_path)
    served = state.reload()
    assert current(state) is served
    assert (
        version(state)
        == served.assigner.model_version
        == load_assigner(assigner_path).model_version
    )


def test_an_assigner_that_cannot_score_a_record_is_refused_and_the_old_one_kept(
    assigner_path, monkeypatch
):
    state = State(assigner_path)
    serving = state.reload()
    loaded = load_assigner(assigner_path)
    settings, arrays = loaded.assigner.to_arrays()  # every pattern's intercepts made NaN
    arrays = {k: v * np.nan if k.endswith("_intercept") else v for k, v in arrays.items()}
    broken = type(loaded.assigner).from_arrays(settings, arrays)
    unusable = dataclasses.replace(loaded, assigner=broken)
    monkeypatch.setattr(persona.serve._state, "load_assigner", lambda path: unusable)
    refused = rf"^{unusable.model_version}: scoring a record gave non-finite numbers$"
    with pytest.raises(ArtifactError, match=refused):
        state.reload()
    assert current(state) is serving  # still the verified one
