"""Nightly scoring of the whole customer base: file to file, bounded memory, resumable.

:func:`score_files` reads the ``events``, ``survey`` and ``emotions`` tables
(Parquet files, partitioned Parquet folders or CSV files), scores every
customer with the distilled assigner of a model or an exported artifact, and
writes a Parquet dataset with one row per customer.

How it works, in three passes over the input:

1. **Plan.** The customer ids of every table are read (that column alone) to
   number the customers in id order and cut them into chunks of
   ``chunk_customers``; the observation end is the latest touchpoint unless
   given. The plan goes into ``_manifest.json`` in the output folder.
2. **Partition.** Each table is streamed once, in record batches, and every
   row is appended to its chunk's spill file (Arrow IPC), in input order. All of a
   customer's rows land in one chunk whatever order the files are in (by
   time, say), and memory holds one batch at a time.
3. **Score.** Each chunk is read back, checked against the data contract,
   turned into features and scored by :func:`persona.scoring._tables.score_tables`,
   the function Spark and any other engine call too, and written as one Parquet file under
   a temporary name, then renamed. The manifest records each finished chunk
   (its counts, checksum and drift counts), so ``resume=True`` after a crash
   scores only what is missing and gives byte-identical files. Chunks run in
   parallel with ``n_jobs``; their output does not depend on it.

Nothing is lost and nothing doubled: a customer whose rows break the contract
is written to ``_rejects/`` with the reason, every other customer to the
scores, and the summary reconciles the counts (input = scored + rejected). A
chunk counts as finished only when it accounts for every customer the plan
gave it; spill files found missing or changed on resume are made again.

One job at a time writes to a folder: it holds an exclusive lock on
``_job.lock`` there (its workers one on ``_workers.lock``), and a second job
is refused with the first one's pid. The folder is the job's own: it may not
hold or sit inside the job's inputs, and ``overwrite`` replaces only a scoring
job's folder, never other files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv  # noqa: F401  (pa.csv: tab-separated inputs)
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from persona._manifest import atomic_write, sha256
from persona.contract._schema import _MIXED_OFFSETS, _has_utc_offset, _minority_of
from persona.contract._tables import ReadOptions, table_format, table_path, unreadable
from persona.drift._drift import DriftAccumulator, DriftReport, DriftThresholds
from persona.errors import InputError
from persona.scoring._tables import _stamp, portable_assigner, score_tables

__all__ = ["ScoringSummary", "drift_of", "score_files"]

log = logging.getLogger("persona.scoring._files")

MANIFEST = "_manifest.json"
FORMAT = "persona-scores"
FORMAT_VERSION = 1
_TABLES = ("events", "survey", "emotions")
_ID = "customer_id"
_REQUIRED = {"events": ("customer_id", "timestamp", "channel", "event_type"),
             "survey": ("customer_id",), "emotions": ("customer_id",)}  # fmt: skip
_BATCH_ROWS = 1_000_000  # input rows read at once while partitioning
_LOCK = "_job.lock"  # held by the job's process, exclusively, for the whole job
_WORKERS_LOCK = "_workers.lock"  # held by its worker processes, shared, chunk by chunk
_LOCKS = (_LOCK, _WORKERS_LOCK)  # kept when a folder is emptied: they must outlive jobs


# --------------------------------------------------------------------------- the job


@dataclass
class ScoringSummary:
    """What a scoring job did: counts that reconcile, where things went, how long it took."""

    out: str
    input_customers: int
    scored: int
    rejected: int
    rows_without_customer: dict[str, int]
    chunks: int
    observation_end: str
    scored_at: str
    model_version: str
    seconds: float
    resumed_chunks: int = 0
    warnings: list[str] = field(default_factory=list)
    drift: DriftReport | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self) | {"drift": None}
        if self.drift is not None:
            out["drift"] = {
                "refit_recommended": self.drift.refit_recommended,
                "verdict": self.drift.verdict,
            }
        return out

    def __str__(self) -> str:
        lines = [
            f"{self.input_customers:,} customers in: {self.scored:,} scored, "
            f"{self.rejected:,} rejected (see {self.out}/_rejects), in {self.seconds:.1f} s",
        ]
        lost = {k: v for k, v in self.rows_without_customer.items() if v}
        if lost:
            lines.append(f"rows without a customer_id, left out: {lost}")
        if self.drift is not None:
            lines.append(f"drift: {self.drift.verdict}")
        return "\n".join(lines)


def score_files(
    model: Any,
    *,
    events: Any = None,
    survey: Any = None,
    emotions: Any = None,
    out: str | os.PathLike,
    chunk_customers: int = 250_000,
    observation_end: Any = None,
    n_jobs: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    drift_report: str | os.PathLike | None = None,
    drift_thresholds: DriftThresholds | None = None,
    top_reasons: int = 3,
    scored_at: Any = None,
    progress: bool | None = None,
    read_options: ReadOptions | None = None,
) -> ScoringSummary:
    """Score every customer of the input files into a Parquet dataset at ``out``.

    Parameters
    ----------
    model : PersonaModel, PortableAssigner or path
        A fitted model, a loaded assigner, or the folder of either
        (``model.save`` / ``model.export_assigner``).
    events, survey, emotions : path or DataFrame, optional
        Parquet file, folder of Parquet files, or CSV file; at least one.
    out : path
        The output folder: ``part-NNNNN.parquet`` (scores, sorted by customer
        within and across parts), ``_rejects/part-NNNNN.parquet``,
        ``_manifest.json`` (plan, finished chunks, summary) and the lock files
        ``_job.lock`` and ``_workers.lock``. Not a file, and neither the folder
        of an input (or of the model) nor inside one. One job at a time: a
        second job on the folder is refused with the first one's pid.
    chunk_customers : int, default=250_000
        Customers scored at once: what peak memory depends on, with ``n_jobs``.
    observation_end : timestamp, optional
        End of the touchpoint window; by default the latest touchpoint.
    n_jobs : int, default=1
        Chunks scored in parallel processes (-1: one per core).
    resume : bool, default=False
        Finish an interrupted job in ``out``: finished chunks are kept.
    overwrite : bool, default=False
        Replace what ``out`` holds from another scoring job. A folder that
        holds other files (no ``_manifest.json`` of a scoring job) is never
        emptied, with or without it.
    drift_report : path, optional
        A folder to write ``drift.json`` and ``drift.html`` to, comparing the
        night's base with the model's training base.
    drift_thresholds : DriftThresholds, optional
    top_reasons : int, default=3
    scored_at : timestamp, optional
        Stamped on every row; by default the job's start (kept on resume).
    progress : bool, optional
        A progress bar; by default when stderr is a terminal (else log lines).
    read_options : ReadOptions, optional
        CSV inputs' dialect and timestamp format (by default the dialect is
        read off each file's first lines, and timestamps are ISO 8601). With a
        ``timestamp_format``, a value it does not fit fails the job by name.

    Returns
    -------
    ScoringSummary
        Rerunning a finished job returns its summary and writes nothing.
    """
    started = time.perf_counter()
    scorer = portable_assigner(model)
    sources = {name: _source(name, value, read_options) for name, value in
               (("events", events), ("survey", survey), ("emotions", emotions))
               if value is not None}  # fmt: skip
    if not sources:
        raise ValueError("Got no input: pass at least one of events=, survey=, emotions=.")
    if isinstance(chunk_customers, bool) or not isinstance(chunk_customers, int | np.integer):
        raise ValueError(f"Got chunk_customers={chunk_customers!r}; expected a whole number >= 1.")
    if chunk_customers < 1:
        raise ValueError(f"Got chunk_customers={chunk_customers!r}; expected a whole number >= 1.")
    folder = Path(out)
    _check_out(folder, sources, model)
    _make_folder(folder)
    with _job_lock(folder):
        job = _job_fingerprint(
            scorer, sources, chunk_customers, observation_end, top_reasons, scored_at
        )
        manifest = _open_job(folder, job, resume=resume, overwrite=overwrite)
        manifest.setdefault("model_version", scorer.model_version)
        # what `persona drift OUT` compares with
        manifest.setdefault("drift_reference", scorer.drift_reference)
        if manifest.get("summary") is not None:
            log.info("%s: this job already finished; nothing to do.", folder)
            return _summary_from(manifest, scorer.drift_reference, drift_thresholds, drift_report)
        if manifest.get("plan") is None:
            manifest["plan"] = _plan(sources, chunk_customers, observation_end, scored_at)
            _write_manifest(folder, manifest)
        resumed = _score_chunks(scorer, sources, folder, manifest, top_reasons, n_jobs, progress)
        plan = manifest["plan"]
        summary = _finish(
            folder, manifest, plan, scorer.drift_reference, drift_thresholds, drift_report
        )
        summary.seconds = time.perf_counter() - started
        summary.resumed_chunks = resumed
        manifest["summary"] = summary.to_dict()
        _write_manifest(folder, manifest)
        shutil.rmtree(folder / "_work", ignore_errors=True)
    log.info("%s", summary)
    return summary


def _score_chunks(scorer, sources, folder, manifest, top_reasons, n_jobs, progress) -> int:
    """Score the chunks not finished yet, recording each in the manifest; return how many
    were finished before."""
    plan = manifest["plan"]
    work = folder / "_work"
    direct = plan["n_chunks"] == 1  # one chunk: read the inputs as they are, no spill files
    done = manifest.setdefault("chunks", {})
    todo = [k for k in range(plan["n_chunks"])
            if not _finished(folder, done.get(str(k)), _planned_customers(plan, k))]  # fmt: skip
    if not direct and todo and not _spills_intact(work, manifest.get("spills"), todo):
        if manifest.get("spills") is not None:
            # Safe to make again: the job's fingerprint holds its inputs' size and time (a
            # frame's content hash), and resume only goes on with the same job, so the
            # inputs are those the plan was made of and every row lands where it did.
            log.warning("%s: spill files of unfinished chunks are missing or changed; "
                        "partitioning the inputs again.", work)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
        manifest["spills"] = _partition(sources, plan, work)
        _write_manifest(folder, manifest)
    settings = {
        "observation_end": plan["observation_end"],
        "scored_at": plan["scored_at"],
        "top_reasons": top_reasons,
        "tables": sorted(sources),
        "sources": sources if direct else None,
        "spills": None if direct else manifest["spills"],
        "customers": {k: _planned_customers(plan, k) for k in todo},
        "offsets": plan.get("offsets", {}),
        "id_kind": plan["id_kind"],
    }
    reference = scorer.drift_reference
    try:
        for result in _run(scorer, reference, work, folder, todo, settings, n_jobs, progress):
            done[str(result["chunk"])] = result
            _write_manifest(folder, manifest)
    except _ChunkMismatch:
        manifest.pop("spills", None)  # what the chunk was read from is not to be trusted
        _write_manifest(folder, manifest)
        raise
    return plan["n_chunks"] - len(todo)


def _planned_customers(plan: Mapping, k: int) -> int:
    """Customers of chunk ``k``: the plan cuts the sorted ids every ``chunk_customers``."""
    size = plan["chunk_customers"]
    return max(0, min(size, plan["customers"] - k * size))


class _ChunkMismatch(ValueError):
    """A chunk did not hold the customers the plan gave it; nothing of it was recorded."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Source:
    name: str
    path: Path | None  # None for an in-memory table
    frame: pd.DataFrame | None
    kind: str  # "parquet", "csv", "tsv" or "frame"
    options: ReadOptions | None = None  # a CSV file's dialect, filled

    def dataset(self) -> ds.Dataset:
        if self.frame is not None:
            return ds.dataset(pa.Table.from_pandas(self.frame, preserve_index=False))
        kind: Any = self.kind
        if self.kind in ("csv", "tsv"):
            options = self.options
            # Timestamps stay text, for the contract to read by one rule in every chunk
            # (UTC offsets, and columns mixing rows with and without one): Arrow would
            # guess a type from the first rows, and fail on a later row of the other kind.
            # A format given is one rule already: Arrow parses by it.
            stamps: dict[str, Any] = {"column_types": {"timestamp": pa.string()}}
            if options.timestamp_format:
                stamps = {"column_types": {"timestamp": pa.timestamp("us")},
                          "timestamp_parsers": [options.timestamp_format]}  # fmt: skip
            kind = ds.CsvFileFormat(
                parse_options=pa.csv.ParseOptions(delimiter=options.delimiter),
                convert_options=pa.csv.ConvertOptions(decimal_point=options.decimal, **stamps),
                read_options=pa.csv.ReadOptions(encoding=options.encoding),
            )
        try:
            return ds.dataset(self.path, format=kind)
        except (pa.ArrowInvalid, OSError) as error:  # a file without its footer, say
            raise unreadable(self.name, self.path, error) from error

    def identity(self) -> Any:
        if self.frame is not None:
            hashed = pd.util.hash_pandas_object(self.frame, index=False).to_numpy()
            return hashlib.sha256(hashed.tobytes()).hexdigest()
        files = [self.path] if self.path.is_file() else sorted(
            p for p in self.path.rglob("*") if p.is_file()
        )  # fmt: skip
        read = [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
        return read if self.options is None else [*read, repr(self.options)]


def _source(name: str, value: Any, options: ReadOptions | None) -> _Source:
    if isinstance(value, pd.DataFrame):
        return _Source(name, None, value, "frame")
    path = table_path(value, name)
    kind = table_format(path, name)
    if path.name.lower().endswith(".zip"):
        raise InputError(
            name, f"'{path}' is a zip archive, which cannot be read in batches.",
            fix="give it as .csv.gz, or as Parquet.",
        )  # fmt: skip
    if kind == "parquet":
        return _Source(name, path, None, kind)
    return _Source(name, path, None, kind, (options or ReadOptions()).for_file(path, kind))


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
                raise ValueError(
                    f"{folder} holds this job, unfinished (interrupted?): pass resume=True "
                    "(--resume) to finish it, or overwrite=True to start again."
                )
            raise ValueError(
                f"{folder} holds the output of another scoring job (other inputs, model or "
                "settings): write to another folder, or pass overwrite=True to replace it."
            )
        _empty(folder)
    elif _contents(folder):
        # Only a scoring job's own folder is ever emptied: overwrite=True on a folder of
        # other files (the inputs' folder, a home directory) would delete them.
        raise ValueError(
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
        raise ValueError(
            f"{path} is damaged ({error}): persona writes it whole or not at all, so "
            "another program changed it. Write to another folder, or delete this one and "
            "score again."
        ) from error
    return manifest if isinstance(manifest, dict) else {}


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


def _check_out(folder: Path, sources: dict, model: Any) -> None:
    """``out`` is a folder of its own: not a file, and apart from the job's inputs.

    A job empties its folder on overwrite and spills into it: an input inside it
    would be deleted (``--out`` the folder of ``--events``, say), and a folder
    inside a Parquet input would be read as that input the next night.
    """
    if folder.exists() and not folder.is_dir():
        raise ValueError(
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
            raise ValueError(
                f"out={str(folder)!r} holds the job's {what} '{path}': the scores would mix "
                "with the inputs, and overwrite would delete them. Write the scores to a "
                f"folder of their own, e.g. '{target.parent / (target.name + '-scores')}'."
            )
        if place in target.parents:
            raise ValueError(
                f"out={str(folder)!r} is inside the job's {what} '{path}': its part files "
                f"would be read as part of that input. Write the scores outside '{path}'."
            )


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"out={str(folder)!r}: the output folder cannot be made ({error.strerror or error}); "
            "give a folder whose parents are folders you may write to."
        ) from error


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
            raise ValueError(
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
        raise ValueError(
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


def _write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=1, default=str).encode("utf-8")
    atomic_write(folder / MANIFEST, lambda stream: stream.write(text))


# --------------------------------------------------------------------------- pass 1: the plan


def _ids_of(batch: pa.RecordBatch | pa.Table, table: str = "input") -> pa.Array:
    """The customer ids as one array: text, or integers as int64 whatever their width.

    One integer type across tables and files: uint64 beside int64 would otherwise
    meet as floats, and ids above 2**53 would merge.
    """
    column = batch.column(_ID)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if pa.types.is_integer(column.type) and column.type != pa.int64():
        try:
            column = column.cast(pa.int64())  # safe: refuses what does not fit
        except pa.ArrowInvalid as error:
            raise InputError(
                table, f"holds customer ids that do not fit a 64-bit signed integer ({error}).",
                column=_ID, fix="give such ids as text (customer_id.astype(str)) in every table.",
            ) from error  # fmt: skip
    if pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    return column


def _with_ids(batch: Any, table: str) -> Any:
    """``batch`` with its ids as :func:`_ids_of` reads them."""
    ids = _ids_of(batch, table)
    if batch.column(_ID).type == ids.type:
        return batch
    at = batch.schema.get_field_index(_ID)
    return batch.set_column(at, _ID, ids)


def _plan(sources: dict, chunk_customers: int, observation_end: Any, scored_at: Any) -> dict:
    uniques, kinds, missing_ids, clocks = [], {}, {}, {}
    seen = _SeenIds()
    for name, source in sources.items():
        dataset = source.dataset()
        _check_columns(dataset, name)
        wanted = [_ID]
        clock = None
        if name != "survey" and "timestamp" in dataset.schema.names:
            clock = clocks[name] = _Clock(dataset.schema.field("timestamp").type)
            clock.wants_latest = name == "events" and observation_end is None
            if clock.wants_latest:
                clock.stored = _latest_in_statistics(dataset, name)
            if clock.text or (clock.wants_latest and clock.stored is None):
                wanted.append("timestamp")
        missing_ids[name] = 0
        for batch in _batches(dataset, name, columns=wanted, batch_size=_BATCH_ROWS):
            ids = _ids_of(batch, name)
            if "timestamp" in wanted:
                clock.add(batch.column("timestamp"), ids)
            if ids.null_count == len(ids) and len(ids):
                missing_ids[name] += ids.null_count
                continue  # no id to read a kind from
            kinds.setdefault(name, _id_kind(ids.type, name))
            missing_ids[name] += ids.null_count
            values = ids.drop_null().to_numpy(zero_copy_only=False)
            if not seen.add(values):
                uniques.append(pd.unique(values))
    if len(set(kinds.values())) > 1:
        described = ", ".join(f"{n} holds {k} ids" for n, k in kinds.items())
        raise InputError(
            list(kinds)[-1], f"customer ids differ in kind: {described}.", column=_ID,
            fix="give customer_id the same type in every table (all integers or all text).",
        )  # fmt: skip
    # Distinct per batch, then overall, by a bitmap or by hashing; one sort of the distinct ids.
    if seen.bitmap is not None:
        uniques.append(np.flatnonzero(seen.bitmap).astype(np.int64))
    ids = np.sort(pd.unique(np.concatenate(uniques))) if uniques else np.array([], dtype=np.int64)
    end = _observation_end(clocks, observation_end)
    if end is None and "events" in sources:
        raise InputError("events", "holds no touchpoint with a timestamp.", column="timestamp",
                         fix="give events with timestamps, or observation_end=.")  # fmt: skip
    n_chunks = max(1, -(-len(ids) // chunk_customers))
    bounds = ids[::chunk_customers][1:] if len(ids) else ids
    return {
        "customers": int(len(ids)),
        "chunk_customers": int(chunk_customers),
        "n_chunks": int(n_chunks),
        "bounds": [b.item() if isinstance(b, np.generic) else b for b in bounds],
        "id_kind": next(iter(kinds.values()), "int"),
        "rows_without_customer": missing_ids,
        "observation_end": None if end is None else str(pd.Timestamp(end)),
        "scored_at": str(_stamp(scored_at)),
        # Text timestamps with and without a UTC offset, by table: the contract refuses
        # the fewer, counted over the whole table (see _mixed_offsets).
        "offsets": {
            name: {"zoned": c.zoned, "naive": c.naive}
            for name, c in clocks.items()
            if _minority_of(c.zoned, c.naive) is not None
        },  # fmt: skip
    }


def _check_columns(dataset: ds.Dataset, name: str) -> None:
    columns = dataset.schema.names
    absent = [c for c in _REQUIRED[name] if c not in columns]
    if not absent:
        return
    if not columns or dataset.count_rows() == 0:  # an empty frame, an empty file
        shape = "0 rows" if columns else "0 rows and no columns"
        raise InputError(
            name, f"the table is empty ({shape}).",
            fix=f"pass a table with at least one row, or leave {name} out if there is none.",
        )  # fmt: skip
    raise InputError(
        name, f"lacks the column(s) {absent}.", column=absent[0],
        fix=f"{name} needs {list(_REQUIRED[name])}; see persona.contract._schema.",
    )  # fmt: skip


class _Clock:
    """What the plan learns of a table's timestamps: their zone, and the latest.

    The contract reads text with a UTC offset in UTC and, in a column of text
    with and without one, refuses the fewer rows (persona.contract._schema). Chunk by
    chunk the fewer could differ, so the plan counts them over the whole table.
    """

    def __init__(self, kind: pa.DataType) -> None:
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        self.text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
        self.kind = kind
        self.zoned = self.naive = 0  # text rows with a customer, by whether they carry one
        self.latest: dict[bool, pd.Timestamp | None] = {True: None, False: None}  # by zoned
        self.wants_latest = False
        self.stored: pd.Timestamp | None = None  # the latest, from Parquet statistics

    def add(self, stamps: Any, ids: pa.Array) -> None:
        if isinstance(stamps, pa.ChunkedArray):
            stamps = stamps.combine_chunks()
        if pa.types.is_dictionary(stamps.type):
            stamps = stamps.dictionary_decode()
        if self.text:
            zoned = _has_utc_offset(stamps)
            naive = ~zoned & ~stamps.is_null().to_numpy(zero_copy_only=False)
            known = ~ids.is_null().to_numpy(zero_copy_only=False)  # rows that reach a chunk
            self.zoned += int((zoned & known).sum())
            self.naive += int((naive & known).sum())
            if self.wants_latest:
                text = stamps.to_pandas()
                for kind, rows in ((True, zoned), (False, naive)):
                    if rows.any():  # utc=True never meets "mixed time zones"
                        top = pd.to_datetime(text[rows], format="ISO8601", errors="coerce",
                                             utc=True).max()  # fmt: skip
                        self._later(kind, top if kind else top.tz_localize(None))
            return
        if not self.wants_latest:
            return
        if not pa.types.is_timestamp(stamps.type):
            stamps = pa.array(pd.to_datetime(stamps.to_pandas(), format="ISO8601",
                                             errors="coerce"))  # fmt: skip
        top = pc.max(stamps).as_py()
        if top is not None:
            self._later(False, pd.Timestamp(top))

    def _later(self, zoned: bool, top: pd.Timestamp) -> None:
        if not pd.isna(top) and (self.latest[zoned] is None or top > self.latest[zoned]):
            self.latest[zoned] = top

    @property
    def keeps_zoned(self) -> bool:
        return self.zoned > 0 and _minority_of(self.zoned, self.naive) != "zoned"

    @property
    def zone(self) -> str | None:
        if self.text:
            return "UTC" if self.keeps_zoned else None
        tz = getattr(self.kind, "tz", None)
        return None if tz is None else str(tz)

    @property
    def end(self) -> pd.Timestamp | None:
        if self.stored is not None:
            return self.stored
        return self.latest[self.keeps_zoned] if self.text else self.latest[False]


def _observation_end(clocks: dict[str, _Clock], given: Any) -> pd.Timestamp | None:
    """The window's end, given or the latest touchpoint, in the events' zone.

    Checked here, before any chunk: tables in different zones, or an end in
    another zone than the events', would fail every chunk.
    """
    zones = {name: clock.zone for name, clock in clocks.items()}
    if len({str(zone) for zone in zones.values()}) > 1:
        described = ", ".join(f"{name} in {zone or 'no time zone'}" for name, zone in zones.items())
        raise InputError(
            list(zones)[-1], f"timestamps are {described}, so they cannot be compared.",
            column="timestamp",
            fix="give every table's timestamps the same zone (or none); text with a UTC offset "
            "is read in UTC.",
        )  # fmt: skip
    events = clocks.get("events")
    if given is None:
        return None if events is None else events.end
    end = pd.Timestamp(given)
    if events is not None and (end.tz is None) != (events.zone is None):
        theirs = f"is in {end.tz}" if end.tz else "has no time zone"
        raise InputError(
            "events", f"timestamps are in {events.zone or 'no time zone'}, but "
            f"observation_end={given!s} {theirs}.",
            column="timestamp",
            fix="give observation_end as the events give their timestamps: with a UTC offset "
            "(e.g. '2026-11-22T00:00:00Z') when theirs carry one, without one when not.",
        )  # fmt: skip
    return end


class _SeenIds:
    """Which non-negative integer ids below ``limit`` occur, as one boolean per id.

    Surrogate keys (0, 1, 2, ...) are the common case; marking them in a bitmap
    is a single pass, several times faster than hashing, and the ids come out
    sorted. Its memory is bounded by ``limit`` (64 MB), whatever the base.
    """

    limit = 2**26

    def __init__(self) -> None:
        self.bitmap: np.ndarray | None = None

    def add(self, values: np.ndarray) -> bool:
        """Mark ``values``; False (nothing marked) when they are not such ids."""
        if values.dtype != np.int64 or not len(values):
            return False
        low, high = values.min(), values.max()
        if low < 0 or high >= self.limit:
            return False
        size = 0 if self.bitmap is None else len(self.bitmap)
        if size <= high:  # grown by doubling, up to the limit
            grown = np.zeros(min(max(int(high) + 1, 2 * size), self.limit), dtype=bool)
            if size:
                grown[:size] = self.bitmap
            self.bitmap = grown
        self.bitmap[values] = True
        return True


def _latest_in_statistics(dataset: ds.Dataset, name: str = "events") -> pd.Timestamp | None:
    """The latest timestamp from Parquet row-group statistics, or None to read the column.

    Only for a zone-less timestamp column whose every row group records its
    maximum (pyarrow writes statistics by default); anything else is read and parsed.
    """
    if not isinstance(dataset, ds.FileSystemDataset) or not isinstance(
        dataset.format, ds.ParquetFileFormat
    ):
        return None
    kind = dataset.schema.field("timestamp").type
    if not pa.types.is_timestamp(kind) or kind.tz is not None:
        return None
    latest = None
    for fragment in dataset.get_fragments():
        try:
            metadata = fragment.metadata
        except (pa.ArrowInvalid, OSError) as error:
            raise unreadable(name, fragment.path, error) from error
        paths = [metadata.schema.column(j).path for j in range(metadata.num_columns)]
        if "timestamp" not in paths:
            return None
        at = paths.index("timestamp")
        for group in range(metadata.num_row_groups):
            rows = metadata.row_group(group).num_rows
            stats = metadata.row_group(group).column(at).statistics
            if rows == 0 or (stats is not None and stats.has_null_count
                             and stats.null_count == rows):  # fmt: skip
                continue  # no timestamp in this group
            if stats is None or not stats.has_min_max:
                return None
            top = pd.Timestamp(stats.max)
            latest = top if latest is None or top > latest else latest
    return latest


def _batches(dataset: ds.Dataset, name: str, **options: Any):
    """The dataset's record batches, file by file, so that an error names its file."""
    if isinstance(dataset, ds.FileSystemDataset):
        # Each file read to the dataset's schema, as the dataset itself reads them.
        parts = [(f.path, f, {"schema": dataset.schema}) for f in dataset.get_fragments()]
    else:
        parts = [(None, dataset, {})]
    for path, part, schema in parts:
        try:
            yield from part.to_batches(**schema, **options)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
                OSError) as error:  # fmt: skip
            raise _read_error(name, path, error) from error


def _read_error(name: str, path: str | None, error: Exception) -> InputError:
    """A reading error, named: a column whose values change type, or a damaged file."""
    cause = (str(error).strip().splitlines() or [type(error).__name__])[0]
    typed = isinstance(error, pa.ArrowTypeError | pa.ArrowNotImplementedError) or any(
        word in cause for word in ("conversion error", "cast", "Cast")
    )
    where = f" ('{path}')" if path else ""
    if "to timestamp" in cause:  # a value that does not fit the timestamp format given
        return InputError(
            name, f"could not be read in batches{where}: {cause}", column="timestamp",
            fix="every timestamp of the file must fit the timestamp_format given: correct "
            "the value it names, or give the format the file is written in.",
        )  # fmt: skip
    if typed or path is None:
        return InputError(
            name, f"could not be read in batches{where}: {cause}",
            fix="a CSV column's type is guessed from its first rows, and the files of a "
            "folder must agree on their columns' types: give a Parquet file, or make the "
            "column's values alike (numbers, or quoted text) throughout.",
        )  # fmt: skip
    return unreadable(name, path, error)


def _id_kind(kind: pa.DataType, table: str) -> str:
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "str"
    raise InputError(
        table, f"holds customer ids of type {kind}, neither integers nor text.", column=_ID,
        fix="give customer_id as integers or as text; a float column (ids with gaps read from "
        "CSV, say) must be cast to integers first.",
    )  # fmt: skip


# --------------------------------------------------------------------------- pass 2: partition


def _chunk_of(ids: pa.Array, bounds: np.ndarray) -> np.ndarray:
    """Chunk number of each row by its customer id; -1 where the id is missing.

    int16 when there are fewer than 2**15 chunks (they sort by radix), else int64.
    """
    kind = np.int16 if len(bounds) < 2**15 - 1 else np.int64
    if ids.null_count == 0 and bounds.dtype != object and len(bounds) <= 16:
        # A few bounds: counting the bounds at or below each id is the searchsorted
        # below, in a few vectorised passes instead of a binary search per row.
        values = ids.to_numpy()
        chunk = np.zeros(len(values), dtype=kind)
        for bound in bounds:
            chunk += values >= bound
        return chunk
    values = ids.to_numpy(zero_copy_only=False)
    valid = ~ids.is_null().to_numpy(zero_copy_only=False)
    chunk = np.full(len(values), -1, dtype=kind)
    if valid.any():
        chunk[valid] = np.searchsorted(bounds, values[valid], side="right")
    return chunk


def _partition(sources: dict, plan: dict, work: Path) -> dict[str, dict[str, dict]]:
    """Every row to its chunk's spill file, in input order, one batch in memory at a time.

    Returns what was written, by chunk and table (rows and bytes): what resume
    checks the spill files against, and a chunk its rows.
    """
    bounds = np.array(plan["bounds"], dtype=object if plan["id_kind"] == "str" else np.int64)
    schemas: dict[str, pa.Schema] = {}
    spills: dict[str, dict[str, dict]] = {}
    for name, source in sources.items():
        dataset = source.dataset()
        batches = _batches(dataset, name, batch_size=_BATCH_ROWS)
        writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
        rows: dict[int, int] = {}
        try:
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                batch = _with_ids(batch, name)
                chunk = _chunk_of(_ids_of(batch, name), bounds)
                # Stable, so each chunk keeps the input order; small integers sort by radix.
                order = np.argsort(chunk, kind="stable")
                sorted_chunks = chunk[order]
                starts = np.flatnonzero(np.r_[True, sorted_chunks[1:] != sorted_chunks[:-1]])
                ends = np.r_[starts[1:], len(order)]
                table = pa.Table.from_batches([batch])
                if writers and table.schema != schemas[name]:
                    table = table.cast(schemas[name])
                schemas.setdefault(name, table.schema)
                table = table.take(pa.array(order))  # one gather; each chunk is then a slice
                for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                    k = int(sorted_chunks[start])
                    if k < 0:
                        continue  # rows without a customer: counted by the plan
                    part = table.slice(start, end - start)
                    writer = writers.get(k)
                    if writer is None:
                        target = work / f"chunk-{k:05d}"
                        target.mkdir(parents=True, exist_ok=True)
                        # Arrow's own format, written and read back without encoding; a
                        # stream, which lets batches carry different dictionaries.
                        writer = pa.ipc.new_stream(target / f"{name}.arrow", table.schema)
                        writers[k] = writer
                    writer.write_table(part)
                    rows[k] = rows.get(k, 0) + part.num_rows
        finally:
            for writer in writers.values():
                writer.close()
        for k, n in rows.items():
            size = (work / f"chunk-{k:05d}" / f"{name}.arrow").stat().st_size
            spills.setdefault(str(k), {})[name] = {"rows": n, "bytes": size}
    return spills


def _spills_intact(work: Path, spills: Mapping | None, todo: list[int]) -> bool:
    """Whether the spill files of the chunks left are there, as they were written.

    Every chunk of a plan has customers, so rows in some table: a chunk with no
    spill recorded is a partition that did not finish.
    """
    if spills is None:
        return False
    for k in todo:
        written = spills.get(str(k))
        if not written:
            return False
        for name, spill in written.items():
            path = work / f"chunk-{k:05d}" / f"{name}.arrow"
            if not path.is_file() or path.stat().st_size != spill["bytes"]:
                return False
    return True


# --------------------------------------------------------------------------- pass 3: score


def _finished(folder: Path, entry: Mapping | None, customers: int) -> bool:
    """Whether chunk's part is written whole and accounts for its ``customers``."""
    if not entry or entry["scored"] + entry["rejected"] != customers:
        return False
    files = [folder / entry["file"]] + ([folder / entry["rejects"]] if entry["rejects"] else [])
    if not all(p.exists() for p in files):
        return False
    return sha256(folder / entry["file"]) == entry["sha256"]


def _run(scorer, reference, work, folder, todo, settings, n_jobs, progress):
    """Score the chunks left, in order or in parallel; yield each result as it finishes."""
    from joblib import Parallel, delayed

    bar = _progress(len(todo), progress)
    try:
        if n_jobs == 1 or len(todo) <= 1:
            for k in todo:
                result = _score_chunk(scorer, reference, work, folder, k, settings)
                bar(result)
                yield result
        else:
            tasks = (delayed(_score_chunk)(scorer, reference, work, folder, k, settings,
                                           single_threaded=True) for k in todo)  # fmt: skip
            runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            for result in runner(tasks):
                bar(result)
                yield result
    finally:
        bar(None)


def _progress(total: int, progress: bool | None):
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from tqdm.auto import tqdm

        meter = tqdm(total=total, unit="chunk", desc="scoring", file=sys.stderr)

        def step(result):
            if result is None:
                meter.close()
            else:
                meter.update(1)

        return step

    def note(result):
        if result is not None:
            log.info("chunk %d: %d scored, %d rejected, %.1f s", result["chunk"],
                     result["scored"], result["rejected"], result["seconds"])  # fmt: skip

    return note


def _score_chunk(scorer, reference, work, folder, k, settings, single_threaded=False) -> dict:
    started = time.perf_counter()
    if single_threaded:  # a worker process
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1), _worker_lock(folder):
            return _score_chunk(scorer, reference, work, folder, k, settings)
    tables, set_aside = _mixed_offsets(_chunk_tables(work, k, settings), settings["offsets"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores, rejects, raw = score_tables(
            scorer, **tables, observation_end=settings["observation_end"],
            scored_at=settings["scored_at"], top_reasons=settings["top_reasons"],
        )  # fmt: skip
    silent = _without_signal(tables, scores, rejects)
    rejects = pd.concat([r for r in (set_aside, rejects, silent) if r is not None and len(r)]
                        or [rejects], ignore_index=True)  # fmt: skip
    expected = settings["customers"][k]
    if scores.num_rows + len(rejects) != expected:
        raise _ChunkMismatch(
            f"chunk {k} holds {scores.num_rows + len(rejects):,} customers where the plan has "
            f"{expected:,}: the job's inputs, or its spill files in {work}, changed while it "
            "ran. Nothing of the chunk was recorded: run the job again with resume=True "
            "(--resume), which partitions the inputs again, or with overwrite=True "
            "(--overwrite) if the inputs changed."
        )
    # One id type in every part, also in a part whose customers were all rejected.
    id_type = pa.string() if settings["id_kind"] == "str" else pa.int64()
    scores = scores.set_column(0, _ID, scores.column(_ID).cast(id_type))
    name = f"part-{k:05d}.parquet"
    atomic_write(folder / name, lambda stream: pq.write_table(scores, stream))
    rejects_name = None
    if len(rejects):
        rejects_name = f"_rejects/part-{k:05d}.parquet"
        (folder / "_rejects").mkdir(exist_ok=True)
        frame = pa.Table.from_pandas(rejects.astype({"column": "string"}), preserve_index=False)
        atomic_write(folder / rejects_name, lambda stream: pq.write_table(frame, stream))
    drift = None
    if reference is not None and scores.num_rows:
        judged = pd.DataFrame(
            {"persona_id": scores.column("persona_id").to_numpy(),
             "confidence": scores.column("confidence").to_numpy()},
            index=raw.index,
        )  # fmt: skip
        drift = DriftAccumulator(reference).update(raw, judged).to_state()
    return {
        "chunk": k,
        "file": name,
        "rejects": rejects_name,
        "sha256": sha256(folder / name),
        "scored": scores.num_rows,
        "rejected": len(rejects),
        "warnings": sorted({str(w.message) for w in caught}),
        "drift": drift,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _chunk_tables(work: Path, k: int, settings: Mapping) -> dict[str, pd.DataFrame]:
    """The rows of chunk ``k``, table by table: the inputs themselves when it is the only one."""
    tables = {}
    if settings["sources"] is not None:  # the only chunk: the whole input
        for name in settings["tables"]:
            batches = _batches(settings["sources"][name].dataset(), name)
            whole = pa.Table.from_batches([_with_ids(b, name) for b in batches])
            whole = whole.filter(pc.is_valid(whole.column(_ID)))
            tables[name] = whole.to_pandas()
        return tables
    # A table without rows in this chunk has no spill file; one recorded must be whole.
    for name, spill in settings["spills"].get(str(k), {}).items():
        path = work / f"chunk-{k:05d}" / f"{name}.arrow"
        try:
            with pa.memory_map(str(path)) as stream:
                table = pa.ipc.open_stream(stream).read_all()
        except (OSError, pa.ArrowInvalid) as error:
            table, problem = None, f"cannot be read ({str(error).splitlines()[0]})"
        else:
            problem = f"holds {table.num_rows:,} rows, not {spill['rows']:,}"
        if table is None or table.num_rows != spill["rows"]:
            raise _ChunkMismatch(
                f"chunk {k}: the spill file {path} {problem}; it changed since the inputs were "
                "partitioned. Nothing of the chunk was recorded: run the job again with "
                "resume=True (--resume), which partitions the inputs again."
            )
        tables[name] = table.to_pandas()
    return tables


def _mixed_offsets(tables: dict[str, pd.DataFrame], offsets: Mapping) -> tuple[dict, Any]:
    """Set aside the customers whose text timestamps are of the kind the contract refuses.

    In a column of text timestamps with and without a UTC offset the contract
    refuses the fewer rows (persona.contract._schema), counted here over the whole table,
    as the plan did: the chunk's own count could differ, and its chunks with it.
    Returns the other customers' tables and the rejects, with the contract's reasons.
    """
    rejected = []
    for name, counts in offsets.items():
        refused = _minority_of(counts["zoned"], counts["naive"])
        frame = tables.get(name)
        if frame is None or refused is None:
            continue
        text = frame["timestamp"]
        zoned = _has_utc_offset(text)
        bad = zoned if refused == "zoned" else text.notna().to_numpy() & ~zoned
        if bad.any():  # text that is no timestamp is the contract's, with its own reason
            readable = pd.to_datetime(text[bad], format="ISO8601", errors="coerce", utc=True)
            bad[bad] = readable.notna().to_numpy()
        if not bad.any():
            continue
        problem, fix = _MIXED_OFFSETS[refused]
        counts_of = frame[_ID][bad].value_counts(sort=False)
        reasons = (f"{name}.timestamp: " + counts_of.astype(str).to_numpy().astype(object)
                   + f" of this customer's rows {problem} ({fix})")  # fmt: skip
        rejected.append(pd.DataFrame({_ID: counts_of.index.to_numpy(), "table": name,
                                      "column": "timestamp", "reason": reasons}))  # fmt: skip
    if not rejected:
        return tables, None
    rejects = pd.concat(rejected, ignore_index=True).drop_duplicates(_ID)  # the first reason
    drop = rejects[_ID]
    kept = {name: frame.loc[~frame[_ID].isin(drop).to_numpy()] for name, frame in tables.items()}
    return {name: frame for name, frame in kept.items() if len(frame)}, rejects


def _without_signal(tables: dict[str, pd.DataFrame], scores: pa.Table, rejects) -> Any:
    """Customers known by nothing but survey rows that answer no item, as rejects.

    The contract leaves such rows out (a non-respondent), so these customers
    reach neither the scores nor the rejects; the plan counted them.
    """
    survey = tables.get("survey")
    if survey is None:
        return None
    ids = pd.Index(survey[_ID].unique())
    known = [scores.column(_ID).to_numpy(zero_copy_only=False), rejects[_ID].to_numpy()]
    known += [t[_ID].to_numpy() for name, t in tables.items() if name != "survey"]
    silent = ids[~ids.isin(np.concatenate(known))]
    if not len(silent):
        return None
    return pd.DataFrame({
        _ID: silent.to_numpy(), "table": "survey", "column": None,
        "reason": "survey: this customer's only row answers no item at all (a non-respondent), "
        "and there is no touchpoint or emotion reading to score.",
    })  # fmt: skip


def _finish(folder, manifest, plan, reference, thresholds, report_to) -> ScoringSummary:
    chunks = manifest["chunks"]
    scored = sum(c["scored"] for c in chunks.values())
    rejected = sum(c["rejected"] for c in chunks.values())
    if scored + rejected != plan["customers"]:
        raise RuntimeError(
            f"Counts do not reconcile: {plan['customers']:,} customers in the input, but "
            f"{scored:,} scored and {rejected:,} rejected. This is a bug in persona; please "
            "report it with the manifest."
        )
    summary = ScoringSummary(
        out=str(folder),
        input_customers=plan["customers"],
        scored=scored,
        rejected=rejected,
        rows_without_customer=plan["rows_without_customer"],
        chunks=plan["n_chunks"],
        observation_end=plan["observation_end"],
        scored_at=plan["scored_at"],
        model_version=manifest.get("model_version", ""),
        seconds=0.0,
        warnings=sorted({w for c in chunks.values() for w in c["warnings"]}),
    )
    summary.drift = _drift(manifest, reference, thresholds, report_to)
    return summary


def _drift(manifest, reference, thresholds, report_to) -> DriftReport | None:
    states = [c["drift"] for c in manifest["chunks"].values() if c.get("drift")]
    if reference is None:
        if report_to is not None:
            raise ValueError(
                "This model carries no drift reference (fitted before persona recorded one, "
                "or on a feature matrix): refit it to get drift reports."
            )
        return None
    total = DriftAccumulator(reference)
    for state in states:
        total.merge(DriftAccumulator.from_state(reference, state))
    if total.n_customers == 0:
        if report_to is not None:
            log.warning("No customer was scored, so there is no drift to report.")
        return None  # every customer rejected, or none in the input
    report = total.report(thresholds)
    if report_to is not None:
        target = Path(report_to)
        target.mkdir(parents=True, exist_ok=True)
        report.to_json(target / "drift.json")
        report.to_html(target / "drift.html")
    return report


def drift_of(
    out: str | os.PathLike,
    *,
    report_to: str | os.PathLike | None = None,
    thresholds: DriftThresholds | None = None,
) -> DriftReport:
    """The drift report of a scoring job in ``out`` (finished, or the chunks done so far)."""
    path = Path(out) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"{out} holds no {MANIFEST}: give the output folder of score_files (persona score)."
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.setdefault("chunks", {})
    reference = manifest.get("drift_reference")
    if reference is None:
        raise ValueError(
            f"The job in {out} was scored with a model that carries no drift reference: refit "
            "the model to get drift reports."
        )
    report = _drift(manifest, reference, thresholds, report_to)
    if report is None:
        raise ValueError(
            f"The job in {out} scored no customer (all rejected, or none so far): there is "
            "nothing to compare with the training customers."
        )
    return report


def _summary_from(manifest, reference, thresholds, report_to) -> ScoringSummary:
    stored = dict(manifest["summary"])
    stored.pop("drift", None)
    summary = ScoringSummary(**stored)
    summary.drift = _drift(manifest, reference, thresholds, report_to)
    return summary
