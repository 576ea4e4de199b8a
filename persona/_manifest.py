"""Folders with a manifest: checksums verified before anything is read, writes that are whole.

A saved model (:mod:`persona.persistence`), an exported assigner
(:mod:`persona.assignment`) and a drift reference are folders whose
``manifest.json`` lists every file with its SHA-256 checksum. This module reads
such a manifest and refuses, with an :class:`~persona.errors.ArtifactError` that
says why, a damaged one, a file that was altered, left out or added, or a name
that leads outside the folder; it also writes files atomically. It touches
nothing but the file system.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NoReturn

from persona._optional import DISTRIBUTION
from persona.errors import ArtifactError

__all__ = ["MANIFEST", "atomic_write", "minor", "package_version", "read_manifest", "sha256"]

MANIFEST = "manifest.json"
_SHA256 = re.compile("[0-9a-f]{64}")


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
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise ArtifactError(f"{folder} {missing}")
    _check_inside(folder, manifest_file, altered)
    manifest = _parse_manifest(manifest_file, damaged)
    required = ("format", "format_version", "files", *keys)
    absent = [key for key in required if key not in manifest]
    if absent:
        _damaged(manifest_file, f"it has no {', '.join(map(repr, absent))}", damaged)
    if (manifest["format"], manifest["format_version"]) != (kind, format_version):
        raise ArtifactError(
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
        actual = sha256(folder / name) if (folder / name).is_file() else "missing"
        if actual != expected:
            raise ArtifactError(
                f"{folder / name} does not match its checksum in {MANIFEST} "
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
    manifest_file = folder / MANIFEST
    if not listed and not files:  # with files, the first one missing is named below
        raise ArtifactError(f"{manifest_file} lists no files: {altered}")
    for name in listed:
        # A plain name cannot be absolute or climb out with "..", on POSIX or Windows.
        if name in ("", ".", "..", MANIFEST) or any(c in name for c in "/\\:\0"):
            raise ArtifactError(
                f"{manifest_file} lists {name!r}, which is not a plain file name inside the "
                f"folder: {altered}"
            )
    for name in files or ():
        if name not in listed:
            raise ArtifactError(
                f"{manifest_file} does not list {name}, which every {kind!r} folder has: {altered}"
            )
    for name in listed:
        if files is not None and name not in files:
            raise ArtifactError(
                f"{manifest_file} lists {name!r}, which is not a file of a {kind!r} folder "
                f"(those are {', '.join(files)}): {altered}"
            )
        _check_inside(folder, folder / name, altered)


def _check_inside(folder: Path, path: Path, altered: str) -> None:
    """Refuse a link that leads out of ``folder``: the checksum would vouch for a stranger."""
    target = path.resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ArtifactError(
            f"{path} is a link to {target}, outside {folder}: {altered} Copy the file itself "
            "into the folder."
        )


def _check_nothing_unlisted(folder: Path, listed: dict[str, str], kind: str) -> None:
    # A file nobody verified has no business next to a pickle: joblib's older format, for
    # one, reads arrays from files beside the one it loads.
    unlisted = sorted(p.name for p in folder.iterdir() if p.name not in {MANIFEST, *listed})
    if unlisted:
        raise ArtifactError(
            f"{folder} holds {', '.join(unlisted[:5])}, which {MANIFEST} does not list: every "
            f"file in a {kind!r} folder must be listed and verified. Move what you added out "
            "of the folder, or write the folder again into an empty one."
        )


def _damaged(manifest_file: Path, problem: str, fix: str) -> NoReturn:
    raise ArtifactError(f"{manifest_file}: the manifest is damaged ({problem}). {fix}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path: Path, write) -> None:
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


def package_version(name: str) -> str:
    """The installed version of a distribution; ``persona`` means persona's own."""
    try:
        return version(DISTRIBUTION if name == "persona" else name)
    except PackageNotFoundError:
        return "unknown"


def minor(text: str) -> str:
    return ".".join(text.split("+")[0].split(".")[:2])
