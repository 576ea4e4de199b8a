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

import contextlib
import copy
import hashlib
import io
import json
import os
import platform
import re
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

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
_SHA256 = re.compile("[0-9a-f]{64}")
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
        raise ValueError(
            f"{folder} holds {', '.join(foreign[:5])}, which is not part of a saved model: a "
            f"model folder holds only {_MANIFEST} and {_MODEL_FILE}. Save into a new or empty "
            "folder."
        )
    light = copy.copy(model)
    light._training = None  # rebuilt from tables when needed; can weigh GBs
    light._comments = None  # customers' own words: never written to disk
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
        name: (saved, _version(name))
        for name, saved in saved_versions.items()
        if _minor(saved) != _minor(_version(name))
    }
    if mismatched:
        shown = "; ".join(f"{n} saved with {s}, installed {i}" for n, (s, i) in mismatched.items())
        pins = " ".join(f"'{n}=={s}'" for n, (s, _) in mismatched.items())
        raise ValueError(
            f"{folder} was saved with other library versions than these: {shown}. Install "
            f"them (pip install {pins}) or refit the model."
        )
    # Unpickle the very bytes whose checksum is checked here: reading the file again after
    # read_manifest would leave a window in which it could be swapped.
    data = (folder / _MODEL_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest["files"][_MODEL_FILE]:
        raise ValueError(
            f"{folder / _MODEL_FILE}: the file changed while it was being loaded. {_ALTERED}"
        )
    from persona.discovery import umap_class

    umap_class()  # the model pickles a UMAP: import it quietly before joblib does
    model = joblib.load(io.BytesIO(data))
    if _fingerprint(model) != fingerprint:
        raise ValueError(
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


def read_manifest(
    folder: Path,
    kind: str,
    format_version: int,
    *,
    missing: str,
    altered: str,
    files: tuple[str, ...] | None = None,
    damaged: str = "Write the folder again from the fitted model.",
    keys: tuple[str, ...] = (),
    only_listed: bool = False,
) -> dict[str, Any]:
    """A folder's manifest, once its format and every file's checksum are verified.

    ``missing`` and ``altered`` finish the error messages for a folder without
    a manifest and for a file that is not as the manifest says; ``damaged``
    is the fix for a manifest that cannot be read. ``files`` names the files
    the format has: each must be listed and match its checksum, and no other
    name may be listed (default: those the manifest lists, which must be at
    least one). ``keys`` are the other top-level keys the caller reads.
    With ``only_listed``, a folder holding anything but the manifest and its
    listed files is refused too. Listed names must be plain file names whose
    files stay inside ``folder``, through links too.
    """
    manifest_file = folder / _MANIFEST
    if not manifest_file.is_file():
        raise ValueError(f"{folder} {missing}")
    _check_inside(folder, manifest_file, altered)
    manifest = _parse_manifest(manifest_file, damaged)
    required = ("format", "format_version", "files", *keys)
    absent = [key for key in required if key not in manifest]
    if absent:
        _damaged(manifest_file, f"it has no {', '.join(map(repr, absent))}", damaged)
    if (manifest["format"], manifest["format_version"]) != (kind, format_version):
        raise ValueError(
            f"{manifest_file}: format {manifest['format']!r} version "
            f"{manifest['format_version']!r}, but this persona reads {kind!r} version "
            f"{format_version}."
        )
    listed = _listed_files(manifest_file, manifest["files"], damaged)
    _check_names(folder, listed, kind, files, altered)
    if only_listed:
        _check_nothing_unlisted(folder, listed, kind)
    for name in files or tuple(listed):
        expected = listed[name]
        actual = _sha256(folder / name) if (folder / name).is_file() else "missing"
        if actual != expected:
            raise ValueError(
                f"{folder / name} does not match its checksum in {_MANIFEST} "
                f"(expected sha256 {expected[:12]}..., found {actual[:12]}...): {altered}"
            )
    return manifest


def _parse_manifest(manifest_file: Path, damaged: str) -> dict[str, Any]:
    try:
        manifest = json.loads(manifest_file.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON; absurd nesting
        _damaged(manifest_file, f"it is not JSON: {error}", damaged)
    if not isinstance(manifest, dict):
        _damaged(
            manifest_file, f"it holds a JSON {type(manifest).__name__}, not an object", damaged
        )
    return manifest


def _listed_files(manifest_file: Path, listed: Any, damaged: str) -> dict[str, str]:
    if not isinstance(listed, dict) or not all(
        isinstance(digest, str) and _SHA256.fullmatch(digest) for digest in listed.values()
    ):
        _damaged(manifest_file, "'files' is not an object of names and SHA-256 checksums", damaged)
    return listed


def _check_names(
    folder: Path, listed: dict[str, str], kind: str, files: tuple[str, ...] | None, altered: str
) -> None:
    manifest_file = folder / _MANIFEST
    if not listed and not files:  # with files, the first one missing is named below
        raise ValueError(f"{manifest_file} lists no files: {altered}")
    for name in listed:
        # A plain name cannot be absolute or climb out with "..", on POSIX or Windows.
        if name in ("", ".", "..", _MANIFEST) or any(c in name for c in "/\\:\0"):
            raise ValueError(
                f"{manifest_file} lists {name!r}, which is not a plain file name inside the "
                f"folder: {altered}"
            )
    for name in files or ():
        if name not in listed:
            raise ValueError(
                f"{manifest_file} does not list {name}, which every {kind!r} folder has: {altered}"
            )
    for name in listed:
        if files is not None and name not in files:
            raise ValueError(
                f"{manifest_file} lists {name!r}, which is not a file of a {kind!r} folder "
                f"(those are {', '.join(files)}): {altered}"
            )
        _check_inside(folder, folder / name, altered)


def _check_inside(folder: Path, path: Path, altered: str) -> None:
    """Refuse a link that leads out of ``folder``: the checksum would vouch for a stranger."""
    target = path.resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValueError(
            f"{path} is a link to {target}, outside {folder}: {altered} Copy the file itself "
            "into the folder."
        )


def _check_nothing_unlisted(folder: Path, listed: dict[str, str], kind: str) -> None:
    # A file nobody verified has no business next to a pickle: joblib's older format, for
    # one, reads arrays from files beside the one it loads.
    unlisted = sorted(p.name for p in folder.iterdir() if p.name not in {_MANIFEST, *listed})
    if unlisted:
        raise ValueError(
            f"{folder} holds {', '.join(unlisted[:5])}, which {_MANIFEST} does not list: every "
            f"file in a {kind!r} folder must be listed and verified. Move what you added out "
            "of the folder, or write the folder again into an empty one."
        )


def _damaged(manifest_file: Path, problem: str, fix: str) -> NoReturn:
    raise ValueError(f"{manifest_file}: the manifest is damaged ({problem}). {fix}")


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
    """Write ``path`` through ``write(stream)`` so that it is either whole or as it was."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as stream:
            write(stream)
        os.replace(partial, path)
    except BaseException:
        # A full disk or an interrupted save must not leave its half-written file behind;
        # the error that stopped the write is the one to report, not a failed clean-up.
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def _version(name: str) -> str:
    """The installed version of a distribution; ``persona`` means persona's own."""
    try:
        return version(DISTRIBUTION if name == "persona" else name)
    except PackageNotFoundError:
        return "unknown"


def _minor(text: str) -> str:
    return ".".join(text.split("+")[0].split(".")[:2])
