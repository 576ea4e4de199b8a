"""Pass 3 of a scoring job: one chunk's customers, scored and written.

:func:`_score_chunk` reads a chunk's rows back (from its spill files, or the
inputs themselves when the job has one chunk), sets aside the customers the
contract refuses on what only the whole table shows (text timestamps of the
rarer kind, a survey row that answers nothing), scores the rest with
:func:`persona.scoring._tables.score_tables` (features, assignment, reasons),
writes the chunk's part files, and returns the chunk's entry for the manifest:
its counts, checksum, warnings and drift counts.

It runs in the job's process or a worker; it reads the chunk's rows and
writes only that chunk's part files.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from persona.contract._schema import _MIXED_OFFSETS, _has_utc_offset, _minority_of
from persona.drift import DriftAccumulator
from persona.errors import ArtifactError
from persona.scoring._folder import _worker_lock, _write_part
from persona.scoring._inputs import _batches, _with_ids
from persona.scoring._partition import _spill_path
from persona.scoring._tables import score_tables

_ID = "customer_id"


class _ChunkMismatch(ArtifactError):
    """A chunk did not hold the customers the plan gave it; nothing of it was recorded."""


def _score_chunk(scorer, reference, work, folder, k, settings, single_threaded=False) -> dict:
    """Score chunk ``k`` and write its part files; return its entry for the manifest.

    In a worker process (``single_threaded``), numpy's libraries run on one
    thread, and the worker holds the folder's ``_workers.lock`` meanwhile.
    """
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
    return {
        "chunk": k,
        **_write_part(folder, k, scores, rejects),  # file, rejects, sha256
        "scored": scores.num_rows,
        "rejected": len(rejects),
        "warnings": sorted({str(w.message) for w in caught}),
        "drift": _drift_counts(reference, scores, raw),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _drift_counts(reference: Any, scores: pa.Table, raw: pd.DataFrame) -> dict | None:
    """The chunk's drift counts against the model's reference (None without one)."""
    if reference is None or not scores.num_rows:
        return None
    judged = pd.DataFrame(
        {"persona_id": scores.column("persona_id").to_numpy(),
         "confidence": scores.column("confidence").to_numpy()},
        index=raw.index,
    )  # fmt: skip
    return DriftAccumulator(reference).update(raw, judged).to_state()


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
        path = _spill_path(work, k, name)
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
