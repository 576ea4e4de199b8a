"""The exported assigner folder: it assigns like the model, and a tampered, foreign or
crowded folder is refused with the error that names it."""

import json

import pandas as pd
import pytest
from helpers_assignment import customer_record, customer_tables

from persona import assign_persona, load_assigner


def test_the_exported_artifact_assigns_like_the_model(persona_model, customers, sample_ids,
                                                      end, tmp_path):  # fmt: skip
    folder = persona_model.export_assigner(tmp_path / "assigner")
    size = sum(f.stat().st_size for f in folder.iterdir())
    assert size < 1_000_000
    portable = load_assigner(folder)
    assert portable.model_version == persona_model.model_version_
    assert portable.names == persona_model.personas_["name"].to_dict()
    pd.testing.assert_frame_equal(
        portable.predict_proba(**customer_tables(customers), observation_end=end),
        persona_model.probabilities_,
    )
    for customer in sample_ids:
        record = customer_record(customers, customer, end)
        assert assign_persona(record, portable) == assign_persona(record, persona_model)


def test_a_tampered_or_foreign_artifact_is_refused(persona_model, tmp_path):
    folder = persona_model.export_assigner(tmp_path / "assigner")
    data = bytearray((folder / "assigner.npz").read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / "assigner.npz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="assigner.npz does not match its checksum"):
        load_assigner(folder)

    folder = persona_model.export_assigner(tmp_path / "other")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["versions"]["persona"] = "9.9.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="written by persona 9.9.0.*persona==9.9.0"):
        load_assigner(folder)
    with pytest.raises(ValueError, match="is not a persona assigner: it has no manifest.json"):
        load_assigner(tmp_path)


def test_artifact_and_argument_errors_name_their_family(persona_model, tmp_path):
    from persona.errors import ArtifactError, ConfigError

    folder = persona_model.export_assigner(tmp_path / "assigner")
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="holds other files"):
        persona_model.export_assigner(folder)
    (folder / "notes.txt").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["versions"]["persona"] = "9.9.0"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="written by persona 9.9.0"):
        load_assigner(folder)
    with pytest.raises(ConfigError, match="assign with a fitted PersonaModel") as caught:
        assign_persona({"customer_id": 1}, object())
    assert isinstance(caught.value, TypeError)
