"""Touchpoint features: how each customer moves through the journey (``behaviour__*``).

One row per customer from an event log: value (RFM, with the exact semantics
of lifetimes' ``summary_data_from_transaction_data``), channel and device mix,
omnichannel breadth and switching, sessions and micro-moments, moments of
truth (research before purchase, expression after experience, how often the
journey goes backwards), rhythm (dayparts, weekends, trend) and service
(support contacts, returns).

Customers are taken in parts of about a million touchpoints (bounded memory),
each sorted by customer and time (:mod:`persona.features._log`); every
feature (:mod:`persona.features._behaviour`) is then array arithmetic on the
sorted columns: neighbours for sessions, switching and backtracking, binary
search for "the last research before this purchase", and per-customer sums
with ``bincount``. Nothing loops over customers or events in Python. This
module reads and checks the log and the journey settings, and assembles the
table.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from persona._validate import is_whole
from persona.contract import (
    DEFAULT_TAXONOMY,
    MOMENTS,
    TableLike,
    read_table,
    validate_emotions,
    validate_events,
)
from persona.errors import ConfigError
from persona.features._behaviour import DAYPARTS
from persona.features._behaviour import features as _features
from persona.features._log import LogColumns, SortedLog

__all__ = [
    "DAYPARTS",
    "JourneySettings",
    "behaviour_features",
    "first_touchpoints",
    "journey_settings",
    "warn_unmatched_types",
]

PREFIX = "behaviour__"
# The columns touchpoint features read: a file is read for these alone.
_COLUMNS = ("customer_id", "timestamp", "channel", "event_type", "device", "value",
            "session_id", "moment")  # fmt: skip

# Event types with a share column by default: the frequent ones, a bounded number of them.
_EVENT_SHARE = 0.005
_MAX_EVENT_TYPES = 30


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
        if not isinstance(self.taxonomy, Mapping):
            raise ConfigError(
                f"Got taxonomy of type {type(self.taxonomy).__name__}, but expected a mapping "
                "of event type -> moment, e.g. {**persona.DEFAULT_TAXONOMY, 'order': 'SMOT'}."
            )
        for name in ("purchase_types", "support_types", "return_types"):
            object.__setattr__(self, name, _event_type_names(name, getattr(self, name)))
        unknown = sorted({m for m in self.taxonomy.values() if m not in MOMENTS})
        if unknown:
            raise ConfigError(f"Got taxonomy moments {unknown}, but expected only {list(MOMENTS)}.")
        for name in ("session_gap", "micro_moment", "research_window", "expression_window"):
            value = pd.Timedelta(getattr(self, name))
            if value <= pd.Timedelta(0):
                raise ConfigError(f"Got {name}={value}, but expected a positive duration.")
            object.__setattr__(self, name, value)


def journey_settings(journey: JourneySettings | Mapping[str, Any] | None) -> JourneySettings:
    """``journey`` as :class:`JourneySettings`: the defaults for None, a mapping as keywords,
    a path as the YAML or JSON file of such a mapping (or a project file's ``journey``)."""
    if journey is None:
        return JourneySettings()
    if isinstance(journey, JourneySettings):
        return journey
    if isinstance(journey, str | os.PathLike):
        journey = _journey_file(Path(journey))
    if isinstance(journey, Mapping):
        known = set(JourneySettings.__dataclass_fields__)
        unknown = sorted(map(str, set(journey) - known))
        if unknown:
            raise ConfigError(
                f"Got journey settings {unknown}, but JourneySettings takes {sorted(known)}."
            )
        return JourneySettings(**journey)
    raise ConfigError(
        f"Got journey of type {type(journey).__name__}, but expected persona.JourneySettings, "
        "a mapping of its settings, e.g. {'purchase_types': ('order_placed',)}, or the path "
        "of a YAML file of them."
    )


def unmatched_types(present: set, settings: JourneySettings) -> list[str]:
    """The settings among purchase, support and return types that name no present event type
    (see :func:`warn_unmatched_types` for when each is checked)."""
    own_vocabulary = any(e not in settings.taxonomy for e in present)
    defaults = JourneySettings.__dataclass_fields__
    return [
        name
        for name in ("purchase_types", "support_types", "return_types")
        if not present.intersection(getattr(settings, name))
        and (name == "purchase_types" or own_vocabulary
             or getattr(settings, name) != defaults[name].default)
    ]  # fmt: skip


def _journey_file(path: Path) -> Mapping[str, Any]:
    from persona.contract._tables import read_settings

    if not path.is_file():
        raise FileNotFoundError(f"journey: no file at '{path}'.")
    try:
        spec = read_settings(path)
    except ValueError as error:
        raise ConfigError(f"journey: {error}") from error
    if isinstance(spec, Mapping) and isinstance(spec.get("journey"), Mapping):
        spec = spec["journey"]  # a project file
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"journey: '{path}' holds no mapping of journey settings (such as taxonomy: and "
            "purchase_types:), nor a project file's journey: section."
        )
    return spec


def warn_unmatched_types(event_types: pd.Series, settings: JourneySettings) -> None:
    """Say so when the event types that mean purchases, support or returns match no row.

    A purchase named otherwise (``order_placed``) would silently give every
    customer no purchase and no spend. Purchase types are always checked;
    support and return types when they were set, or when the log has a
    vocabulary of its own (event types outside the taxonomy), since a log may
    simply have no returns.
    """
    present = set(pd.unique(event_types))
    unmatched = unmatched_types(present, settings)
    if not unmatched:
        return
    said = "; ".join(f"{name}={getattr(settings, name)!r}" for name in unmatched)
    warnings.warn(
        f"events: no row has an event type of {said}, so every customer counts 0 of them "
        "(no purchases and no spend, when it is purchases). If yours are named otherwise, say "
        "so: in persona.yaml under journey: (purchase_types: [order_placed]), or in Python as "
        "PersonaModel(journey={'purchase_types': ['order_placed']}). Event types in the "
        f"events: {sorted(map(str, present))[:20]}.",
        UserWarning,
        stacklevel=3,
    )


def _event_type_names(setting: str, names: Any) -> tuple[str, ...]:
    """One event type name, or several, as a tuple; anything else is refused by name."""
    if isinstance(names, str):
        return (names,)  # "order" is one event type, not the letters o, r, d, e, r
    if isinstance(names, Iterable) and not isinstance(names, Mapping):
        names = tuple(names)
        if all(isinstance(n, str) and n for n in names):
            return names
    raise ConfigError(
        f"Got {setting}={names!r}, but expected event type names: a string or a sequence of "
        f"strings, e.g. {setting}=('order_placed',)."
    )


def behaviour_features(
    events: TableLike,
    *,
    observation_end: pd.Timestamp | str | None = None,
    channels: Sequence[str] | None = None,
    devices: Sequence[str] | None = None,
    event_types: Sequence[str] | None = None,
    settings: JourneySettings | None = None,
    chunk_rows: int = 1_000_000,
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
    event_types : sequence of str, optional
        Which event types get a share column (``share_event_*``), in that
        order: behaviour in the user's own vocabulary, whatever the taxonomy
        says of it. By default the most frequent ones: each with at least
        0.5 % of the touchpoints, at most 30, sorted by name.
    settings : JourneySettings, optional
        Taxonomy, session rule and windows.
    chunk_rows : int, default=1_000_000
        Touchpoints worked on at once: customers are processed in parts of
        about this many rows, which bounds the working memory. The result
        does not depend on it.

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
    if not is_whole(chunk_rows) or chunk_rows < 1:
        raise ConfigError(f"Got chunk_rows={chunk_rows!r}, but expected a positive whole number.")
    table = validate_events(read_table(events, "events", columns=_COLUMNS))
    log = LogColumns.from_table(table, observation_end)
    _warn_unknown_event_types(log, settings)
    channels = log.channel_levels if channels is None else list(channels)
    devices = log.device_levels if devices is None else list(devices)
    event_types = _frequent_event_types(log) if event_types is None else list(event_types)
    # Customers are split into parts of about chunk_rows touchpoints; each part
    # is a whole set of customers, so the features do not depend on the split.
    n_parts = -(-len(log.time) // chunk_rows)
    ids, names, values, filled = [], [], np.empty((0, 0)), 0
    for rows in log.parts(n_parts):
        part = SortedLog.from_columns(log, rows)
        columns = _features(part, channels, devices, event_types, settings)
        size = len(part.customers)
        if not names:
            # Room for about as many customers in every part as in the first;
            # rows never written are never touched, so they take no memory.
            names = list(columns)
            values = np.empty((size * n_parts + size // 4 + 16, len(names)))
        if filled + size > len(values):
            grown = np.empty((max(len(values) * 3 // 2, filled + size), len(names)))
            grown[:filled] = values[:filled]
            values = grown
        for j, name in enumerate(names):
            values[filled : filled + size, j] = columns.pop(name)
        filled += size
        ids.append(part.customers)
    customers = ids[0].append(ids[1:]) if len(ids) > 1 else ids[0]
    # Parts come in customer order, so their rows already follow each other.
    return pd.DataFrame(
        values[:filled], index=customers, columns=[PREFIX + n for n in names], copy=False
    )


def first_touchpoints(
    events: TableLike, n: int, *, emotions: TableLike | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Each customer's journey as it stood at its first ``n`` touchpoints, ending today.

    Keeps every customer's first ``n`` touchpoints (by time, ties broken by
    the other columns) and moves them later by the customer's own gap between that last
    kept touchpoint and their latest one: the journey keeps its pace and its
    recency, so it reads as a customer who started recently, which is what a
    thin record at scoring time is. Emotion readings given after the last kept
    touchpoint are left out and the others moved the same way; readings
    without a timestamp, and readings of customers without touchpoints, stay.

    Returns the events and the emotions (None when none were given). This is
    how the assigner learns what a thin record says (see
    :class:`~persona.assignment._assigner.Assigner`), and how ``benchmarks/calibration.py``
    measures confidence at the first touchpoints.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "customer_id": [1, 1, 1],
    ...     "timestamp": pd.to_datetime(["2026-01-01", "2026-01-03", "2026-01-10"]),
    ...     "channel": "web", "event_type": ["search", "product_view", "purchase"]})
    >>> early, _ = first_touchpoints(events, 2)
    >>> early["timestamp"].dt.strftime("%m-%d").tolist()
    ['01-08', '01-10']
    """
    if not is_whole(n) or n < 1:
        raise ConfigError(f"Got n={n!r}, but expected a whole number of touchpoints >= 1.")
    journeys = Journeys.of(events)
    early, cut = journeys.first(n)
    if emotions is None:
        return early, None
    readings = validate_emotions(read_table(emotions, "emotions"))
    if "timestamp" not in readings.columns:
        return early, readings
    stamp, last = readings["timestamp"], readings["customer_id"].map(cut)
    readings = readings.loc[stamp.isna() | last.isna() | (stamp <= last)]
    delay = readings["customer_id"].map(journeys.latest - cut).fillna(pd.Timedelta(0))
    return early, readings.assign(timestamp=readings["timestamp"] + delay).reset_index(drop=True)


@dataclass(frozen=True)
class Journeys:
    """An event log in journey order, ready to be cut at any length (validated once)."""

    table: pd.DataFrame  # by customer, then time; ties broken by every column; index 0..n-1
    rank: np.ndarray  # each touchpoint's place in its customer's journey, from 0
    latest: pd.Series  # each customer's latest touchpoint, by customer_id

    @classmethod
    def of(cls, events: TableLike) -> Journeys:
        """The journeys of an event log (a path or a table), validated."""
        return cls.ordered(validate_events(read_table(events, "events")))

    @classmethod
    def ordered(cls, table: pd.DataFrame) -> Journeys:
        """The journeys of an already validated event table."""
        # Ties in time are broken by every column, so the first touchpoints do not depend on
        # the order of the rows (rows equal in every column are interchangeable).
        table = table.sort_values(list(table.columns), kind="stable", na_position="last")
        customer_codes = pd.factorize(table["customer_id"], sort=True)[0]
        order = np.lexsort((table["timestamp"].to_numpy(), customer_codes))
        table = table.iloc[order].reset_index(drop=True)  # positions: an index may repeat
        by_customer = table.groupby("customer_id", sort=False)
        return cls(table, by_customer.cumcount().to_numpy(), by_customer["timestamp"].max())

    def first(self, n: int) -> tuple[pd.DataFrame, pd.Series]:
        """Every journey's first ``n`` touchpoints, moved to end at its latest one, and the
        time of each customer's last kept touchpoint before the move."""
        kept = self.table.loc[self.rank < n]
        cut = kept.groupby("customer_id", sort=False)["timestamp"].max()
        shift = kept["customer_id"].map(self.latest - cut)
        return kept.assign(timestamp=kept["timestamp"] + shift).reset_index(drop=True), cut


def _frequent_event_types(log: LogColumns) -> list[str]:
    """The event types with at least ``_EVENT_SHARE`` of the touchpoints, at most
    ``_MAX_EVENT_TYPES`` of them (the most frequent; ties by name), sorted by name."""
    counts = np.bincount(log.event_type[log.event_type >= 0], minlength=len(log.event_levels))
    frequent = sorted(
        (i for i in range(len(counts)) if counts[i] >= _EVENT_SHARE * len(log.event_type)),
        key=lambda i: (-counts[i], log.event_levels[i]),
    )
    return sorted(log.event_levels[i] for i in frequent[:_MAX_EVENT_TYPES])


def _warn_unknown_event_types(log: LogColumns, settings: JourneySettings) -> None:
    """Warn about event types outside the taxonomy on rows whose ``moment`` says nothing."""
    levels = log.event_levels
    unknown = [i for i, e in enumerate(levels) if e not in settings.taxonomy]
    if not unknown:
        return
    unsaid = log.event_type if log.moment is None else log.event_type[log.moment < 0]
    counts = np.bincount(unsaid[unsaid >= 0], minlength=len(levels))[unknown]
    listed = sorted(
        ((c, levels[i]) for c, i in zip(counts, unknown, strict=True) if c > 0),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not listed:
        return
    shown = ", ".join(f"'{name}' ({count:,} rows)" for count, name in listed[:10])
    warnings.warn(
        f"events: {len(listed)} event type(s) are not in the taxonomy and count as moment "
        f"'unknown': {shown}. Map them to a moment of truth: in persona.yaml under "
        "journey: taxonomy: (`persona init` drafts it), or in Python as "
        "PersonaModel(journey={'taxonomy': {**persona.DEFAULT_TAXONOMY, 'event_type': 'ZMOT'}}); "
        "or give the events a 'moment' column. Their shares still count as behaviour "
        "(share_event_*).",
        UserWarning,
        stacklevel=3,
    )
