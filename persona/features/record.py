"""One customer's features straight from a record, in numpy: what a service scores.

A record carries one customer's touchpoints, survey answers and emotion
readings as plain Python data (lists of dicts, a dict of answers). Putting
them into DataFrames, validating them as tables and joining the blocks costs
milliseconds per call, for one customer. :class:`RecordFeatures` reads the
record into the same arrays the table path builds -- the sorted log of
:mod:`persona.features._log`, the reading arrays of
:mod:`persona.features.emotions`, the answer matrix of
:mod:`persona.features.psychographic` -- and calls the same feature
arithmetic on them, so a record gets the numbers a table of that customer
gets, bit for bit (``tests/test_features_record.py`` checks every customer of a
synthetic base).

It only reads what it can read unambiguously: plain numbers, non-blank names,
ISO 8601 timestamps without a zone, names the taxonomy knows. Anything else
-- a value the contract refuses, a number written as text, an unknown event
type that deserves a warning, a custom emotion scorer -- makes
:meth:`RecordFeatures.compute` return ``None``, and the caller takes the
table path, which parses it or raises its documented error.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from functools import lru_cache
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from persona._validate import is_whole
from persona.contract import EMOTIONS, MOMENTS
from persona.features import emotions as _emotions
from persona.features import psychographic as _psychographic
from persona.features import touchpoints as _touchpoints
from persona.features._log import LogColumns, SortedLog
from persona.features.text import LexiconScorer, comment_scores

__all__ = ["RecordFeatures"]

# What numpy parses exactly as pandas' ISO 8601 parser does: a date, with an
# optional time to the microsecond, and no zone.
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?")
_SCORES = ("valence", "arousal", *EMOTIONS)
_RANGES = {"valence": (-1.0, 1.0), **{name: (0.0, 1.0) for name in _SCORES[1:]}}
_MOMENT_CODE = {m: i for i, m in enumerate(MOMENTS)}


class _Unusual(Exception):
    """The record holds something only the table path reads (or refuses) properly."""


class RecordFeatures:
    """A fitted FeatureBuilder's raw features of one record, without pandas.

    Parameters
    ----------
    builder : FeatureBuilder
        Fitted. Its schema, journey settings, instrument and observation end
        are read once here.

    Notes
    -----
    :meth:`compute` returns the raw features in the builder's output column
    order (``builder.get_feature_names_out()``), availability flags
    included, or ``None`` when the record needs the table path.
    """

    def __init__(self, builder: Any) -> None:
        groups = builder.feature_names_in_groups_
        self.columns: list[str] = builder._output_columns()
        position = {name: i for i, name in enumerate(self.columns)}
        self._slots = {
            group: [(position[c], c.removeprefix(group + "__")) for c in groups[group]]
            for group in groups
        }
        self._flags = {group: position[f"available__{group}"] for group in groups}
        behaviour = groups.get("behaviour", [])
        self._channels = _levels(behaviour, "channel")
        self._devices = _levels(behaviour, "device")
        self._event_types = _levels(behaviour, "event")
        self._settings = _touchpoints.journey_settings(builder.journey)
        self._taxonomy = dict(self._settings.taxonomy)
        self._default_end = builder.observation_end
        self._texts = builder.scorer is None or type(builder.scorer) is LexiconScorer
        self._survey = None
        instrument = builder.instrument
        if instrument is not None:
            items = list(instrument.item_names)
            at = {name: i for i, name in enumerate(items)}
            self._survey = {
                "instrument": instrument,
                "items": at,
                "low": np.array([item.low for item in instrument], dtype=np.float64),
                "high": np.array([item.high for item in instrument], dtype=np.float64),
                "sign": np.array([-1.0 if item.reverse else 1.0 for item in instrument]),
                "columns": {
                    d: np.array([at[i] for i in instrument.items_of(d)])
                    for d in instrument.dimensions
                },
                "max_missing_share": float(builder.max_missing_share),
                "ipsatize": bool(builder.ipsatize),
            }
        self._ends: dict[Any, int | None] = {}

    def compute(
        self,
        customer_id: Any,
        *,
        events: Any = None,
        survey: Any = None,
        emotions: Any = None,
        observation_end: Any = None,
    ) -> np.ndarray | None:
        """The record's raw feature row, or ``None`` when the table path must read it."""
        if not _plain_id(customer_id):
            return None
        row = np.full(len(self.columns), np.nan)
        try:
            if events is not None:
                self._behaviour(row, customer_id, events, observation_end)
            if survey is not None:
                self._psychographic(row, survey)
            if emotions is not None:
                self._emotion(row, customer_id, emotions)
        except _Unusual:
            return None
        for position in self._flags.values():
            if np.isnan(row[position]):
                row[position] = 0.0
        return row

    # ----------------------------------------------------------------- touchpoints

    def _behaviour(self, row: np.ndarray, customer_id: Any, events: Any, end: Any) -> None:
        if isinstance(events, Mapping) or not isinstance(events, (list, tuple)) or not events:
            raise _Unusual
        n = len(events)
        stamps, channels, types = [None] * n, [None] * n, [None] * n
        devices, sessions = [None] * n, [None] * n
        value, moment = np.full(n, np.nan), np.full(n, -1, dtype=np.int8)
        has_device = has_session = has_moment = False
        for i, event in enumerate(events):
            if type(event) is not dict:
                raise _Unusual
            if "customer_id" in event:
                _same_customer(event["customer_id"], customer_id, "events")
            stamps[i] = _stamp(event.get("timestamp"), nullable=False)
            channels[i] = _label(event.get("channel"))
            types[i] = _label(event.get("event_type"))
            if "device" in event:
                has_device = True
                devices[i] = _label(event["device"], nullable=True)
            if "session_id" in event:
                has_session = True
                sessions[i] = event["session_id"]
            if "moment" in event:
                has_moment = True
                moment[i] = _moment(event["moment"])
            if "value" in event:
                value[i] = _number(event["value"], None, None)  # a refund is negative
        if any(t not in self._taxonomy and m < 0 for t, m in zip(types, moment, strict=True)):
            raise _Unusual  # the table path warns about event types outside the taxonomy
        time = _times(stamps)
        end = self._end(end if end is not None else self._default_end, time)
        kept = time <= end
        if not kept.any():
            return  # nothing in the window: no behaviour, as for a table
        if not kept.all():
            keep = np.flatnonzero(kept).tolist()
            time, value, moment = time[kept], value[kept], moment[kept]
            channels, types = [channels[i] for i in keep], [types[i] for i in keep]
            devices, sessions = [devices[i] for i in keep], [sessions[i] for i in keep]
        channel, channel_levels = _codes(channels)
        event_type, event_levels = _codes(types)
        device, device_levels = _codes(devices) if has_device else (None, [])
        log = LogColumns(
            customer=np.zeros(len(time), dtype=np.int64),
            ids=np.array([customer_id], dtype=object),
            raw_ids=np.array([customer_id], dtype=object),
            time=time,
            channel=channel,
            channel_levels=channel_levels,
            device=device,
            device_levels=device_levels,
            event_type=event_type,
            event_levels=event_levels,
            value=value,
            session_id=_sessions(sessions) if has_session else None,
            end=end,
            moment=moment if has_moment else None,
        )
        sorted_log = SortedLog.from_columns(log, None)
        features = _touchpoints._features(
            sorted_log, self._channels, self._devices, self._event_types, self._settings
        )
        _fill(row, self._slots["behaviour"], features)
        row[self._flags["behaviour"]] = 1.0  # touchpoints counts every customer with one

    def _end(self, end: Any, time: np.ndarray) -> int:
        if end is None:
            return int(time.max())
        key = (type(end), end) if isinstance(end, (str, _dt.datetime)) else None
        cached = self._ends.get(key) if key is not None else None
        if cached is None:
            stamp = pd.Timestamp(end)
            if stamp.tz is not None:
                raise _Unusual  # the table path says the zones differ
            cached = int(stamp.to_datetime64().astype("datetime64[us]").view(np.int64))
            if key is not None:
                if len(self._ends) > 256:
                    self._ends.clear()
                self._ends[key] = cached
        return cached

    # ----------------------------------------------------------------- survey

    def _psychographic(self, row: np.ndarray, survey: Any) -> None:
        spec = self._survey
        if spec is None or type(survey) is not dict:
            raise _Unusual
        low, high = spec["low"], spec["high"]
        raw = np.full((1, len(low)), np.nan)
        at = spec["items"]
        for item, answer in survey.items():
            j = at.get(item)
            if j is None:
                raise _Unusual  # the table path names the unknown item
            value = _number(answer, low[j], high[j])
            if value == value and value != round(value):
                raise _Unusual
            raw[0, j] = value
        if np.isnan(raw).all():
            raise _Unusual  # no answer at all: the table path explains
        answers = _psychographic._Answers(
            ids=None, raw=raw, low=low, high=high, sign=spec["sign"], columns=spec["columns"]
        )
        features = _psychographic.feature_arrays(
            answers, spec["instrument"], spec["max_missing_share"], spec["ipsatize"]
        )
        slots = self._slots["psychographic"]
        _fill(row, slots, features, prefix="psychographic__")
        if any(not np.isnan(row[p]) for p, _ in slots):
            row[self._flags["psychographic"]] = 1.0

    # ----------------------------------------------------------------- emotions

    def _emotion(self, row: np.ndarray, customer_id: Any, readings: Any) -> None:
        if isinstance(readings, Mapping) or not isinstance(readings, (list, tuple)) or not readings:
            raise _Unusual
        n = len(readings)
        scores = np.full((n, len(_SCORES)), np.nan)
        stamps = [None] * n
        moment = np.full(n, -1, dtype=np.int8)
        taxonomy = self._taxonomy
        for i, reading in enumerate(readings):
            if type(reading) is not dict:
                raise _Unusual
            if "customer_id" in reading:
                _same_customer(reading["customer_id"], customer_id, "emotions")
            for j, name in enumerate(_SCORES):
                if name in reading:
                    scores[i, j] = _number(reading[name], *_RANGES[name])
            stamps[i] = _stamp(reading.get("timestamp"), nullable=True)
            given = _moment(reading.get("moment"))
            event_type = _label(reading.get("event_type"), nullable=True)
            if event_type is not None and event_type.strip() and event_type not in taxonomy:
                raise _Unusual  # the table path warns about it
            if given >= 0:
                moment[i] = given
            elif event_type in taxonomy:
                moment[i] = _MOMENT_CODE[taxonomy[event_type]]
            text = _label(reading.get("text"), nullable=True)
            written = text is not None and bool(text.strip())
            if np.isnan(scores[i]).all() and not written:
                raise _Unusual  # a reading with no signal: the table path refuses it
            if written and np.isnan(scores[i, 0]):
                if not self._texts:
                    raise _Unusual  # a custom scorer scores in batches, on the table path
                language = _label(reading.get("language"), nullable=True) or None
                # As the table path: the text gives valence, and arousal and emotions
                # where the reading has none of its own.
                own = scores[i]
                scores[i] = np.where(np.isnan(own), _text_scores(text, language), own)
        days = np.full(n, np.nan)
        timed = [i for i, s in enumerate(stamps) if s is not None]
        if timed:
            micros = _times([stamps[i] for i in timed])
            days[timed] = micros / 86_400e6
        features = _emotions.feature_arrays(
            np.zeros(n, dtype=np.intp), 1, days, scores[:, 0].copy(), scores[:, 1].copy(),
            np.ascontiguousarray(scores[:, 2:]), moment,
        )  # fmt: skip
        _fill(row, self._slots["emotion"], features)
        row[self._flags["emotion"]] = 1.0  # n_readings counts every customer with one


# --------------------------------------------------------------------------- reading values


def _plain_id(customer_id: Any) -> bool:
    if type(customer_id) is str:
        return True
    return is_whole(customer_id) and -(2**63) <= int(customer_id) < 2**63


def _same_customer(given: Any, customer_id: Any, name: str) -> None:
    if given != customer_id:
        from persona.errors import InputError

        raise InputError(
            "record", f"{name} carry another customer's id", column=name,
            fix="leave customer_id out of the rows, or give the record's own id.",
        )  # fmt: skip


def _missing(value: Any) -> bool:
    return value is None or (type(value) is float and value != value)


def _label(value: Any, *, nullable: bool = False) -> str | None:
    if type(value) is str and (nullable or value.strip()):
        return value
    if nullable and _missing(value):
        return None
    raise _Unusual


def _moment(value: Any) -> int:
    """Moment code of a ``moment`` field: -1 when empty, else it must be a moment."""
    if _missing(value):
        return -1
    if type(value) is not str:
        raise _Unusual
    if value in _MOMENT_CODE:
        return _MOMENT_CODE[value]
    if not value.strip():
        return -1
    raise _Unusual


def _number(value: Any, low: float | None, high: float | None) -> float:
    """A plain number within [low, high], NaN for a missing one."""
    kind = type(value)
    if kind is float or kind is int:  # the usual case, first
        number = float(value)
    elif value is None:
        return np.nan
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise _Unusual  # text and flags are for the table path to parse or refuse
    else:
        number = float(value)
    if not np.isfinite(number) and number == number:
        raise _Unusual
    if number != number:
        return np.nan
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Unusual
    return number


def _stamp(value: Any, *, nullable: bool) -> Any:
    """A timestamp numpy reads as pandas does: ISO text or a naive datetime."""
    if type(value) is str:
        if _ISO.fullmatch(value):
            return value
        raise _Unusual
    if isinstance(value, _dt.datetime) and value.tzinfo is None:
        if isinstance(value, pd.Timestamp) and value.nanosecond:
            raise _Unusual
        return value
    if nullable and _missing(value):
        return None
    raise _Unusual


def _times(stamps: list) -> np.ndarray:
    """Microseconds since the epoch of ISO texts or naive datetimes (one kind at a time)."""
    kinds = {type(s) is str for s in stamps}
    if len(kinds) > 1:
        raise _Unusual
    try:
        return np.array(stamps, dtype="datetime64[us]").view(np.int64)
    except (ValueError, TypeError, OverflowError):
        raise _Unusual from None  # not a real date: the table path names the row


def _codes(values: list) -> tuple[np.ndarray, list[str]]:
    """Codes by sorted level name (-1 for missing), as the table path numbers them."""
    levels = sorted({v for v in values if v is not None})
    if len(levels) >= 2**7:
        raise _Unusual
    at = {level: i for i, level in enumerate(levels)}
    return np.array([at.get(v, -1) for v in values], dtype=np.int8), levels


def _sessions(sessions: list) -> np.ndarray:
    """Session ids that compare as the table path's do (numbers as they are, text by rank)."""
    if all(type(s) is int for s in sessions):
        if not all(-(2**63) <= s < 2**63 for s in sessions):
            raise _Unusual
        return np.array(sessions, dtype=np.int64)
    if all(type(s) in (int, float) for s in sessions):
        numbers = np.array(sessions, dtype=np.float64)
        if np.isnan(numbers).any():
            raise _Unusual  # a missing session id: the table path refuses it
        return numbers
    if all(type(s) is str for s in sessions):
        levels = {s: i for i, s in enumerate(sorted(set(sessions)))}
        return np.array([levels[s] for s in sessions], dtype=np.int64)
    raise _Unusual


def _levels(columns: list[str], kind: str) -> list[str]:
    prefix = f"behaviour__share_{kind}_"
    return [c.removeprefix(prefix) for c in columns if c.startswith(prefix)]


def _fill(row: np.ndarray, slots: list, features: dict, *, prefix: str = "") -> None:
    """Each slot's value from the feature arrays (of one customer), by name."""
    for position, name in slots:
        values = features.get(prefix + name)
        if values is not None:
            row[position] = values[0]


@lru_cache(maxsize=4_096)
def _text_scores(text: str, language: str | None) -> np.ndarray:
    """The lexicon scores of a text (valence, arousal, emotions: the order of ``_SCORES``),
    remembered: services see the same texts often."""
    scores = np.array(comment_scores(text, language)[0])
    scores.flags.writeable = False  # shared by every call that remembers it
    return scores
