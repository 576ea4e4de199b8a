"""Saving and loading a fitted PersonaModel: a folder with a manifest.

``model.save(path)`` writes ``model.joblib`` (the fitted model, without its
training matrix) and ``manifest.json``: the library and dependency versions,
the feature schema, the persona table, a fingerprint of the training labels
and the SHA-256 checksum of every file. :func:`load` reads the manifest
first and refuses, with an error that says why, a folder whose files were
altered or that was written by other versions of the libraries whose
objects it holds -- all before anything is unpickled.

Unpickling runs code: load only models you (or a process you trust) saved.
A model file from an untrusted source must not be loaded; for services, the
assigner artifact (which loads without unpickling) is the thing to ship.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np

from persona._optional import DISTRIBUTION

if TYPE_CHECKING:  # pragma: no cover
    from persona.model import PersonaModel

__all__ = ["load", "save_model"]

FORMAT = "persona-model"
FORMAT_VERSION = 1
_MODEL_FILE = "model.joblib"
_MANIFEST = "manifest.json"
# Packages whose objects live in the pickle: a different minor version may not read them.
_PICKLED = ("persona", "numpy", "pandas", "scikit-learn", "scipy", "umap-learn", "hdbscan")


def save_model(model: PersonaModel, path: str | os.PathLike) -> Path:
    """Write ``model`` to the folder ``path`` (created if needed); return the folder."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model, "assigner_")
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    light = copy.copy(model)
    light._training = None  # rebuilt from tables when needed; can weigh GBs
    # The model it was aligned to has done its work (ids, names, lineage are
    # kept here); saving it would chain every earlier night's model.
    light.previous = None
    light.__dict__.pop("_assignment_parts", None)  # a cache, rebuilt on the first assignment
    _atomic_write(folder / _MODEL_FILE, lambda f: joblib.dump(light, f, compress=3))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": {name: _version(name) for name in (*_PICKLED, "joblib")},
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
        "files": {_MODEL_FILE: _sha256(folder / _MODEL_FILE)},
    }
    _atomic_write(
        folder / _MANIFEST, lambda f: f.write(json.dumps(manifest, indent=1).encode("utf-8"))
    )
    return folder


def load(path: str | os.PathLike) -> PersonaModel:
    """Load a model saved with ``model.save``, after checking its manifest.

    Raises
    ------
    ValueError
        If the folder is not a saved model, a file was altered (checksum) or
        the model was saved with other versions of the libraries it holds.
        Unpickling runs code: only load models from sources you trust.
    """
    folder = Path(path)
    manifest = read_manifest(
        folder,
        FORMAT,
        FORMAT_VERSION,
        missing=f"is not a saved persona model: it has no {_MANIFEST}. Save a model with "
        "model.save(path).",
        altered="the model was altered or damaged after it was saved. Refusing to unpickle it.",
    )
    mismatched = {
        name: (saved, _version(name))
        for name, saved in manifest.get("versions", {}).items()
        if name in _PICKLED and _minor(saved) != _minor(_version(name))
    }
    if mismatched:
        shown = "; ".join(f"{n} saved with {s}, installed {i}" for n, (s, i) in mismatched.items())
        pins = " ".join(f"'{n}=={s}'" for n, (s, _) in mismatched.items())
        raise ValueError(
            f"{folder} was saved with other library versions than these: {shown}. Install "
            f"them (pip install {pins}) or refit the model."
        )
    model = joblib.load(folder / _MODEL_FILE)
    if _fingerprint(model) != manifest["training"]["fingerprint"]:
        raise ValueError(f"{folder}: the model does not match its manifest's training fingerprint.")
    return model


def read_manifest(
    folder: Path,
    kind: str,
    format_version: int,
    *,
    missing: str,
    altered: str,
    files: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """A folder's manifest, once its format and every file's checksum are verified.

    ``missing`` and ``altered`` finish the error messages for a folder without
    a manifest and for a file that does not match its checksum; ``files``
    names the files that must be there (default: those the manifest lists).
    """
    manifest_file = folder / _MANIFEST
    if not manifest_file.is_file():
        raise ValueError(f"{folder} {missing}")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if (manifest.get("format"), manifest.get("format_version")) != (kind, format_version):
        raise ValueError(
            f"{manifest_file}: format {manifest.get('format')!r} version "
            f"{manifest.get('format_version')!r}, but this persona reads {kind!r} version "
            f"{format_version}."
        )
    listed = manifest.get("files", {})
    for name in files or tuple(listed):
        expected = str(listed.get(name))
        actual = _sha256(folder / name) if (folder / name).is_file() else "missing"
        if actual != expected:
            raise ValueError(
                f"{folder / name} does not match its checksum in {_MANIFEST} "
                f"(expected sha256 {expected[:12]}..., found {actual[:12]}...): {altered}"
            )
    return manifest


def _fingerprint(model: Any) -> str:
    labels = model.labels_
    digest = hashlib.sha256()
    digest.update(np.asarray(labels.index.astype(str)).astype("U").tobytes())
    digest.update(labels.to_numpy(dtype=np.int64).tobytes())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as stream:
        write(stream)
    os.replace(partial, path)


def _version(name: str) -> str:
    """The installed version of a distribution; ``persona`` means persona's own."""
    try:
        return version(DISTRIBUTION if name == "persona" else name)
    except PackageNotFoundError:
        return "unknown"


def _minor(text: str) -> str:
    return ".".join(text.split("+")[0].split(".")[:2])
