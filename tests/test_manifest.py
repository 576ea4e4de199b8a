"""persona._manifest: folders whose every file is listed with its checksum, and whole writes."""

import hashlib
import json
from importlib.metadata import version

import pytest

from persona._manifest import (
    MANIFEST,
    atomic_write,
    minor,
    package_version,
    read_manifest,
    sha256,
)
from persona.errors import ArtifactError

MISSING = "is not a folder written by the test."
ALTERED = "write it again."


def _folder(tmp_path, files, **extra):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    listed = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = {"format": "kind", "format_version": 1, "files": listed, **extra}
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    return tmp_path


def _read(folder, **options):
    return read_manifest(folder, "kind", 1, missing=MISSING, altered=ALTERED, **options)


def test_a_whole_folder_reads_back_its_manifest(tmp_path):
    folder = _folder(tmp_path, {"a.bin": b"abc"}, note="kept")
    manifest = _read(folder, files=("a.bin",), keys=("note",), only_listed=True)
    assert manifest["note"] == "kept" and list(manifest["files"]) == ["a.bin"]


def test_an_altered_file_is_refused_with_both_checksums(tmp_path):
    folder = _folder(tmp_path, {"a.bin": b"abc"})
    (folder / "a.bin").write_bytes(b"abd")
    with pytest.raises(ArtifactError, match=r"a\.bin does not match its checksum .*expected "
                       r"sha256 ba7816bf8f01\.\.\., found .*write it again\."):  # fmt: skip
        _read(folder)


def test_missing_manifest_other_format_and_damaged_json_are_named(tmp_path):
    with pytest.raises(ArtifactError, match=r"is not a folder written by the test\.$"):
        _read(tmp_path)
    _folder(tmp_path, {"a.bin": b"x"})
    with pytest.raises(ArtifactError, match=r"format 'kind' version 1, but this persona reads "
                       r"'other' version 1\."):  # fmt: skip
        read_manifest(tmp_path, "other", 1, missing=MISSING, altered=ALTERED)
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(ArtifactError, match=r"the manifest is damaged \(it is not JSON"):
        _read(tmp_path)


def test_names_that_climb_out_and_unlisted_files_are_refused(tmp_path):
    folder = _folder(tmp_path, {"a.bin": b"x"})
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["../b.bin"] = "0" * 64
    (folder / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"lists '\.\./b\.bin', which is not a plain file name"):
        _read(folder)
    other = tmp_path / "other"
    other.mkdir()
    _folder(other, {"a.bin": b"x"})
    (other / "stray.bin").write_bytes(b"?")
    with pytest.raises(
        ArtifactError, match=r"holds stray\.bin, which manifest\.json does not list"
    ):
        _read(other, only_listed=True)


def test_atomic_write_leaves_the_old_file_whole_when_the_write_fails(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("old")

    def half(stream):
        stream.write(b"new, but")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half)
    assert target.read_text() == "old" and not (tmp_path / "file.txt.partial").exists()
    atomic_write(target, lambda stream: stream.write(b"new"))
    assert target.read_text() == "new"


def test_checksums_and_versions(tmp_path):
    (tmp_path / "a").write_bytes(b"abc")
    assert sha256(tmp_path / "a") == hashlib.sha256(b"abc").hexdigest()
    assert minor("1.26.4+local") == "1.26" and minor("0.2.0.dev0") == "0.2"
    assert package_version("numpy") == version("numpy")
    assert package_version("persona") == version("persona-segments")
    assert package_version("no-such-distribution-xyz") == "unknown"
