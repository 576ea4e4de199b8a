"""Saving and loading a PersonaModel: round trip, checksums, versions, names, damaged
manifests, failed writes."""

import errno
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import persona
from persona import persistence
from persona._manifest import atomic_write as _atomic_write


@pytest.fixture(scope="module")
def saved(persona_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    persona_model.rename({2: "Weekend explorers"})
    try:
        persona_model.save(folder)
    finally:
        persona_model.names_ = {}
        persona_model._publish()
    return folder


def test_a_saved_model_loads_and_scores_the_same(saved, persona_model, customers):
    loaded = persona.load(saved)
    pd.testing.assert_series_equal(loaded.labels_, persona_model.labels_)
    pd.testing.assert_frame_equal(loaded.probabilities_, persona_model.probabilities_)
    tables = {"events": customers.events, "survey": customers.survey,
              "emotions": customers.emotions}  # fmt: skip
    pd.testing.assert_frame_equal(loaded.predict_proba(**tables), persona_model.probabilities_)
    assert loaded.personas_.loc[2, "name"] == "Weekend explorers"
    assert loaded.names_ == {2: "Weekend explorers"}


def test_the_manifest_describes_the_model(saved, persona_model):
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["format"] == "persona-model"
    assert set(manifest["versions"]) >= {"persona", "scikit-learn", "umap-learn", "hdbscan"}
    assert manifest["feature_schema"]["psychographic"][0] == "psychographic__thrift"
    assert [p["persona_id"] for p in manifest["personas"]] == list(persona_model.persona_ids_)
    assert manifest["names"] == {"2": "Weekend explorers"}
    assert manifest["training"]["customers"] == len(persona_model.labels_)
    assert len(manifest["files"]["model.joblib"]) == 64


def test_an_altered_model_file_is_refused_before_unpickling(saved, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("manifest.json", "model.joblib"):
        (copy / name).write_bytes((saved / name).read_bytes())
    data = bytearray((copy / "model.joblib").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.joblib").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match its checksum.*Refusing to unpickle"):
        persona.load(copy)


def test_other_library_versions_are_refused(saved, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "model.joblib").write_bytes((saved / "model.joblib").read_bytes())
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["versions"]["scikit-learn"] = "0.24.2"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="scikit-learn saved with 0.24.2.*'scikit-learn==0.24.2'"):
        persona.load(copy)


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="is not a saved persona model: it has no manifest.json"):
        persona.load(tmp_path)


def _damage(manifest: dict, how: str) -> bytes:
    if how == "not-json":
        return b'{"format": "persona-model", '
    if how == "not-utf8":
        return b"\xff\xfe{}"
    if how == "not-an-object":
        return b"[1, 2, 3]"
    if how == "files-not-an-object":
        manifest["files"] = ["model.joblib"]
    elif how == "checksum-not-hex":
        manifest["files"]["model.joblib"] = "sha256"
    elif how == "version-missing":
        del manifest["versions"]["scikit-learn"]
    elif how == "fingerprint-missing":
        del manifest["training"]["fingerprint"]
    else:
        del manifest[how.removeprefix("no-")]
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    "how",
    ["not-json", "not-utf8", "not-an-object", "no-format", "no-files", "no-versions",
     "no-training", "files-not-an-object", "checksum-not-hex", "version-missing",
     "fingerprint-missing"],
)  # fmt: skip
def test_a_damaged_manifest_is_named_and_the_fix_given(saved, tmp_path, how):
    copy = Path(shutil.copytree(saved, tmp_path / "copy"))
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_bytes(_damage(manifest, how))
    where = re.escape(str(copy / "manifest.json"))
    with pytest.raises(
        ValueError, match=f"^{where}: the manifest is damaged .*Save the model again"
    ):
        persona.load(copy)


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     KeyboardInterrupt()])  # fmt: skip
def test_a_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, failure):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"the earlier model")

    def fill_the_disk(stream):
        stream.write(b"half a model")
        raise failure

    with pytest.raises(type(failure)):
        _atomic_write(target, fill_the_disk)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.joblib"]
    assert target.read_bytes() == b"the earlier model"


def test_saving_onto_a_full_disk_leaves_no_partial_file(persona_model, tmp_path, monkeypatch):
    def full_disk(value, stream, **kwargs):
        stream.write(b"half a model")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(persistence.joblib, "dump", full_disk)
    with pytest.raises(OSError, match="No space left"):
        persona_model.save(tmp_path / "model")
    assert list((tmp_path / "model").iterdir()) == []


def test_a_model_is_not_saved_among_foreign_files(persona_model, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"holds notes.txt, which is not part of a saved model"):
        persona_model.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_model_saves_again_over_its_own_folder(saved, persona_model, tmp_path):
    copy = Path(shutil.copytree(saved, tmp_path / "copy"))
    persona.load(persona_model.save(copy))
    assert sorted(p.name for p in copy.iterdir()) == ["manifest.json", "model.joblib"]


def test_a_loaded_model_explains_from_tables_not_from_memory(saved, customers):
    loaded = persona.load(saved)
    some = loaded.labels_.index[:3]
    with pytest.raises(ValueError, match="does not keep its training matrix"):
        loaded.explain(customer_ids=some)
    explained = loaded.explain(customers, customer_ids=some)
    np.testing.assert_array_equal(explained["persona_id"], loaded.labels_.loc[some])
