"""Loading a model folder someone tampered with: nothing outside the folder is read, no file
goes unverified, and nothing is unpickled until every file the format needs has been checked."""

import json
import shutil
from pathlib import Path

import joblib
import pytest

import persona
from persona import persistence
from persona._manifest import sha256 as _sha256


class _Payload:
    """Unpickling it creates ``marker``: the proof that an unverified pickle ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def saved(persona_model, tmp_path_factory):
    return persona_model.save(tmp_path_factory.mktemp("model"))


def _copy(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "copy"))


def _edit_manifest(folder: Path, edit) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    edit(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _plant_payload(folder: Path, marker: Path) -> None:
    joblib.dump(_Payload(marker), folder / "model.joblib")


@pytest.mark.parametrize(
    "files",
    [{}, {"notes.txt": "0" * 64}, None],
    ids=["empty", "another-name", "no-files-key"],
)
def test_a_manifest_that_does_not_list_the_model_file_is_refused_before_unpickling(
    saved, tmp_path, files
):
    folder = _copy(saved, tmp_path)
    marker = tmp_path / "code-ran"
    _plant_payload(folder, marker)

    def edit(manifest):
        if files is None:
            del manifest["files"]
        else:
            manifest["files"] = files

    _edit_manifest(folder, edit)
    with pytest.raises(ValueError, match="manifest.json"):
        persona.load(folder)
    assert not marker.exists()


def test_the_model_file_must_be_listed_by_name(saved, tmp_path):
    folder = _copy(saved, tmp_path)
    _edit_manifest(folder, lambda m: m.update(files={}))
    with pytest.raises(
        ValueError,
        match=r"manifest.json does not list model.joblib, which every 'persona-model' folder "
        r"has: .*Refusing to unpickle it",
    ):
        persona.load(folder)


@pytest.mark.parametrize("kind", ["relative", "absolute"])
def test_a_listed_name_outside_the_folder_is_refused_without_reading_it(saved, tmp_path, kind):
    folder = _copy(saved, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours to hash")
    name = "../secret.txt" if kind == "relative" else str(secret)
    _edit_manifest(folder, lambda m: m["files"].update({name: "0" * 64}))
    with pytest.raises(ValueError, match="not a plain file name inside the folder") as caught:
        persona.load(folder)
    assert _sha256(secret)[:12] not in str(caught.value)


def test_a_symlink_out_of_the_folder_is_refused(saved, tmp_path):
    folder = _copy(saved, tmp_path)
    outside = tmp_path / "elsewhere.joblib"
    (folder / "model.joblib").rename(outside)  # same bytes, so its checksum still matches
    (folder / "model.joblib").symlink_to(outside)
    with pytest.raises(ValueError, match=r"model.joblib is a link to .*elsewhere.joblib, outside"):
        persona.load(folder)


def test_a_listed_name_the_format_does_not_have_is_refused(saved, tmp_path):
    folder = _copy(saved, tmp_path)
    (folder / "notes.txt").write_text("hello")
    notes = _sha256(folder / "notes.txt")
    _edit_manifest(folder, lambda m: m["files"].update({"notes.txt": notes}))
    with pytest.raises(
        ValueError, match="lists 'notes.txt', which is not a file of a 'persona-model' folder"
    ):
        persona.load(folder)


def test_a_file_the_manifest_does_not_list_is_refused(saved, tmp_path):
    folder = _copy(saved, tmp_path)
    (folder / "helper.py").write_text("print('hi')")
    with pytest.raises(ValueError, match=r"holds helper.py, which manifest.json does not list"):
        persona.load(folder)


def test_the_bytes_unpickled_are_the_bytes_verified(saved, tmp_path, monkeypatch):
    folder = _copy(saved, tmp_path)
    marker = tmp_path / "code-ran"
    verify = persistence.read_manifest

    def verify_then_swap(*args, **kwargs):
        manifest = verify(*args, **kwargs)
        _plant_payload(folder, marker)  # a swap between the check and the unpickling
        return manifest

    monkeypatch.setattr(persistence, "read_manifest", verify_then_swap)
    with pytest.raises(ValueError, match="changed while it was being loaded"):
        persona.load(folder)
    assert not marker.exists()
