"""The event log as sorted arrays: what touchpoint features are computed on.

:class:`LogColumns` holds the log's columns as integer keys, small category
codes and microsecond times, in input order. :class:`SortedLog` takes a set of
whole customers from it and sorts them by customer, then time, with ties
broken by every other column so that any row order gives the same journey.
The sort runs on one packed integer key (polars, multi-threaded); customers
are then numbered 0..n-1, which is what every per-customer sum is over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import polars as pl
from pandas.api import types as ptypes

from persona.contract import MOMENTS
from persona.errors import ConfigError

__all__ = ["LogColumns", "SortedLog", "changes", "moment_codes"]

# Logs up to this many touchpoints are sorted by numpy in one call (see _journey_order).
_SMALL_LOG = 4_096


@dataclass
class LogColumns:
    """The log's columns as arrays in input order: integer keys, small codes, times."""

    customer: np.ndarray  # int64 sort key: the id itself, or its code when not an integer
    ids: np.ndarray | None  # distinct ids by code, when ``customer`` is a code
    raw_ids: np.ndarray  # the customer_id column
    time: np.ndarray  # int64 microseconds, local wall time
    channel: np.ndarray
    channel_levels: list[str]
    device: np.ndarray | None
    device_levels: list[str]
    event_type: np.ndarray
    event_levels: list[str]
    value: np.ndarray
    session_id: np.ndarray | None
    end: int  # observation end, int64 microseconds, local wall time
    moment: np.ndarray | None = None  # int8 moment of truth 0..3 the row says, -1: not said

    @cached_property
    def lowest(self) -> int:
        return int(self.customer.min()) if len(self.customer) else 0

    @classmethod
    def from_table(cls, table: pd.DataFrame, observation_end) -> LogColumns:
        time, end = _local_microseconds(table["timestamp"], observation_end)
        kept = time <= end
        if not kept.all():
            table, time = table.loc[kept], time[kept]
        channel, channel_levels = _codes(table["channel"])
        event_type, event_levels = _codes(table["event_type"])
        device, device_levels = _codes(table["device"]) if "device" in table.columns else (None, [])
        customer, ids = _customer_keys(table["customer_id"])
        return cls(
            customer=customer,
            ids=ids,
            raw_ids=table["customer_id"].to_numpy(),
            time=time,
            channel=channel,
            channel_levels=channel_levels,
            device=device,
            device_levels=device_levels,
            event_type=event_type,
            event_levels=event_levels,
            value=(
                _floats(table["value"]) if "value" in table.columns else np.full(len(table), np.nan)
            ),
            session_id=_session_keys(table["session_id"]) if "session_id" in table else None,
            end=end,
            moment=moment_codes(table["moment"]) if "moment" in table.columns else None,
        )

    def parts(self, n_parts: int):
        """Row positions of up to ``n_parts`` sets of whole customers, in key order.

        Each set is a range of customer keys, so the parts' results follow each
        other in customer order and need no sorting to be joined.
        """
        if n_parts <= 1:
            yield None
            return
        width = int(self.customer.max()) - self.lowest + 1
        bounds = np.array([self.lowest + width * i // n_parts for i in range(1, n_parts)])
        part = np.searchsorted(bounds, self.customer, side="right").astype(
            np.int16 if n_parts < 2**15 else np.int64
        )
        for p in range(n_parts):
            rows = np.flatnonzero(part == p)
            if len(rows):
                yield rows


@dataclass
class SortedLog:
    """Touchpoints of a set of customers sorted by customer, then time (ties broken by
    every column). Money and session ids stay in input order, read through ``row``."""

    source: LogColumns  # the whole log: its levels and observation end
    customers: pd.Index  # sorted unique ids; customer code i is customers[i]
    row: np.ndarray  # input position (within this set) of each sorted touchpoint
    customer: np.ndarray  # customer code per touchpoint, non-decreasing
    time: np.ndarray
    channel: np.ndarray
    device: np.ndarray | None
    event_type: np.ndarray
    value: np.ndarray  # in input order (of this set)
    session_id: np.ndarray | None  # in input order (of this set)
    moment: np.ndarray | None = None  # the moment each row says, -1 where it says none

    @property
    def channel_levels(self) -> list[str]:
        return self.source.channel_levels

    @property
    def device_levels(self) -> list[str]:
        return self.source.device_levels

    @property
    def event_levels(self) -> list[str]:
        return self.source.event_levels

    @property
    def end(self) -> int:
        return self.source.end

    @classmethod
    def from_columns(cls, columns: LogColumns, rows: np.ndarray | None) -> SortedLog:
        def take(values):
            return values if values is None or rows is None else values[rows]

        time, device, value, session_id = (
            take(columns.time), take(columns.device), take(columns.value),
            take(columns.session_id),
        )  # fmt: skip
        channel, event_type = take(columns.channel), take(columns.event_type)
        moment = take(columns.moment)
        # Keys start at 0 so that customer and time pack into one sort key.
        customer = columns.customer if rows is None else columns.customer[rows]
        customer = customer - columns.lowest
        ties = {"session": session_id, "channel": channel, "event_type": event_type,
                "device": device, "value": value, "moment": moment}  # fmt: skip
        order, customer = _journey_order(
            customer, time, {k: v for k, v in ties.items() if v is not None}
        )
        opens = changes(customer)
        if columns.ids is None:  # integer ids served as their own key: read them back
            customers = take(columns.raw_ids)[order[opens]]
        else:
            customers = columns.ids[customer[opens]]
        # Customers numbered 0..n-1 in id order; they are what every sum is per.
        customer = np.cumsum(opens, dtype=np.int64) - 1
        customer = customer.astype(np.int32 if len(customers) < 2**31 else np.int64)
        return cls(
            source=columns,
            customers=pd.Index(customers, name="customer_id"),
            row=order,
            customer=customer,
            time=time[order],
            channel=channel[order],
            device=None if device is None else device[order],
            event_type=event_type[order],
            value=value,
            session_id=session_id,
            moment=None if moment is None else moment[order],
        )

    @property
    def n(self) -> int:
        return len(self.customers)

    @cached_property
    def total(self) -> np.ndarray:
        """Touchpoints per customer."""
        return np.bincount(self.customer, minlength=self.n).astype(np.float64)

    def count(self, where: np.ndarray) -> np.ndarray:
        """Touchpoints per customer where ``where`` holds (a mask or positions)."""
        return np.bincount(self.customer[where], minlength=self.n).astype(np.float64)

    def counts(self, codes: np.ndarray, n_levels: int) -> np.ndarray:
        """Touchpoints per customer and level, shape (customers, levels)."""
        wide = np.int32 if self.n * n_levels < 2**31 else np.int64
        flat = self.customer.astype(wide) * n_levels + codes
        valid = codes >= 0
        if not valid.all():
            flat = flat[valid]
        return np.bincount(flat, minlength=self.n * n_levels).reshape(self.n, n_levels)

    def in_event_types(self, names) -> np.ndarray:
        wanted = np.isin(self.event_levels, list(names))
        return wanted[self.event_type]

    def moment_rank(self, taxonomy: Mapping[str, str]) -> np.ndarray:
        """Moment of truth per touchpoint as 0..3 (ZMOT..UMOT), -1 when unknown: the row's
        own ``moment`` where it has one, else its event type's in the taxonomy."""
        rank = {m: i for i, m in enumerate(MOMENTS)}
        of_level = [rank.get(taxonomy.get(e), -1) for e in self.event_levels]
        ranks = np.array(of_level + [-1], dtype=np.int8)[self.event_type]
        if self.moment is not None:
            ranks = np.where(self.moment >= 0, self.moment, ranks)
        return ranks


def _customer_keys(ids: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """A sort key per touchpoint, and the sorted distinct ids when the key is a code.

    Integer ids are their own key, which spares hashing tens of millions of
    them; other ids are numbered in sorted order.
    """
    if ptypes.is_integer_dtype(ids.dtype) and len(ids):
        return ids.to_numpy(dtype=np.int64), None  # a view: offset per part, when taken
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def moment_codes(values: pd.Series) -> np.ndarray:
    """A validated ``moment`` column as int8 codes 0..3 in :data:`MOMENTS` order, -1 if missing."""
    codes = pd.Categorical(values, categories=list(MOMENTS)).codes
    return codes.astype(np.int8, copy=False)


def _floats(values: pd.Series) -> np.ndarray:
    """A float64 column as an array, without a copy when it already is one."""
    if values.dtype == np.float64:
        return values.to_numpy()
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _session_keys(ids: pd.Series) -> np.ndarray:
    """Session ids as numbers that compare like the ids (equal and in order)."""
    if ptypes.is_numeric_dtype(ids.dtype) and not ptypes.is_bool_dtype(ids.dtype):
        return ids.to_numpy()
    return pd.factorize(ids, sort=True)[0]


def _journey_order(
    customer: np.ndarray, time: np.ndarray, ties: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Positions that sort the log by customer and time, and the customer keys in that order.

    The sort runs on one integer key, customer and millisecond packed together
    when they fit in 62 bits (built in place in ``customer``, which it
    consumes), else on the two columns. Rows tied on it (same customer, same
    millisecond) are then ordered by time and every key in ``ties``, so any
    input row order gives the same journey.
    """
    if len(time) == 0:
        return np.zeros(0, dtype=np.int64), customer
    if len(time) <= _SMALL_LOG:
        # The same order in one numpy call, without polars' per-call overhead:
        # what a single customer's record needs in a service.
        order = np.lexsort((*reversed(list(ties.values())), time, customer))
        return order, customer[order]
    t0 = int(time.min())
    span = (int(time.max()) - t0) // 1_000 + 1
    if (int(customer.max()) + 1) * span < 2**62:
        primary = customer  # reused: the customer key is recovered from the packed one
        primary *= span
        primary += (time - t0) // 1_000
        order = pl.Series(primary).arg_sort().to_numpy()
        ranked = primary[order]
        del primary, customer
        tie = ranked[1:] == ranked[:-1]
        ranked //= span
        customer = ranked
    else:
        frame = pl.DataFrame({"customer": customer, "time": time})
        order = frame.select(pl.arg_sort_by(["customer", "time"])).to_series().to_numpy()
        customer = customer[order]
        tie = (customer[1:] == customer[:-1]) & (time[order][1:] == time[order][:-1])
    order = order.astype(np.int32 if len(order) < 2**31 else np.int64, copy=False)
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= tie
    tied[:-1] |= tie
    if tied.any():
        # Tied rows sit in contiguous blocks of one customer, so sorting just
        # them by time and every other key keeps each block in its place.
        slots = np.flatnonzero(tied)
        rows = order[slots]
        keys = {"block": customer[slots], "time": time[rows]} | {
            name: values[rows] for name, values in ties.items()
        }
        within = pl.DataFrame(keys).select(pl.arg_sort_by(list(keys), nulls_last=True))
        order[slots] = rows[within.to_series().to_numpy()]
    return order, customer


def _local_microseconds(timestamps: pd.Series, observation_end) -> tuple[np.ndarray, int]:
    """Timestamps as int64 microseconds of local wall time, and the observation end."""
    zone = timestamps.dt.tz
    wall = timestamps.dt.tz_localize(None) if zone is not None else timestamps
    time = wall.to_numpy().astype("datetime64[us]", copy=False).view(np.int64)
    if observation_end is None:
        return time, int(time.max())
    end = pd.Timestamp(observation_end)
    if (end.tz is None) != (zone is None):
        raise ConfigError(
            f"Got observation_end={end}, but the events' timestamps are in "
            f"{zone or 'no time zone'}: give observation_end in the same zone."
        )
    if zone is not None:
        end = end.tz_convert(zone).tz_localize(None)
    return time, int(end.to_datetime64().astype("datetime64[us]").view(np.int64))


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of the levels present, numbered in name order (-1 for missing).

    Numbering by name, not by category order, makes the tie-breaking sort and
    the output columns the same whatever dtype or categories the input had.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        levels = np.array([str(c) for c in values.dtype.categories], dtype=object)
        codes = values.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(levels)))
        names = sorted(levels[used])
        renumber = np.full(len(levels) + 1, -1, dtype=_code_type(len(names)))  # last: code -1
        renumber[used] = np.searchsorted(names, levels[used])
        return renumber[codes], names
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(_code_type(len(uniques))), [str(u) for u in uniques]


def _code_type(n_levels: int) -> type:
    """The smallest signed integer type for codes -1 .. n_levels - 1."""
    return np.int8 if n_levels < 2**7 else np.int16 if n_levels < 2**15 else np.int32


def changes(keys: np.ndarray) -> np.ndarray:
    """True where a sorted key array starts a new run (always at the first element)."""
    opens = np.ones(len(keys), dtype=bool)
    opens[1:] = keys[1:] != keys[:-1]
    return opens
