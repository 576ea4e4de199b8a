"""Pass 2 of a scoring job: every input row to its chunk's spill file.

Each table is streamed once, in record batches, and each row appended to the
spill file of its customer's chunk (``_work/chunk-NNNNN/<table>.arrow``, Arrow
IPC), in input order: all of a customer's rows land in one chunk whatever
order the files are in, and memory holds one batch at a time. What was written
(rows and bytes by chunk and table) goes into the manifest, for a chunk to
check its rows against and for resume to check the files.

It reads the inputs and writes under the job's ``_work`` folder only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from persona.scoring._inputs import _BATCH_ROWS, _batches, _ids_of, _with_ids


def _spill_path(work: Path, k: int, name: str) -> Path:
    """The spill file of table ``name`` in chunk ``k``."""
    return work / f"chunk-{k:05d}" / f"{name}.arrow"


def _partition(sources: dict, plan: dict, work: Path) -> dict[str, dict[str, dict]]:
    """Every row to its chunk's spill file, in input order, one batch in memory at a time.

    Returns what was written, by chunk and table (rows and bytes): what resume
    checks the spill files against, and a chunk its rows.
    """
    bounds = np.array(plan["bounds"], dtype=object if plan["id_kind"] == "str" else np.int64)
    spills: dict[str, dict[str, dict]] = {}
    for name, source in sources.items():
        rows = _spill_table(name, source.dataset(), bounds, work)
        for k, n in rows.items():
            size = _spill_path(work, k, name).stat().st_size
            spills.setdefault(str(k), {})[name] = {"rows": n, "bytes": size}
    return spills


def _spill_table(name: str, dataset: ds.Dataset, bounds: np.ndarray, work: Path) -> dict[int, int]:
    """Append every row of one table to its chunk's spill file; return the rows by chunk."""
    schema = None  # the first batch's: every later one is cast to it
    writers: dict[int, pa.ipc.RecordBatchStreamWriter] = {}
    rows: dict[int, int] = {}
    try:
        for batch in _batches(dataset, name, batch_size=_BATCH_ROWS):
            if batch.num_rows == 0:
                continue
            batch = _with_ids(batch, name)
            chunk = _chunk_of(_ids_of(batch, name), bounds)
            table = pa.Table.from_batches([batch])
            if writers and table.schema != schema:
                table = table.cast(schema)
            if schema is None:
                schema = table.schema
            for k, part in _by_chunk(table, chunk):
                writer = writers.get(k)
                if writer is None:
                    path = _spill_path(work, k, name)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    # Arrow's own format, written and read back without encoding; a
                    # stream, which lets batches carry different dictionaries.
                    writer = writers[k] = pa.ipc.new_stream(path, table.schema)
                writer.write_table(part)
                rows[k] = rows.get(k, 0) + part.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return rows


def _by_chunk(table: pa.Table, chunk: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """``(k, rows of chunk k)`` for every chunk ``table`` has rows of, each in input order."""
    # Stable, so each chunk keeps the input order; small integers sort by radix.
    order = np.argsort(chunk, kind="stable")
    sorted_chunks = chunk[order]
    starts = np.flatnonzero(np.r_[True, sorted_chunks[1:] != sorted_chunks[:-1]])
    ends = np.r_[starts[1:], len(order)]
    table = table.take(pa.array(order))  # one gather; each chunk is then a slice
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        k = int(sorted_chunks[start])
        if k >= 0:  # rows without a customer (-1) are left out: the plan counted them
            yield k, table.slice(start, end - start)


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
            path = _spill_path(work, k, name)
            if not path.is_file() or path.stat().st_size != spill["bytes"]:
                return False
    return True
