"""The exported assigner folder: what ``model.export_assigner(path)`` writes and
:func:`load_assigner` reads back.

``assigner.json`` holds feature definitions and scaling, the assigner's
settings and the persona table; ``assigner.npz`` the assigner's arrays
(:mod:`persona.assignment._arrays`); ``manifest.json`` the versions, feature
schema, persona table and the SHA-256 of every file. :func:`load_assigner`
verifies it all -- checksums, versions, that the arrays hash to the model
version stated -- and loads it without unpickling anything, into a
:class:`~persona.assignment._portable.PortableAssigner`. A folder that cannot be
used is an :class:`~persona.errors.ArtifactError`. This module writes only
the folder it is given.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from persona._manifest import atomic_write, minor, package_version, read_manifest, sha256
from persona.assignment._assigner import Assigner, model_version
from persona.assignment._portable import PortableAssigner, assignment_parts
from persona.assignment._questions import GoldenQuestions
from persona.errors import ArtifactError, ConfigError
from persona.features.builder import FeatureBuilder

if TYPE_CHECKING:  # pragma: no cover
    from persona.model import PersonaModel


__all__ = ["export_assigner", "load_assigner"]

ARTIFACT_FORMAT = "persona-assigner"
ARTIFACT_VERSION = 1
_ARTIFACT_FILES = ("assigner.json", "assigner.npz")


def export_assigner(model: PersonaModel, path: str | os.PathLike) -> Path:
    """Write the portable assigner of a fitted PersonaModel to the folder ``path``.

    ``assigner.json`` (feature definitions and scaling, the assigner's
    settings, the persona table), ``assigner.npz`` (the assigner's arrays) and
    ``manifest.json`` (versions, feature schema, persona table, SHA-256 of
    every file). Nothing in it is pickled.
    """
    parts = assignment_parts(model)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    foreign = sorted(
        p.name for p in folder.iterdir()
        if p.name.removesuffix(".partial") not in {*_ARTIFACT_FILES, "manifest.json"}
    )  # fmt: skip
    if foreign:  # load_assigner refuses a folder holding files its manifest does not list
        raise ConfigError(
            f"{folder} holds other files ({foreign[:5]}): export the assigner into an empty "
            "folder, or into the folder of an earlier export."
        )
    settings, arrays = parts.assigner.to_arrays()
    personas = [
        {"persona_id": int(p), "name": parts.names[int(p)],
         "description": str(model.personas_.loc[p, "description"])}
        for p in parts.persona_ids
    ]  # fmt: skip
    body = {
        "assigner": settings,
        "builder": None if parts.builder is None else parts.builder.to_state(),
        "feature_names": parts.feature_names,
        "personas": personas,
        "model_version": parts.version,
        "golden_questions": None if parts.golden is None else parts.golden.to_dict(),
        "drift_reference": getattr(model, "drift_reference_", None),
    }
    text = json.dumps(body, indent=1).encode("utf-8")
    atomic_write(folder / "assigner.json", lambda stream: stream.write(text))
    atomic_write(folder / "assigner.npz", lambda stream: np.savez(stream, **arrays))
    manifest = {
        "format": ARTIFACT_FORMAT,
        "format_version": ARTIFACT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": {n: package_version(n) for n in ("persona", "numpy", "pandas")},
        "model_version": parts.version,
        "feature_schema": {
            g: [parts.feature_names[j] for j in c] for g, c in settings["groups"].items()
        },
        "personas": [{"persona_id": p["persona_id"], "name": p["name"]} for p in personas],
        "files": {n: sha256(folder / n) for n in _ARTIFACT_FILES},
    }
    text = json.dumps(manifest, indent=1).encode("utf-8")
    atomic_write(folder / "manifest.json", lambda stream: stream.write(text))
    return folder


def _check_belongs(folder: Path, assigner: Assigner, persona_ids, body, manifest) -> None:
    """The arrays, the settings and the persona table are one model's: the version is a hash
    of all of them, so arrays swapped in from another export (checksums updated) or an edited
    persona count no longer hash to the version the artifact states."""
    stated = body.get("model_version")
    if len(persona_ids) != assigner.n_personas_ or len(body["feature_names"]) != (
        assigner.n_features_in_
    ):
        raise ArtifactError(
            f"{folder}: the persona table ({len(persona_ids)} personas) or the feature names "
            f"({len(body['feature_names'])}) do not fit the arrays ({assigner.n_personas_} "
            f"personas, {assigner.n_features_in_} features). Export the assigner again."
        )
    found = model_version(assigner, persona_ids)
    if not found == stated == manifest["model_version"]:
        raise ArtifactError(
            f"{folder}: the assigner's numbers hash to model version {found}, but the artifact "
            f"says {stated} (manifest: {manifest['model_version']}): its files come from "
            "different exports. Export the assigner again."
        )


def load_assigner(path: str | os.PathLike) -> PortableAssigner:
    """Load an exported assigner after verifying its manifest; nothing is unpickled.

    Raises
    ------
    ArtifactError
        If the folder is not an assigner artifact, a file does not match its
        checksum, or it was written by another persona version.
    """
    folder = Path(path)
    manifest = read_manifest(
        folder,
        ARTIFACT_FORMAT,
        ARTIFACT_VERSION,
        missing="is not a persona assigner: it has no manifest.json. Write one with "
        "model.export_assigner(path).",
        altered="the artifact was altered or damaged after it was written.",
        files=_ARTIFACT_FILES,
        damaged="Export the assigner again with model.export_assigner(path).",
        keys=("versions", "model_version"),
        only_listed=True,
    )
    versions = manifest["versions"]
    saved = versions.get("persona", "?") if isinstance(versions, Mapping) else "?"
    installed = package_version("persona")
    if minor(saved) != minor(installed):
        raise ArtifactError(
            f"{folder} was written by persona {saved}, and this is persona {installed}: feature "
            f"definitions may differ. Install persona=={saved} or export the assigner again."
        )
    body = json.loads((folder / "assigner.json").read_text(encoding="utf-8"))
    with np.load(folder / "assigner.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    try:
        assigner = Assigner.from_arrays(body["assigner"], arrays)
    except ValueError as error:  # arrays of another model, or settings that cannot work
        raise ArtifactError(f"{folder}: {error}. Export the assigner again.") from error
    builder = None if body["builder"] is None else FeatureBuilder.from_state(body["builder"])
    personas = body["personas"]
    persona_ids = np.array([p["persona_id"] for p in personas], dtype=np.int64)
    _check_belongs(folder, assigner, persona_ids, body, manifest)
    return PortableAssigner(
        builder=builder,
        assigner=assigner,
        feature_names=list(body["feature_names"]),
        persona_ids=persona_ids,
        names={int(p["persona_id"]): p["name"] for p in personas},
        descriptions={int(p["persona_id"]): p["description"] for p in personas},
        model_version=body["model_version"],
        manifest=manifest,
        golden=None
        if body.get("golden_questions") is None
        else GoldenQuestions.from_dict(body["golden_questions"]),
        drift_reference=body.get("drift_reference"),
    )
