"""Pass 1 of a scoring job, the plan: every customer numbered, chunks cut, the window's end.

:func:`_plan` reads the customer ids of every table (that column alone, and
the timestamps where their zone or the latest touchpoint must be learned),
numbers the customers in id order and cuts them into chunks of
``chunk_customers``. The plan is plain JSON for the job's manifest: the chunk
bounds, the id kind, the rows without a customer, the observation end, and the
counts of text timestamps with and without a UTC offset.

It reads the inputs and never writes; what it finds wrong is an InputError.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from persona.contract._schema import _has_utc_offset, _minority_of
from persona.contract._tables import unreadable
from persona.errors import InputError
from persona.scoring._inputs import _BATCH_ROWS, _batches, _check_columns, _id_kind, _ids_of
from persona.scoring._tables import _stamp

_ID = "customer_id"


def _plan(sources: dict, chunk_customers: int, observation_end: Any, scored_at: Any) -> dict:
    """The job's plan, from one read of the ids (and timestamps) of every table."""
    census = _Census()
    for name, source in sources.items():
        census.read(name, source.dataset(), observation_end)
    ids = census.ids()
    end = _observation_end(census.clocks, observation_end)
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
        "id_kind": next(iter(census.kinds.values()), "int"),
        "rows_without_customer": census.missing_ids,
        "observation_end": None if end is None else str(pd.Timestamp(end)),
        "scored_at": str(_stamp(scored_at)),
        # Text timestamps with and without a UTC offset, by table: the contract refuses
        # the fewer, counted over the whole table (see _chunk._mixed_offsets).
        "offsets": {
            name: {"zoned": c.zoned, "naive": c.naive}
            for name, c in census.clocks.items()
            if _minority_of(c.zoned, c.naive) is not None
        },  # fmt: skip
    }


def _planned_customers(plan: Mapping, k: int) -> int:
    """Customers of chunk ``k``: the plan cuts the sorted ids every ``chunk_customers``."""
    size = plan["chunk_customers"]
    return max(0, min(size, plan["customers"] - k * size))


class _Census:
    """What the plan reads off the tables, one batch at a time: the distinct ids, their
    kind and the rows without one by table, and each table's :class:`_Clock`."""

    def __init__(self) -> None:
        self.uniques: list[np.ndarray] = []  # distinct ids of a batch, when not in the bitmap
        self.seen = _SeenIds()
        self.kinds: dict[str, str] = {}
        self.missing_ids: dict[str, int] = {}
        self.clocks: dict[str, _Clock] = {}

    def read(self, name: str, dataset: ds.Dataset, observation_end: Any) -> None:
        _check_columns(dataset, name)
        wanted = [_ID]
        clock = None
        if name != "survey" and "timestamp" in dataset.schema.names:
            clock = self.clocks[name] = _Clock(dataset.schema.field("timestamp").type)
            clock.wants_latest = name == "events" and observation_end is None
            if clock.wants_latest:
                clock.stored = _latest_in_statistics(dataset, name)
            if clock.text or (clock.wants_latest and clock.stored is None):
                wanted.append("timestamp")
        self.missing_ids[name] = 0
        for batch in _batches(dataset, name, columns=wanted, batch_size=_BATCH_ROWS):
            ids = _ids_of(batch, name)
            if "timestamp" in wanted:
                clock.add(batch.column("timestamp"), ids)
            self._add(name, ids)

    def _add(self, name: str, ids: pa.Array) -> None:
        self.missing_ids[name] += ids.null_count
        if ids.null_count == len(ids) and len(ids):
            return  # no id to read a kind from
        self.kinds.setdefault(name, _id_kind(ids.type, name))
        values = ids.drop_null().to_numpy(zero_copy_only=False)
        if not self.seen.add(values):
            self.uniques.append(pd.unique(values))

    def ids(self) -> np.ndarray:
        """Every customer id once, sorted; ids of another kind in one table are refused."""
        if len(set(self.kinds.values())) > 1:
            described = ", ".join(f"{n} holds {k} ids" for n, k in self.kinds.items())
            raise InputError(
                list(self.kinds)[-1], f"customer ids differ in kind: {described}.", column=_ID,
                fix="give customer_id the same type in every table (all integers or all text).",
            )  # fmt: skip
        # Distinct per batch, then overall, by a bitmap or by hashing; one sort of the distinct.
        uniques = list(self.uniques)
        if self.seen.bitmap is not None:
            uniques.append(np.flatnonzero(self.seen.bitmap).astype(np.int64))
        if not uniques:
            return np.array([], dtype=np.int64)
        return np.sort(pd.unique(np.concatenate(uniques)))


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
