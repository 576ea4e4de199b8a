"""Saving and loading a fitted PersonaModel: a folder with a manifest.

``model.save(path)`` writes ``model.joblib`` (the fitted model, without its
training matrix) and ``manifest.json``: the library and dependency versions,
the feature schema, the persona table, a fingerprint of the training labels
and the SHA-256 checksum of every file. :func:`load` reads the manifest
first and refuses, with an error that says why, a damaged manifest, a
folder whose files were altered, left out of the manifest or added to the
folder, a name that leads outside the folder, or a model written by other
versions of the libraries whose objects it holds -- all before anything is
unpickled, and it unpickles the very bytes it verified.

These checks catch damage, mix-ups and half copies; they do not prove who
wrote the folder: whoever can replace ``model.joblib`` can rewrite the
manifest to match. Unpickling runs code: load only models you (or a process
you trust) saved. For services, ship the assigner artifact, which loads
without unpickling.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np

from persona._manifest import MANIFEST as _MANIFEST
from persona._manifest import _damaged, atomic_write, minor, package_version, read_manifest, sha256
from persona.errors import ArtifactError, ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from persona.model import PersonaModel

__all__ = ["load", "save_model"]

FORMAT = "persona-model"
FORMAT_VERSION = 1
_MODEL_FILE = "model.joblib"
# Packages whose objects live in the pickle: a different minor version may not read them.
_PICKLED = ("persona", "numpy", "pandas", "scikit-learn", "scipy", "umap-learn", "hdbscan")
_ALTERED = (
    "the model was altered or damaged after it was saved. Refusing to unpickle it; save the "
    "model again with model.save(path), or restore a copy you trust."
)
_RESAVE = "Save the model again with model.save(path)."


def save_model(model: PersonaModel, path: str | os.PathLike) -> Path:
    """Write ``model`` to the folder ``path`` (created if needed); return the folder."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "assigner_")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    # load refuses a folder holding files its manifest does not list: say so now, not then.
    own = {_MODEL_FILE, _MANIFEST, f"{_MODEL_FILE}.partial", f"{_MANIFEST}.partial"}
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in own)
    if foreign:
        raise ConfigError(
            f"{folder} holds {', '.join(foreign[:5])}, which is not part of a saved model: a "
            f"model folder holds only {_MANIFEST} and {_MODEL_FILE}. Save into a new or empty "
            "folder."
        )
    light = copy.copy(model)
    light.fitted_ = model.fitted_.for_disk()  # no training matrix, no customers' words
    # The model it was aligned to has done its work (ids, names, lineage are
    # kept here); saving it would chain every earlier night's model.
    light.previous = None
    atomic_write(folder / _MODEL_FILE, lambda f: joblib.dump(light, f, compress=3))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": {name: package_version(name) for name in (*_PICKLED, "joblib")},
        "feature_schema": {
            group: [str(model.feature_names_out_[j]) for j in columns]
            for group, columns in model.assigner_.groups.items()
        },
        "personas": [
            {
                "persona_id": int(p),
                "name": str(row["name"]),
                "size": int(row["size"]),
                "share": float(row["share"]),
            }
            for p, row in model.personas_.iterrows()
        ],  # fmt: skip
        "names": {str(p): n for p, n in model.names_.items()},
        "training": {
            "customers": int(len(model.labels_)),
            "fingerprint": _fingerprint(model),
        },
        "files": {_MODEL_FILE: sha256(folder / _MODEL_FILE)},
    }
    atomic_write(
        folder / _MANIFEST, lambda f: f.write(json.dumps(manifest, indent=1).encode("utf-8"))
    )
    return folder


def load(path: str | os.PathLike) -> PersonaModel:
    """Load a model saved with ``model.save``, after checking its manifest.

    Raises
    ------
    ArtifactError
        If the folder is not a saved model, its manifest is damaged, a file
        was altered (checksum), added or left out, or the model was saved with
        other versions of the libraries it holds. Unpickling runs code: only
        load models from sources you trust.
    """
    folder = Path(path)
    manifest = read_manifest(
        folder,
        FORMAT,
        FORMAT_VERSION,
        missing=f"is not a saved persona model: it has no {_MANIFEST}. Save a model with "
        "model.save(path).",
        altered=_ALTERED,
        files=(_MODEL_FILE,),
        damaged=_RESAVE,
        keys=("versions", "training"),
        only_listed=True,
    )
    saved_versions, fingerprint = _model_entries(folder / _MANIFEST, manifest)
    mismatched = {
        name: (saved, package_version(name))
        for name, saved in saved_versions.items()
        if minor(saved) != minor(package_version(name))
    }
    if mismatched:
        shown = "; ".join(f"{n} saved with {s}, installed {i}" for n, (s, i) in mismatched.items())
        pins = " ".join(f"'{n}=={s}'" for n, (s, _) in mismatched.items())
        raise ArtifactError(
            f"{folder} was saved with other library versions than these: {shown}. Install "
            f"them (pip install {pins}) or refit the model."
        )
    # Unpickle the very bytes whose checksum is checked here: reading the file again after
    # read_manifest would leave a window in which it could be swapped.
    data = (folder / _MODEL_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest["files"][_MODEL_FILE]:
        raise ArtifactError(
            f"{folder / _MODEL_FILE}: the file changed while it was being loaded. {_ALTERED}"
        )
    from persona.discovery._reduce import umap_class

    umap_class()  # the model pickles a UMAP: import it quietly before joblib does
    model = joblib.load(io.BytesIO(data))
    if _fingerprint(model) != fingerprint:
        raise ArtifactError(
            f"{folder}: the model does not match its manifest's training fingerprint. {_RESAVE}"
        )
    return model


def _model_entries(manifest_file: Path, manifest: dict[str, Any]) -> tuple[dict[str, str], str]:
    """The saved version of every package in the pickle (a gap would skip its check) and the
    training fingerprint."""
    versions, training = manifest["versions"], manifest["training"]
    if not isinstance(versions, dict):
        _damaged(manifest_file, "'versions' is not an object", _RESAVE)
    absent = [name for name in _PICKLED if not isinstance(versions.get(name), str)]
    if absent:
        _damaged(manifest_file, f"'versions' has no version for {', '.join(absent)}", _RESAVE)
    if not isinstance(training, dict) or not isinstance(training.get("fingerprint"), str):
        _damaged(manifest_file, "'training' has no fingerprint", _RESAVE)
    return {name: versions[name] for name in _PICKLED}, training["fingerprint"]


def _fingerprint(model: Any) -> str:
    labels = model.labels_
    digest = hashlib.sha256()
    digest.update(np.asarray(labels.index.astype(str)).astype("U").tobytes())
    digest.update(labels.to_numpy(dtype=np.int64).tobytes())
    return digest.hexdigest()
