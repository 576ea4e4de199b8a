"""Input contracts: what persona accepts, checked once, at the edge.

Every table persona reads (``events``, ``survey``, ``emotions``,
``demographics``) comes through one ``validate_*`` function here. They take a
DataFrame or a path (Parquet file, Parquet folder or CSV), and either return
the table ready for use or raise :class:`InputError`, whose message names the
table, the column, the first offending rows and the fix.

What is valid passes untouched: no row is reordered or changed, and the
caller's frame is never modified. The only conversion is parsing text that
unambiguously means a timestamp or a number (as a CSV file gives it): text
timestamps that carry a UTC offset are read as that instant, in UTC. The one
row left out is a survey row that answers no item: a non-respondent, with a
warning.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.contract._checks import (
    blank,
    check_frame,
    check_ids,
    check_labels,
    check_no_nulls,
    fail,
    id_kind,
    parse_numbers,
    with_parsed,
)
from persona.contract._journey import MOMENTS
from persona.contract._tables import TableLike, read_table

# Batch scoring reads the mixed-offset rule here, by these names (the rule is one, there).
from persona.contract._timestamps import MIXED_OFFSETS as _MIXED_OFFSETS  # noqa: F401
from persona.contract._timestamps import has_utc_offset as _has_utc_offset  # noqa: F401
from persona.contract._timestamps import minority_of as _minority_of  # noqa: F401
from persona.contract._timestamps import parse_timestamps
from persona.errors import InputError

if TYPE_CHECKING:
    from persona.contract._instrument import Instrument

__all__ = [
    "REQUIRED_COLUMNS",
    "EMOTIONS",
    "SCORE_RANGES",
    "InputError",
    "Inputs",
    "TableLike",
    "read_table",
    "validate_demographics",
    "validate_emotions",
    "validate_events",
    "validate_inputs",
    "validate_survey",
]

#: The eight discrete emotions an emotion reading may score, each in [0, 1].
EMOTIONS: tuple[str, ...] = (
    "joy",
    "trust",
    "fear",
    "surprise",
    "sadness",
    "disgust",
    "anger",
    "anticipation",
)
#: The scores an emotion reading may carry, with their ranges; a scorer of text gives these too.
SCORE_RANGES: dict[str, tuple[float, float]] = {
    "valence": (-1.0, 1.0),
    "arousal": (0.0, 1.0),
    **{e: (0.0, 1.0) for e in EMOTIONS},
}

_ID = "customer_id"


_EVENT_COLUMNS = ("customer_id", "timestamp", "channel", "event_type")
#: The columns each table must have; every other reader of a table takes them from here.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": _EVENT_COLUMNS,
    "survey": (_ID,),
    "emotions": (_ID,),
    "demographics": (_ID,),
}


_TRUSTED = threading.local()


@contextmanager
def trusted(*tables: pd.DataFrame | None) -> Iterator[None]:
    """Within the block, these exact table objects (just validated) pass without new checks.

    The feature builder validates its tables once, together, then hands them
    to the feature functions, which would otherwise check every row again.
    Scoped to the block and to this thread; the objects are matched by
    identity, so any other table is checked as usual.
    """
    ids: set[int] = _TRUSTED.__dict__.setdefault("ids", set())
    added = {id(t) for t in tables if t is not None} - ids
    ids |= added
    try:
        yield
    finally:
        ids -= added


def _is_trusted(table: object) -> bool:
    return id(table) in _TRUSTED.__dict__.get("ids", ())


# --------------------------------------------------------------------------- the tables


def _first_rows(df: pd.DataFrame, mask: np.ndarray, shown: int = 5) -> str:
    positions = np.flatnonzero(mask)[:shown]
    ids = df[_ID].iloc[positions].tolist()
    labels = df.index[positions].tolist()
    rows = [f"row {label!r} (customer_id={i!r})" for label, i in zip(labels, ids, strict=True)]
    return "first: " + "; ".join(rows)


def validate_events(events: TableLike) -> pd.DataFrame:
    """Check an ``events`` table (one row per touchpoint) against its contract.

    Required columns: ``customer_id``, ``timestamp``, ``channel``,
    ``event_type``. Optional: ``device``, ``value`` (money; empty where the
    touchpoint has none), ``session_id``, ``moment`` (one of ZMOT, FMOT,
    SMOT, UMOT; empty to derive it from the event type). Other columns pass
    through.

    ``timestamp`` is datetime64 or ISO 8601 text. Text with a UTC offset
    (``2026-03-01T09:00:00+01:00``, ``...Z``) is read as that instant in UTC,
    whatever the offsets (summer and winter time in one export, say); text
    without one is kept as the wall time it says. A column that mixes the two
    has no single clock: the rows of the less common kind are refused (without
    offset, on a tie), which batch scoring turns into rejected customers.

    ``value`` may be negative: many exports write a refund as a negative
    amount. A purchase-type event with a negative value is read as a refund:
    it lowers the customer's spend and is not counted as a purchase (no
    frequency, recency or research ratio sees it). A ``return`` event counts
    in the return rate, and its value does not enter spend.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "customer_id": [1, 1], "timestamp": ["2026-01-05T09:00", "2026-01-05T09:04"],
    ...     "channel": ["web", "web"], "event_type": ["search", "purchase"],
    ...     "value": [None, 19.9]})
    >>> validate_events(events)["timestamp"].dt.minute.tolist()
    [0, 4]
    """
    if _is_trusted(events):
        return events
    df = read_table(events, "events")
    check_frame(df, "events", REQUIRED_COLUMNS["events"])
    check_ids(df, "events", unique=False)
    parsed = {"timestamp": parse_timestamps(df, "events", "timestamp", nullable=False)}
    check_labels(df, "events", "channel", nullable=False)
    check_labels(df, "events", "event_type", nullable=False)
    if "device" in df.columns:
        check_labels(df, "events", "device", nullable=True)
    if "moment" in df.columns:
        check_labels(df, "events", "moment", nullable=True, choices=MOMENTS)
    if "session_id" in df.columns:
        check_no_nulls(df, "events", "session_id", "session id (or drop the column)")
    if "value" in df.columns:
        # No lower bound: a refund is a negative amount in many exports (see the docstring).
        parsed["value"] = parse_numbers(df, "events", "value")
    return with_parsed(df, parsed)


def validate_survey(survey: TableLike, instrument: Instrument) -> pd.DataFrame:
    """Check a ``survey`` table (one row per respondent) against an instrument.

    ``customer_id`` plus one column per instrument item, each a whole number
    on the item's scale, or empty where the respondent skipped the item.

    A row that answers no item at all is a non-respondent: it is left out of
    the returned table, with a UserWarning naming the rows, and its customer
    is one without a survey (scored on their other signals, if any).

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True}]})
    >>> survey = pd.DataFrame({"customer_id": [1, 2], "thr1": [5, 2], "thr2": [1, None]})
    >>> validate_survey(survey, instrument) is survey
    True
    """
    if _is_trusted(survey):
        return survey
    df = read_table(survey, "survey")
    check_frame(df, "survey", REQUIRED_COLUMNS["survey"])
    check_ids(df, "survey", unique=True)
    items = instrument.item_names
    unknown = [c for c in df.columns if c != _ID and c not in items]
    if unknown:
        raise InputError(
            "survey",
            f"has column(s) the instrument '{instrument.name}' does not know: {unknown[:10]}.",
            column=unknown[0],
            fix="drop them (survey.drop(columns=[...])) or add those items to the instrument.",
        )
    missing = [i for i in items if i not in df.columns]
    if missing:
        raise InputError(
            "survey",
            f"lacks item(s) of the instrument '{instrument.name}': {missing[:10]}.",
            column=missing[0],
            fix="add the columns (empty where nobody answered) or use an instrument "
            "without those items.",
        )
    parsed = {}
    for item in items:
        low, high = instrument.scale_of(item)
        parsed[item] = parse_numbers(
            df,
            "survey",
            item,
            low=low,
            high=high,
            integral=True,
            fix=f"answers to {item} are whole numbers from {low} to {high}; leave a cell empty "
            "where the respondent skipped the item.",
        )
    answered = np.zeros(len(df), dtype=bool)
    for item in items:
        answered |= df[item].notna().to_numpy()  # parsing keeps every non-empty cell
    checked = with_parsed(df, parsed)
    if answered.all():
        return checked
    # Survey exports often keep a row for everyone invited: a row without a single
    # answer says only that the customer did not respond, which is no survey at all.
    # Left out, not refused, so features never see a respondent without answers.
    warnings.warn(
        f"survey: {int((~answered).sum())} of {len(df)} rows answer no item at all "
        f"({_first_rows(df, ~answered)}); they are left out, and their customers count "
        "as customers without a survey. Drop such rows to silence this warning.",
        UserWarning,
        stacklevel=2,
    )
    return checked.loc[answered]


def validate_emotions(emotions: TableLike) -> pd.DataFrame:
    """Check an ``emotions`` table (one row per reading) against its contract.

    ``customer_id`` plus numeric scores (``valence`` in [-1, 1], ``arousal``
    in [0, 1], any of the eight emotions in [0, 1]) and/or ``text`` to be
    scored. Optional: ``timestamp`` (read as in :func:`validate_events`: text
    with a UTC offset in UTC), ``event_type``, ``moment``. A cell may be
    empty, but every reading must carry at least one score or a text.

    Examples
    --------
    >>> import pandas as pd
    >>> readings = pd.DataFrame({"customer_id": ["a", "b"], "valence": [0.4, None],
    ...                          "text": [None, "Delivery was late again."]})
    >>> validate_emotions(readings) is readings
    True
    """
    if _is_trusted(emotions):
        return emotions
    df = read_table(emotions, "emotions")
    check_frame(df, "emotions", REQUIRED_COLUMNS["emotions"])
    signals = [c for c in (*SCORE_RANGES, "text") if c in df.columns]
    if not signals:
        raise InputError(
            "emotions",
            "has no signal column.",
            fix=f"add scores ({list(SCORE_RANGES)}) or a 'text' column to score.",
        )
    check_ids(df, "emotions", unique=False)
    parsed = {}
    if "timestamp" in df.columns:
        parsed["timestamp"] = parse_timestamps(df, "emotions", "timestamp", nullable=True)
    if "event_type" in df.columns:
        check_labels(df, "emotions", "event_type", nullable=True)
    if "moment" in df.columns:
        check_labels(df, "emotions", "moment", nullable=True, choices=MOMENTS)
    has_signal = np.zeros(len(df), dtype=bool)
    for column, (low, high) in SCORE_RANGES.items():
        if column in df.columns:
            parsed[column] = parse_numbers(df, "emotions", column, low=low, high=high)
            has_signal |= df[column].notna().to_numpy()
    if "text" in df.columns:
        check_labels(df, "emotions", "text", nullable=True)
        has_signal |= ~blank(df["text"])
    if not has_signal.all():
        fail(
            "emotions",
            df,
            ~has_signal,
            "carry neither a score nor a text.",
            "drop readings without a signal, or give them a valence/arousal/emotion score "
            "or a text.",
        )
    return with_parsed(df, parsed)


def validate_demographics(demographics: TableLike) -> pd.DataFrame:
    """Check a ``demographics`` table: ``customer_id`` (once each) plus any columns.

    Demographics are used to audit that personas are not demographic
    segments; they never enter clustering unless asked explicitly.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"customer_id": [1, 2], "age": [34, 61]})
    >>> validate_demographics(people) is people
    True
    """
    df = read_table(demographics, "demographics")
    check_frame(df, "demographics", REQUIRED_COLUMNS["demographics"])
    check_ids(df, "demographics", unique=True)
    parsed = {}
    for column in df.columns:
        if column != _ID and ptypes.is_float_dtype(df[column].dtype):
            parsed[column] = parse_numbers(df, "demographics", column)
    return with_parsed(df, parsed)


@dataclass(frozen=True)
class Inputs:
    """The validated input tables; a modality nobody supplied is ``None``."""

    events: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    emotions: pd.DataFrame | None = None
    demographics: pd.DataFrame | None = None


def validate_inputs(
    events: TableLike | None = None,
    survey: TableLike | None = None,
    emotions: TableLike | None = None,
    demographics: TableLike | None = None,
    *,
    instrument: Instrument | None = None,
) -> Inputs:
    """Validate every table given, then check that they agree with each other.

    Customer ids must be of one kind (all integers or all strings) across
    tables, or joins would silently match nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"customer_id": [1], "timestamp": ["2026-01-05T09:00"],
    ...                        "channel": ["app"], "event_type": ["search"]})
    >>> people = pd.DataFrame({"customer_id": ["1"], "age": [30]})
    >>> validate_inputs(events, demographics=people)
    Traceback (most recent call last):
    ...
    persona.errors.InputError: demographics.customer_id: holds str ids while events holds int ids.
      fix: give customer_id the same type in every table, e.g. .astype(str) on both.
    """
    if survey is not None and instrument is None:
        raise InputError(
            "survey",
            "was given without an instrument, so its items cannot be read.",
            fix="pass instrument=Instrument.from_file('instrument.yaml') (or from_dict).",
        )
    tables = {
        "events": None if events is None else validate_events(events),
        "survey": None if survey is None else validate_survey(survey, instrument),
        "emotions": None if emotions is None else validate_emotions(emotions),
        "demographics": None if demographics is None else validate_demographics(demographics),
    }
    if tables["survey"] is not None and len(tables["survey"]) == 0:
        tables["survey"] = None  # no row answered anything: nobody responded (warned about)
    _check_agreement(tables)
    return Inputs(**tables)


def _check_agreement(tables: dict[str, pd.DataFrame | None]) -> None:
    """Tables are joined on customer_id and compared in time: ids and zones must match."""
    kinds = {name: id_kind(df[_ID]) for name, df in tables.items() if df is not None}
    first = next(iter(kinds), None)
    for name, kind in kinds.items():
        if kind != kinds[first]:
            raise InputError(
                name,
                f"holds {kind} ids while {first} holds {kinds[first]} ids.",
                column=_ID,
                fix="give customer_id the same type in every table, e.g. .astype(str) on both.",
            )
    zones = {
        name: getattr(df["timestamp"].dtype, "tz", None)
        for name, df in tables.items()
        if df is not None and "timestamp" in df.columns
    }
    if len({str(zone) for zone in zones.values()}) > 1:
        described = ", ".join(f"{name} in {zone or 'no time zone'}" for name, zone in zones.items())
        raise InputError(
            list(zones)[-1],
            f"timestamps are {described}, so they cannot be compared.",
            column="timestamp",
            fix="give every table's timestamps the same zone (or none), e.g. "
            "ts.dt.tz_convert('UTC') on aware and ts.dt.tz_localize('UTC') on naive ones.",
        )
