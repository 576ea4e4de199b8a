"""Touchpoint features: how each customer moves through the journey (``behaviour__*``).

One row per customer from an event log: value (RFM, with the exact semantics
of lifetimes' ``summary_data_from_transaction_data``), channel and device mix,
omnichannel breadth and switching, sessions and micro-moments, moments of
truth (research before purchase, expression after experience, how often the
journey goes backwards), rhythm (dayparts, weekends, trend) and service
(support contacts, returns).

The log is sorted once by customer and time (polars, on integer codes), then
every feature is array arithmetic on the sorted columns: neighbours for
sessions, switching and backtracking, running maxima for "the last research
before this purchase", and per-customer sums with ``bincount``. Nothing loops
over customers or events in Python.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import polars as pl
from pandas.api import types as ptypes

from persona.journey import DEFAULT_TAXONOMY, MOMENTS
from persona.schema import TableLike, validate_events

__all__ = ["DAYPARTS", "JourneySettings", "behaviour_features"]

PREFIX = "behaviour__"

#: Hours of the day in each daypart (local time of the timestamps).
DAYPARTS: dict[str, tuple[int, int]] = {
    "night": (0, 6),
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 24),
}


@dataclass(frozen=True)
class JourneySettings:
    """How to read a journey: taxonomy, session rule and windows.

    Parameters
    ----------
    taxonomy : mapping of str to str
        Event type -> moment of truth (ZMOT, FMOT, SMOT, UMOT). Event types
        outside it are reported with a warning and count as moment "unknown".
    session_gap : Timedelta
        Without ``session_id``, a session ends after this much inactivity.
    micro_moment : Timedelta
        Sessions no longer than this are micro-moments (a single touch counts).
    research_window : Timedelta
        A purchase is researched when a ZMOT touchpoint precedes it within this.
    expression_window : Timedelta
        An experience (SMOT touchpoint) is expressed when a UMOT touchpoint
        follows it within this.
    purchase_types, support_types, return_types : tuple of str
        Event types that count as purchases, support contacts and returns.
    """

    taxonomy: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TAXONOMY))
    session_gap: pd.Timedelta = pd.Timedelta(minutes=30)
    micro_moment: pd.Timedelta = pd.Timedelta(minutes=2)
    research_window: pd.Timedelta = pd.Timedelta(days=7)
    expression_window: pd.Timedelta = pd.Timedelta(days=30)
    purchase_types: tuple[str, ...] = ("purchase",)
    support_types: tuple[str, ...] = ("support_contact",)
    return_types: tuple[str, ...] = ("return",)

    def __post_init__(self) -> None:
        unknown = sorted({m for m in self.taxonomy.values() if m not in MOMENTS})
        if unknown:
            raise ValueError(f"Got taxonomy moments {unknown}, but expected only {list(MOMENTS)}.")
        for name in ("session_gap", "micro_moment", "research_window", "expression_window"):
            value = pd.Timedelta(getattr(self, name))
            if value <= pd.Timedelta(0):
                raise ValueError(f"Got {name}={value}, but expected a positive duration.")
            object.__setattr__(self, name, value)


def behaviour_features(
    events: TableLike,
    *,
    observation_end: pd.Timestamp | str | None = None,
    channels: Sequence[str] | None = None,
    devices: Sequence[str] | None = None,
    settings: JourneySettings | None = None,
) -> pd.DataFrame:
    """Touchpoint features, one row per customer, as of ``observation_end``.

    Parameters
    ----------
    events : DataFrame or path
        The event log (see :func:`persona.validate_events`).
    observation_end : timestamp, optional
        The end of the observation window; later events are left out. By
        default the latest timestamp in ``events`` -- pass it explicitly when
        scoring in batches, so every batch shares it.
    channels, devices : sequence of str, optional
        Which channels and devices get a share column, in that order. By
        default those present, sorted. Others still count in the totals.
    settings : JourneySettings, optional
        Taxonomy, session rule and windows.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, float64 columns ``behaviour__*``.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "customer_id": [7, 7, 7],
    ...     "timestamp": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:01",
    ...                                  "2026-03-09 20:00"]),
    ...     "channel": ["web", "web", "store"],
    ...     "event_type": ["compare_products", "purchase", "purchase"],
    ...     "value": [None, 20.0, 30.0]})
    >>> features = behaviour_features(events)
    >>> features.loc[7, ["behaviour__frequency", "behaviour__recency",
    ...                  "behaviour__monetary_value"]].tolist()
    [1.0, 7.0, 30.0]
    >>> float(features.loc[7, "behaviour__research_before_purchase"])
    0.5
    """
    settings = settings or JourneySettings()
    table = validate_events(events)
    log = _Log.from_table(table, settings, observation_end)
    columns: dict[str, np.ndarray] = {"touchpoints": log.total}
    columns |= _mix(log, channels, devices)
    columns |= _sessions(log, settings)
    columns |= _moments(log, settings)
    columns |= _rhythm(log)
    columns |= _value(log, settings)
    return pd.DataFrame(
        {PREFIX + name: values.astype(np.float64) for name, values in columns.items()},
        index=log.customers,
    )


# --------------------------------------------------------------------------- the sorted log


@dataclass
class _Log:
    """The events as arrays sorted by customer, then time (ties broken by every column).

    Category columns become small integer codes numbered in name order; money
    and session ids stay in input order and are looked up through ``row``.
    """

    customers: pd.Index  # sorted unique ids; customer code i is customers[i]
    row: np.ndarray  # input position of each sorted touchpoint
    customer: np.ndarray  # customer code per touchpoint, non-decreasing
    time: np.ndarray  # int64 microseconds, local wall time
    channel: np.ndarray
    channel_levels: list[str]
    device: np.ndarray | None
    device_levels: list[str]
    event_type: np.ndarray
    event_levels: list[str]
    value: np.ndarray  # in input order
    session_id: np.ndarray | None  # in input order
    end: int  # observation end, int64 microseconds, local wall time

    @classmethod
    def from_table(cls, table: pd.DataFrame, settings: JourneySettings, observation_end) -> _Log:
        time, end = _local_microseconds(table["timestamp"], observation_end)
        kept = time <= end
        if not kept.all():
            table, time = table.loc[kept], time[kept]
        customer, customers = _customer_keys(table["customer_id"])
        channel, channel_levels = _codes(table["channel"])
        event_type, event_levels = _codes(table["event_type"])
        device, device_levels = _codes(table["device"]) if "device" in table.columns else (None, [])
        value = (
            table["value"].to_numpy(dtype=np.float64, na_value=np.nan)
            if "value" in table.columns
            else np.full(len(table), np.nan)
        )
        session_id = (
            pd.factorize(table["session_id"], sort=True)[0] if "session_id" in table else None
        )
        keys = {
            "customer": customer,
            "time": time,
            "session": session_id,
            "channel": channel,
            "event_type": event_type,
            "device": device,
            "value": value,
        }
        order = _journey_order({k: v for k, v in keys.items() if v is not None})
        customer = customer[order]
        if customers is None:  # integer ids served as their own sort key: number them now
            opens = np.r_[True, customer[1:] != customer[:-1]]
            customers = table["customer_id"].to_numpy()[order[opens]]
            customer = (np.cumsum(opens) - 1).astype(
                np.int32 if len(customers) < 2**31 else np.int64
            )
        log = cls(
            customers=pd.Index(customers, name="customer_id"),
            row=order,
            customer=customer,
            time=time[order],
            channel=channel[order],
            channel_levels=channel_levels,
            device=None if device is None else device[order],
            device_levels=device_levels,
            event_type=event_type[order],
            event_levels=event_levels,
            value=value,
            session_id=session_id,
            end=end,
        )
        _warn_unknown_event_types(log, settings)
        return log

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
        flat = self.customer.astype(np.int64) * n_levels + codes
        valid = codes >= 0
        if not valid.all():
            flat = flat[valid]
        return np.bincount(flat, minlength=self.n * n_levels).reshape(self.n, n_levels)

    def in_event_types(self, names) -> np.ndarray:
        wanted = np.isin(self.event_levels, list(names))
        return wanted[self.event_type]

    def moment_rank(self, settings: JourneySettings) -> np.ndarray:
        """Moment of truth per touchpoint as 0..3 (ZMOT..UMOT), -1 when unknown."""
        rank = {m: i for i, m in enumerate(MOMENTS)}
        of_level = [rank.get(settings.taxonomy.get(e), -1) for e in self.event_levels]
        return np.array(of_level + [-1], dtype=np.int8)[self.event_type]


def _customer_keys(ids: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """A sort key per touchpoint, and the sorted distinct ids when the key is a code.

    Integer ids are their own key (offset to start at 0), which spares hashing
    tens of millions of them; other ids are numbered in sorted order.
    """
    if ptypes.is_integer_dtype(ids.dtype) and len(ids):
        values = ids.to_numpy(dtype=np.int64)
        return values - values.min(), None
    codes, uniques = pd.factorize(ids, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def _journey_order(keys: dict[str, np.ndarray]) -> np.ndarray:
    """Positions that sort the log by customer and time, ties broken by every other key.

    The sort runs on one integer key, customer and millisecond packed together
    when they fit in 62 bits, else on the two columns. Rows tied on it (same
    customer, same millisecond) are then ordered by all keys, so any input row
    order gives the same journey.
    """
    customer, time = keys["customer"], keys["time"]
    millisecond = (time - time.min()) // 1_000 if len(time) else time
    span = int(millisecond.max()) + 1 if len(time) else 1
    n_customers = int(customer.max()) + 1 if len(customer) else 1
    if n_customers * span < 2**62:
        primary = customer * span + millisecond
        order = pl.Series(primary).arg_sort().to_numpy().astype(np.int64)
        ranked = primary[order]
        tie = ranked[1:] == ranked[:-1]
    else:
        frame = pl.DataFrame({"customer": customer, "time": time})
        order = frame.select(pl.arg_sort_by(["customer", "time"])).to_series().to_numpy()
        order = order.astype(np.int64)
        tie = (customer[order][1:] == customer[order][:-1]) & (time[order][1:] == time[order][:-1])
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= tie
    tied[:-1] |= tie
    if tied.any():
        # Tied rows sit in contiguous blocks, so sorting just them by every key
        # (customer and time first) keeps each block in its place.
        slots = np.flatnonzero(tied)
        rows = order[slots]
        frame = pl.DataFrame({name: values[rows] for name, values in keys.items()})
        within = frame.select(pl.arg_sort_by(list(keys), nulls_last=True)).to_series()
        order[slots] = rows[within.to_numpy()]
    return order


def _local_microseconds(timestamps: pd.Series, observation_end) -> tuple[np.ndarray, int]:
    """Timestamps as int64 microseconds of local wall time, and the observation end."""
    zone = timestamps.dt.tz
    wall = timestamps.dt.tz_localize(None) if zone is not None else timestamps
    time = wall.to_numpy().astype("datetime64[us]").view(np.int64)
    if observation_end is None:
        return time, int(time.max())
    end = pd.Timestamp(observation_end)
    if (end.tz is None) != (zone is None):
        raise ValueError(
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
        codes = values.cat.codes.to_numpy().astype(np.int64)
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(levels)))
        names = sorted(levels[used])
        renumber = np.full(len(levels) + 1, -1, dtype=np.int64)  # the last slot: code -1
        renumber[used] = np.searchsorted(names, levels[used])
        return renumber[codes], names
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _warn_unknown_event_types(log: _Log, settings: JourneySettings) -> None:
    unknown = [i for i, e in enumerate(log.event_levels) if e not in settings.taxonomy]
    if not unknown:
        return
    counts = np.bincount(log.event_type, minlength=len(log.event_levels))[unknown]
    listed = sorted(
        zip(counts, (log.event_levels[i] for i in unknown), strict=True),
        key=lambda x: (-x[0], x[1]),
    )
    shown = ", ".join(f"'{name}' ({count:,} rows)" for count, name in listed[:10])
    warnings.warn(
        f"events: {len(unknown)} event type(s) are not in the taxonomy and count as moment "
        f"'unknown': {shown}. Add them to the taxonomy "
        "(JourneySettings(taxonomy={..., 'event_type': 'ZMOT'})) to use them.",
        UserWarning,
        stacklevel=4,
    )


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (nothing to count)."""
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


# --------------------------------------------------------------------------- feature families


def _mix(log: _Log, channels, devices) -> dict[str, np.ndarray]:
    by_channel = log.counts(log.channel, len(log.channel_levels))
    shares = by_channel / log.total[:, None]
    out = {
        f"share_channel_{c}": _level_share(shares, log.channel_levels, c)
        for c in (log.channel_levels if channels is None else channels)
    }
    if log.device is not None:
        device_shares = log.counts(log.device, len(log.device_levels)) / log.total[:, None]
        out |= {
            f"share_device_{d}": _level_share(device_shares, log.device_levels, d)
            for d in (log.device_levels if devices is None else devices)
        }
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(shares > 0, shares * np.log(shares), 0.0).sum(axis=1)
    out["n_channels"] = (by_channel > 0).sum(axis=1)
    out["channel_entropy"] = entropy
    return out


def _level_share(shares: np.ndarray, levels: list[str], level: str) -> np.ndarray:
    if level in levels:
        return shares[:, levels.index(level)]
    return np.zeros(len(shares))


def _session_opens(log: _Log, settings: JourneySettings) -> np.ndarray:
    """True where a touchpoint opens a session."""
    opens = np.ones(len(log.customer), dtype=bool)
    if log.session_id is not None:
        session = log.session_id[log.row]
        opens[1:] = session[1:] != session[:-1]
    else:
        gap = settings.session_gap // pd.Timedelta(1, "us")
        opens[1:] = (log.time[1:] - log.time[:-1]) > gap
    opens[1:] |= log.customer[1:] != log.customer[:-1]
    return opens


def _sessions(log: _Log, settings: JourneySettings) -> dict[str, np.ndarray]:
    opens = _session_opens(log, settings)
    first = np.flatnonzero(opens)
    last = np.r_[first[1:], len(opens)] - 1
    owner = log.customer[first]
    sessions = np.bincount(owner, minlength=log.n).astype(np.float64)
    seconds = (log.time[last] - log.time[first]) / 1e6
    # Session i + 1 follows session i when both belong to the same customer.
    follows = np.flatnonzero(owner[1:] == owner[:-1])
    next_owner = owner[1:][follows]
    gap_days = (log.time[first[1:][follows]] - log.time[last[:-1][follows]]) / 86_400e6
    switched = log.channel[first[1:][follows]] != log.channel[first[:-1][follows]]
    n_follows = np.bincount(next_owner, minlength=log.n)
    micro = seconds <= settings.micro_moment.total_seconds()

    # Pairs of neighbouring touchpoints inside one session.
    inside = np.flatnonzero(~opens[1:]) + 1
    changed = inside[log.channel[inside] != log.channel[inside - 1]]
    return {
        "sessions": sessions,
        "session_touchpoints": log.total / sessions,
        "session_minutes": np.bincount(owner, weights=seconds, minlength=log.n) / sessions / 60,
        "micro_moment_share": np.bincount(owner[micro], minlength=log.n) / sessions,
        "days_between_sessions": _ratio(
            np.bincount(next_owner, weights=gap_days, minlength=log.n), n_follows
        ),
        "channel_switch_across_sessions": _ratio(
            np.bincount(next_owner[switched], minlength=log.n), n_follows
        ),
        "channel_switch_in_session": _ratio(log.count(changed), log.count(inside)),
    }


def _moments(log: _Log, settings: JourneySettings) -> dict[str, np.ndarray]:
    rank = log.moment_rank(settings)
    by_moment = log.counts(rank, len(MOMENTS))
    out = {f"share_moment_{m}": by_moment[:, i] / log.total for i, m in enumerate(MOMENTS)}

    # The latest research touch at or before each purchase ...
    purchase = np.flatnonzero(log.in_event_types(settings.purchase_types))
    research = np.flatnonzero(rank == 0)
    before = np.searchsorted(research, purchase, side="right") - 1
    found = research[np.clip(before, 0, None)] if len(research) else purchase
    window = settings.research_window // pd.Timedelta(1, "us")
    researched = (
        (before >= 0)
        & (log.customer[found] == log.customer[purchase])
        & (log.time[purchase] - log.time[found] <= window)
    )
    other_channel = researched & (log.channel[found] != log.channel[purchase])
    purchases = log.count(purchase)
    out["research_before_purchase"] = _ratio(log.count(purchase[researched]), purchases)
    out["research_other_channel"] = _ratio(log.count(purchase[other_channel]), purchases)

    # ... and the next expression at or after each experience.
    experience = np.flatnonzero(rank == 2)
    expression = np.flatnonzero(rank == 3)
    after = np.searchsorted(expression, experience, side="left")
    found = expression[np.clip(after, 0, len(expression) - 1)] if len(expression) else experience
    window = settings.expression_window // pd.Timedelta(1, "us")
    expressed = (
        (after < len(expression))
        & (log.customer[found] == log.customer[experience])
        & (log.time[found] - log.time[experience] <= window)
    )
    out["expression_after_experience"] = _ratio(
        log.count(experience[expressed]), log.count(experience)
    )

    # Backtracking: neighbouring touchpoints of a customer whose moment goes back.
    step = np.flatnonzero((rank[1:] >= 0) & (rank[:-1] >= 0)) + 1
    step = step[log.customer[step] == log.customer[step - 1]]
    backwards = step[rank[step] < rank[step - 1]]
    out["journey_backtracking"] = _ratio(log.count(backwards), log.count(step))
    return out


def _rhythm(log: _Log) -> dict[str, np.ndarray]:
    hour = (log.time // 3_600_000_000) % 24
    weekday = (log.time // 86_400_000_000 + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    out = {
        f"share_daypart_{name}": log.count((hour >= lo) & (hour < hi)) / log.total
        for name, (lo, hi) in DAYPARTS.items()
    }
    out["weekend_share"] = log.count(weekday >= 5) / log.total
    # Where in the customer's own span (first touch .. observation end) the
    # touches fall: 0 is steady, positive growing, negative fading.
    first = np.flatnonzero(np.r_[True, log.customer[1:] != log.customer[:-1]])
    first_time = log.time[first]
    since_first = (log.time - np.repeat(first_time, np.diff(np.r_[first, len(log.time)]))) / 1e6
    span = (log.end - first_time) / 1e6
    mean_since = np.bincount(log.customer, weights=since_first, minlength=log.n) / log.total
    out["activity_trend"] = 2.0 * _ratio(mean_since, span) - 1.0
    return out


def _value(log: _Log, settings: JourneySettings) -> dict[str, np.ndarray]:
    """RFM as lifetimes' summary_data_from_transaction_data(freq='D') computes it, and service."""
    purchase = np.flatnonzero(log.in_event_types(settings.purchase_types))
    customer = log.customer[purchase]
    day = log.time[purchase] // 86_400_000_000
    spend = np.nan_to_num(log.value[log.row[purchase]])
    # Purchases are in customer-then-time order: a new period opens where the
    # customer or the day changes.
    opens = np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])]
    period = np.cumsum(opens) - 1
    period_spend = np.bincount(period, weights=spend)
    period_customer = customer[opens]
    period_day = day[opens]
    first_period = np.r_[True, period_customer[1:] != period_customer[:-1]]

    n = log.n
    periods = np.bincount(period_customer, minlength=n).astype(np.float64)
    buyer = periods > 0
    first_day = np.full(n, np.nan)
    first_day[period_customer[first_period]] = period_day[first_period]
    last_day = np.full(n, np.nan)
    last_day[period_customer] = period_day  # the last period of each customer wins
    frequency = np.where(buyer, periods - 1, np.nan)
    repeat_spend = np.bincount(
        period_customer[~first_period], weights=period_spend[~first_period], minlength=n
    )
    purchases = log.count(purchase)
    return {
        "purchases": purchases,
        "total_spend": np.bincount(customer, weights=spend, minlength=n),
        "frequency": frequency,
        "recency": last_day - first_day,
        "T": log.end // 86_400_000_000 - first_day,
        "monetary_value": np.where(buyer, np.nan_to_num(_ratio(repeat_spend, frequency)), np.nan),
        "support_per_purchase": _ratio(
            log.count(log.in_event_types(settings.support_types)), purchases
        ),
        "return_rate": _ratio(log.count(log.in_event_types(settings.return_types)), purchases),
    }
