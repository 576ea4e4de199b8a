"""The output folder of a scoring job: its manifest, its part files, and its locks.

The folder is the job's own (:func:`_check_out`): ``part-NNNNN.parquet`` and
``_rejects/part-NNNNN.parquet`` (written whole under a temporary name, then
renamed), ``_manifest.json`` (the job's fingerprint, plan, finished chunks and
summary), the spill files under ``_work`` and the lock files ``_job.lock`` and
``_workers.lock``. Here: which job a folder holds and whether it may go on
(resume) or be emptied (overwrite), whether a chunk's part is finished, and
one job at a time per folder.

It touches nothing outside the output folder; a folder that cannot be used as
it is is an ArtifactError, an ``out=`` that cannot work a ConfigError.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from persona._manifest import atomic_write, sha256
from persona.errors import ArtifactError, ConfigError
from persona.scoring._tables import _stamp

MANIFEST = "_manifest.json"
FORMAT = "persona-scores"
FORMAT_VERSION = 1
_LOCK = "_job.lock"  # held by the job's process, exclusively, for the whole job
_WORKERS_LOCK = "_workers.lock"  # held by its worker processes, shared, chunk by chunk
_LOCKS = (_LOCK, _WORKERS_LOCK)  # kept when a folder is emptied: they must outlive jobs


# --------------------------------------------------------------------------- the folder


def _check_out(folder: Path, sources: dict, model: Any) -> None:
    """``out`` is a folder of its own: not a file, and apart from the job's inputs.

    A job empties its folder on overwrite and spills into it: an input inside it
    would be deleted (``--out`` the folder of ``--events``, say), and a folder
    inside a Parquet input would be read as that input the next night.
    """
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            f"out={str(folder)!r} is a file, not a folder: give the folder to write the "
            f"scores to (part-NNNNN.parquet files and {MANIFEST}; it is made if missing)."
        )
    inputs = {f"{name} input": source.path for name, source in sources.items()
              if source.path is not None}  # fmt: skip
    if isinstance(model, str | os.PathLike):
        inputs["model"] = Path(model)
    target = folder.resolve()
    for what, path in inputs.items():
        place = path.resolve()
        if place == target or target in place.parents:
            raise ConfigError(
                f"out={str(folder)!r} holds the job's {what} '{path}': the scores would mix "
                "with the inputs, and overwrite would delete them. Write the scores to a "
                f"folder of their own, e.g. '{target.parent / (target.name + '-scores')}'."
            )
        if place in target.parents:
            raise ConfigError(
                f"out={str(folder)!r} is inside the job's {what} '{path}': its part files "
                f"would be read as part of that input. Write the scores outside '{path}'."
            )


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"out={str(folder)!r}: the output folder cannot be made ({error.strerror or error}); "
            "give a folder whose parents are folders you may write to."
        ) from error


def _contents(folder: Path) -> list[Path]:
    """What the folder holds besides the lock files."""
    return [p for p in folder.iterdir() if p.name not in _LOCKS]


def _empty(folder: Path) -> None:
    """Delete what a scoring job's folder holds, keeping the lock files.

    The lock file is the one this job holds: deleted, the next job would lock
    a new file while this one holds the old, and both would run.
    """
    for path in _contents(folder):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


# --------------------------------------------------------------------------- the manifest


def _job_fingerprint(
    scorer, sources, chunk_customers, observation_end, top_reasons, scored_at
) -> str:
    identity = {
        "scored_at": None if scored_at is None else str(_stamp(scored_at)),
        "model_version": scorer.model_version,
        "inputs": {name: source.identity() for name, source in sorted(sources.items())},
        "chunk_customers": int(chunk_customers),
        "observation_end": None if observation_end is None else str(pd.Timestamp(observation_end)),
        "top_reasons": int(top_reasons),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def _open_job(folder: Path, job: str, *, resume: bool, overwrite: bool) -> dict:
    manifest = _read_manifest(folder)
    if manifest is not None and manifest.get("format") == FORMAT:
        same = manifest.get("job") == job
        if same and not overwrite and (manifest.get("summary") is not None or resume):
            return manifest
        if not overwrite:
            if same:
                raise ArtifactError(
                    f"{folder} holds this job, unfinished (interrupted?): pass resume=True "
                    "(--resume) to finish it, or overwrite=True to start again."
                )
            raise ArtifactError(
                f"{folder} holds the output of another scoring job (other inputs, model or "
                "settings): write to another folder, or pass overwrite=True to replace it."
            )
        _empty(folder)
    elif _contents(folder):
        # Only a scoring job's own folder is ever emptied: overwrite=True on a folder of
        # other files (the inputs' folder, a home directory) would delete them.
        raise ArtifactError(
            f"{folder} is not empty and holds no scoring job (no {MANIFEST} of format "
            f"'{FORMAT}'), so persona will not write there, even with overwrite=True, which "
            "replaces only a scoring job's output: write to a new or empty folder."
        )
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "job": job}


def _read_manifest(folder: Path) -> dict | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ArtifactError(
            f"{path} is damaged ({error}): persona writes it whole or not at all, so "
            "another program changed it. Write to another folder, or delete this one and "
            "score again."
        ) from error
    return manifest if isinstance(manifest, dict) else {}


def _write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=1, default=str).encode("utf-8")
    atomic_write(folder / MANIFEST, lambda stream: stream.write(text))


def _write_part(folder: Path, k: int, scores: pa.Table, rejects: pd.DataFrame) -> dict:
    """Chunk ``k``'s scores (and rejects, if any) as Parquet; their entry in the manifest."""
    name = f"part-{k:05d}.parquet"
    atomic_write(folder / name, lambda stream: pq.write_table(scores, stream))
    rejects_name = None
    if len(rejects):
        rejects_name = f"_rejects/part-{k:05d}.parquet"
        (folder / "_rejects").mkdir(exist_ok=True)
        frame = pa.Table.from_pandas(rejects.astype({"column": "string"}), preserve_index=False)
        atomic_write(folder / rejects_name, lambda stream: pq.write_table(frame, stream))
    return {"file": name, "rejects": rejects_name, "sha256": sha256(folder / name)}


def _finished(folder: Path, entry: Mapping | None, customers: int) -> bool:
    """Whether chunk's part is written whole and accounts for its ``customers``."""
    if not entry or entry["scored"] + entry["rejected"] != customers:
        return False
    files = [folder / entry["file"]] + ([folder / entry["rejects"]] if entry["rejects"] else [])
    if not all(p.exists() for p in files):
        return False
    return sha256(folder / entry["file"]) == entry["sha256"]


# --------------------------------------------------------------------------- one job at a time


@contextmanager
def _job_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this job: an exclusive flock on its ``_job.lock``, until it ends.

    Two jobs on one folder (a scheduler's retry beside a slow run, a second
    ``--resume``) would partition ``_work`` under each other and lose customers.
    The kernel releases a flock when its holder dies, however it dies, so a lock
    left by a killed job never blocks; what the file says (pid, host, start) only
    names the holder in the next job's error.
    """
    try:
        import fcntl
    except ImportError:  # Windows has no flock: jobs there are not guarded
        yield
        return
    fd = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ArtifactError(
                f"Another scoring job ({_holder(fd)}) is writing to {folder}. Two jobs in "
                "one folder would partition each other's chunks and lose customers: wait "
                "for it to finish (or stop it), then run this one again (--resume finishes "
                "an interrupted job), or give this one another output folder."
            ) from None
        _check_no_workers(folder, fcntl)
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": pd.Timestamp.now(tz="UTC").floor("s").isoformat()}  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (ValueError, KeyError, TypeError):
        return "pid not recorded yet: it has just started"


def _check_no_workers(folder: Path, fcntl: Any) -> None:
    """Refuse while worker processes of an ended job still score a chunk here.

    A killed job's workers finish the chunk they hold; each holds a shared lock
    on ``_workers.lock`` meanwhile, which this exclusive probe would meet.
    """
    fd = os.open(folder / _WORKERS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ArtifactError(
            f"Worker processes of an earlier scoring job still write to {folder} (the job "
            "that started them has ended; each stops after its chunk): wait for them to "
            "exit, then run this job again."
        ) from None
    finally:
        os.close(fd)


@contextmanager
def _worker_lock(folder: Path) -> Iterator[None]:
    """A worker's shared lock on ``_workers.lock`` while it scores a chunk (see above)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder / _WORKERS_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
