"""A record read into the assigner's feature row: checked, computed or scaled, in numpy.

A *record* is a mapping with a ``customer_id`` and any of ``events`` (a list
of touchpoint dicts), ``survey`` (item -> answer), ``emotions`` (a list of
readings), or ``features`` (feature name -> raw value, as a feature store
holds them). One truth: it is turned into features by the same arithmetic as
a table -- events, survey and emotions are read into the arrays the feature
functions work on (:mod:`persona.features.record`, no pandas per call; the
table path takes over for anything unusual, and raises its documented
errors), stored features are scaled in numpy as the builder scales a table.
Every mistake in a record is an :class:`~persona.errors.InputError` naming the
field and the fix. This module reads the record and the prepared parts; it
writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from persona.assignment._portable import AssignmentParts
from persona.errors import InputError
from persona.features.builder import with_observation_end

__all__ = ["checked_fields", "row_of"]

_FIELDS = ("customer_id", "events", "survey", "emotions", "features", "observation_end")
_SIGNALS = ("events", "survey", "emotions")
_PLAIN_NUMBERS = {float, int, type(None), np.float64, np.float32, np.int64, np.int32}
_INT64 = (-(2**63), 2**63 - 1)
_FLOAT_MAX = float(np.finfo(np.float64).max)


def row_of(record: Mapping[str, Any], parts: AssignmentParts) -> tuple[Any, np.ndarray, np.ndarray]:
    """Customer id, the weighted feature row and the raw feature row of a record."""
    customer_id = checked_fields(record)
    # An empty list of touchpoints or readings, or an empty survey, is no signal of that kind.
    raw_signals = [k for k in _SIGNALS if _given(record.get(k))]
    try:
        if record.get("features") is not None:
            if raw_signals:
                raise InputError(
                    "record", f"has both features and {raw_signals}",
                    fix="give either stored features or the raw signals, not both.",
                )  # fmt: skip
            raw = _finite_record(_stored_features(record["features"], parts), parts)
        else:
            raw = _computed_features(record, customer_id, raw_signals, parts)
            raw = _finite_record(raw, parts, computed=True)
    except OverflowError as error:  # an integer too large for a float64
        where = _too_large(record)
        raise InputError(
            "record", f"holds a number too large for a float64 ({where})",
            column=where.split("[", 1)[0], fix="give numbers within +-1.8e308.",
        ) from error  # fmt: skip
    if parts.builder is None:
        return customer_id, raw, raw
    return customer_id, parts.builder.scale_rows(raw), raw


def checked_fields(record: Any) -> Any:
    """The record's customer id, once the record is a mapping of known fields."""
    if type(record) is not dict and not isinstance(record, Mapping):
        raise InputError(
            "record", f"got a {type(record).__name__}, not a mapping",
            fix="pass a dict with customer_id and any of events, survey, emotions, features.",
        )  # fmt: skip
    unknown = [k for k in record if k not in _FIELDS]
    if unknown:
        raise InputError(
            "record", f"has unknown field(s) {sorted(map(str, unknown))}",
            fix=f"use only {list(_FIELDS)}.",
        )  # fmt: skip
    customer_id = record.get("customer_id")
    if customer_id is None:
        raise InputError("record", "has no customer_id", column="customer_id",
                         fix="give every record the customer's id.")  # fmt: skip
    return _checked_id(customer_id)


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, (list, tuple, dict)) and not value)


def _checked_id(customer_id: Any) -> Any:
    """The tables' id rule for one record: a whole number within int64 or a text that
    UTF-8 can encode (a bool, a float, NaN or a dict is no id)."""
    if isinstance(customer_id, np.integer) and not isinstance(customer_id, np.bool_):
        customer_id = int(customer_id)
    if type(customer_id) is int and _INT64[0] <= customer_id <= _INT64[1]:
        return customer_id
    if isinstance(customer_id, str) and customer_id:
        try:
            customer_id.encode("utf-8")
        except UnicodeEncodeError:
            shown = customer_id.encode("utf-8", "backslashreplace").decode("ascii", "replace")
            raise InputError(
                "record", f"has a customer_id that is not text UTF-8 can encode ({shown[:40]})",
                column="customer_id", fix="give ids as whole numbers or plain text.",
            ) from None  # fmt: skip
        return customer_id
    shown = repr(customer_id)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise InputError(
        "record", f"has a customer_id of type {type(customer_id).__name__} ({shown})",
        column="customer_id",
        fix="give ids as whole numbers within int64 or as non-empty text, as in the tables.",
    )  # fmt: skip


def _too_large(record: Mapping[str, Any]) -> str:
    """Where the first number too large for a float64 sits in a record (the error path)."""
    for name in ("features", "survey"):
        values = record.get(name)
        if isinstance(values, Mapping):
            for key, value in values.items():
                if isinstance(value, int) and abs(value) > _FLOAT_MAX:
                    return f"{name}[{key!r}]"
    for name in ("events", "emotions"):
        rows = record.get(name)
        if isinstance(rows, Iterable) and not isinstance(rows, (str, Mapping)):
            for i, row in enumerate(rows):
                if isinstance(row, Mapping):
                    for key, value in row.items():
                        if isinstance(value, int) and abs(value) > _FLOAT_MAX:
                            return f"{name}[{i}][{key!r}]"
    return "somewhere in the record"


def _stored_features(features: Any, parts: AssignmentParts) -> np.ndarray:
    """The raw feature row of a feature-store record, in the model's feature order."""
    if type(features) is not dict and not isinstance(features, Mapping):
        raise InputError("record", "features is not a mapping", column="features",
                         fix="give features as {feature name: value}.")  # fmt: skip
    if len(features) == len(parts.feature_names):
        names, values = list(features.keys()), list(features.values())
        # A feature-store row in the model's own order, numbers or None: one conversion.
        if names == parts.feature_names and set(map(type, values)) <= _PLAIN_NUMBERS:
            return np.array(values, dtype=np.float64)
    raw = np.full(len(parts.feature_names), np.nan)
    unknown, malformed = [], []
    for name, value in features.items():
        position = parts.index.get(name)
        if position is None:
            unknown.append(name)
        elif value is None:
            continue
        elif (
            type(value) is float
            or type(value) is int
            or (  # the common cases, fast
                isinstance(value, Real) and not isinstance(value, bool)
            )
        ):
            raw[position] = float(value)
        else:
            malformed.append(f"{name}={value!r:.40}")
    if unknown:
        raise InputError(
            "record", f"{len(unknown)} unknown feature(s), first {sorted(map(str, unknown))[:5]}",
            column="features",
            fix="use the model's feature names (model.feature_names_out_), e.g. "
            f"{parts.feature_names[0]!r}.",
        )  # fmt: skip
    if malformed:
        raise InputError(
            "record", f"{len(malformed)} feature value(s) are not numbers: {malformed[:5]}",
            column="features", fix="give numbers, or None / NaN for a missing value.",
        )  # fmt: skip
    return raw


def _finite_record(
    raw: np.ndarray, parts: AssignmentParts, *, computed: bool = False
) -> np.ndarray:
    """``raw`` itself, once it holds no infinite value."""
    infinite = np.isinf(raw)
    if infinite.any():
        names = [parts.feature_names[j] for j in np.flatnonzero(infinite)]
        if computed:  # two purchases of 1.7e308 sum to inf
            raise InputError(
                "record", f"gives {len(names)} infinite feature(s) {names[:5]}: its numbers "
                "are so large that their sums overflow a float64",
                fix="check the record's values (money amounts, scores) for corrupt numbers.",
            )  # fmt: skip
        raise InputError(
            "record", f"{len(names)} feature value(s) are infinite: {names[:5]}",
            column="features", fix="give finite numbers, or None / NaN for a missing value.",
        )  # fmt: skip
    return raw


def _computed_features(
    record: Mapping[str, Any], customer_id: Any, signals: list[str], parts: AssignmentParts
) -> np.ndarray:
    """The raw feature row of a record's events, survey and emotions."""
    if parts.builder is None:
        raise InputError(
            "record", "has raw signals, but this model was fitted on a feature matrix",
            fix="give the record's features instead.",
        )  # fmt: skip
    if not signals:  # nothing to go on: scored as no signal (unassigned)
        return np.full(len(parts.feature_names), np.nan)
    raw = parts.record.compute(
        customer_id,
        **{name: record[name] if name in signals else None for name in _SIGNALS},
        observation_end=record.get("observation_end"),
    )
    if raw is not None:
        return raw if parts.record_order is None else raw[parts.record_order]
    # Something only the table path reads, or refuses with its documented error.
    tables = {}
    for name in signals:
        value = record[name]
        if name == "survey":
            if not isinstance(value, Mapping):
                raise InputError("record", "survey is not a mapping", column="survey",
                                 fix="give the survey as {item: answer}.")  # fmt: skip
            # A record may leave skipped questions out; the table contract wants every item.
            items = [] if parts.builder.instrument is None else parts.builder.instrument.item_names
            table = pd.DataFrame([{"customer_id": customer_id, **dict.fromkeys(items), **value}])
        else:
            if isinstance(value, Mapping) or not isinstance(value, Iterable):
                raise InputError("record", f"{name} is not a list of readings", column=name,
                                 fix=f"give {name} as a list of dicts.")  # fmt: skip
            table = pd.DataFrame(list(value))
            if "customer_id" in table and not (table["customer_id"] == customer_id).all():
                raise InputError(
                    "record", f"{name} carry another customer's id", column=name,
                    fix="leave customer_id out of the rows, or give the record's own id.",
                )  # fmt: skip
            table["customer_id"] = customer_id
        tables[name] = table
    builder = parts.builder
    end = record.get("observation_end")
    if end is not None:
        builder = with_observation_end(builder, end)
    raw = builder.compute(**tables)
    if raw.empty:  # every touchpoint after the window, and nothing else: no signal
        return np.full(len(parts.feature_names), np.nan)
    return raw[parts.feature_names].to_numpy(dtype=np.float64)[0]
