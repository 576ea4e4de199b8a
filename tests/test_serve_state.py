"""persona.serve._state: what the service serves -- a reload swaps a verified artifact whole,
and keeps the old one when the new one is altered, missing or cannot score a record."""

import copy
import dataclasses
import shutil

import numpy as np
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402

import persona.serve._state  # noqa: E402
from persona import load_assigner  # noqa: E402
from persona.errors import ArtifactError  # noqa: E402
from persona.serve import ServeSettings, create_app  # noqa: E402
from persona.serve._state import State, current, version  # noqa: E402

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def artifact(persona_model, tmp_path_factory):
    return persona_model.export_assigner(tmp_path_factory.mktemp("assigner"))


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


def test_nothing_is_served_until_a_load_is_verified(artifact, tmp_path):
    state = State(tmp_path)  # a folder without an artifact
    assert state.served is None and version(state) is None
    with pytest.raises(HTTPException) as refused:
        current(state)
    assert refused.value.status_code == 503
    assert refused.value.detail == "no verified assigner is loaded; see the server's log"
    with pytest.raises(ArtifactError, match="no manifest.json"):
        state.reload()
    assert state.served is None

    state = State(artifact)
    served = state.reload()
    assert current(state) is served
    assert version(state) == served.assigner.model_version == load_assigner(artifact).model_version


def test_an_assigner_that_cannot_score_a_record_is_refused_and_the_old_one_kept(
    artifact, monkeypatch
):
    state = State(artifact)
    serving = state.reload()
    loaded = load_assigner(artifact)
    settings, arrays = loaded.assigner.to_arrays()  # every pattern's intercepts made NaN
    arrays = {k: v * np.nan if k.endswith("_intercept") else v for k, v in arrays.items()}
    broken = type(loaded.assigner).from_arrays(settings, arrays)
    unusable = dataclasses.replace(loaded, assigner=broken)
    monkeypatch.setattr(persona.serve._state, "load_assigner", lambda path: unusable)
    refused = rf"^{unusable.model_version}: scoring a record gave non-finite numbers$"
    with pytest.raises(ArtifactError, match=refused):
        state.reload()
    assert current(state) is serving  # still the verified one
