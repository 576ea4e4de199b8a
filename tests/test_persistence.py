"""Saving and loading a PersonaModel: round trip, checksums, versions, names."""

import json

import numpy as np
import pandas as pd
import pytest

import persona


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


def test_a_loaded_model_explains_from_tables_not_from_memory(saved, customers):
    loaded = persona.load(saved)
    some = loaded.labels_.index[:3]
    with pytest.raises(ValueError, match="does not keep its training matrix"):
        loaded.explain(customer_ids=some)
    explained = loaded.explain(customers, customer_ids=some)
    np.testing.assert_array_equal(explained["persona_id"], loaded.labels_.loc[some])
