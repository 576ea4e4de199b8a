"""Assigning one customer at a time: ``assign_persona`` and the portable assigner artifact.

A service asks "which persona is this customer, and why?" in the middle of a
request. :func:`assign_persona` answers from a *record* -- a mapping with a
``customer_id`` and any of ``events`` (a list of touchpoint dicts), ``survey``
(item -> answer), ``emotions`` (a list of readings), or ``features`` (feature
name -> raw value, as a feature store holds them) -- with the distilled
assigner of a fitted :class:`~persona.PersonaModel` or of an exported artifact.

One truth: a record is turned into features by the same arithmetic as a
table -- events, survey and emotions are read into the arrays the feature
functions work on (:mod:`persona.features.record`, no pandas per call; the
table path takes over for anything unusual, and raises its documented
errors), stored features are scaled in numpy as the builder scales a table
-- and scored by the same assigner arithmetic, so ``assign_persona``,
``model.predict`` and batch scoring give the same persona and the same
probabilities.

``model.export_assigner(path)`` writes what assignment needs -- feature
definitions and scaling, the assigner's parameters, persona names -- as JSON
and NPZ with a manifest of versions and checksums; :func:`load_assigner`
verifies it and loads it without unpickling anything.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from numbers import Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from persona._manifest import atomic_write, minor, package_version, read_manifest, sha256
from persona.assignment._assigner import UNASSIGNED, Assigner, finite_features, model_version
from persona.assignment._golden import GoldenQuestions
from persona.errors import InputError
from persona.features._labels import trait_label
from persona.features.builder import FeatureBuilder, with_observation_end
from persona.features.record import RecordFeatures

__all__ = [
    "Assignment",
    "PortableAssigner",
    "assign_persona",
    "assign_personas",
    "export_assigner",
    "load_assigner",
]

ARTIFACT_FORMAT = "persona-assigner"
ARTIFACT_VERSION = 1
_FIELDS = ("customer_id", "events", "survey", "emotions", "features", "observation_end")
_SIGNALS = ("events", "survey", "emotions")
_PLAIN_NUMBERS = {float, int, type(None), np.float64, np.float32, np.int64, np.int32}


@dataclass(frozen=True, slots=True)
class Assignment:
    """The persona of one customer, how sure the assigner is, and why.

    ``confidence`` is the probability of the persona given (``probabilities``
    has every persona's, and ``-1``'s): for a persona, the chance that it is
    the one the customer's whole record would get, for a record holding what
    this one holds (its signals and, with touchpoints, how many: 1, 2-3,
    4-10, 11+); ``model.assignment_report().evidence`` measures it. For
    ``persona_id`` -1 it is the unassigned share: 0 within some persona's
    reach, growing to 1 at ``max_distance`` reaches from the nearest, and 1
    for a record with no usable signal. It is a distance rule, not a
    probability of belonging to no persona (see :class:`~persona.assignment._assigner.Assigner`).
    """

    customer_id: Any
    persona_id: int
    name: str
    confidence: float
    probabilities: dict[int, float]
    reasons: list[dict[str, Any]]
    signals_used: tuple[str, ...]
    model_version: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (probability keys as strings)."""
        return {
            "customer_id": self.customer_id,
            "persona_id": self.persona_id,
            "name": self.name,
            "confidence": self.confidence,
            "probabilities": {str(k): v for k, v in self.probabilities.items()},
            "reasons": self.reasons,
            "signals_used": list(self.signals_used),
            "model_version": self.model_version,
        }


@dataclass
class PortableAssigner:
    """What assignment needs, without the discovery model: load it with :func:`load_assigner`."""

    builder: FeatureBuilder | None
    assigner: Assigner
    feature_names: list[str]
    persona_ids: np.ndarray
    names: dict[int, str]
    descriptions: dict[int, str]
    model_version: str
    manifest: dict[str, Any] = field(default_factory=dict)
    golden: Any = None
    drift_reference: dict[str, Any] | None = None  # the training base, for drift reports

    def predict_proba(self, X: Any = None, **tables: Any) -> pd.DataFrame:
        """Probabilities of each persona and of being unassigned (column -1), by customer."""
        frame = _matrix_of(self, X, tables)
        proba = self.assigner.predict_proba(frame.to_numpy(dtype=np.float64))
        columns = pd.Index([*self.persona_ids.tolist(), UNASSIGNED], name="persona_id")
        return pd.DataFrame(proba, index=frame.index, columns=columns)

    def predict(self, X: Any = None, **tables: Any) -> pd.Series:
        """The persona id of each customer (-1: unassigned)."""
        proba = self.predict_proba(X, **tables)
        best = proba.columns.to_numpy()[np.argmax(proba.to_numpy(), axis=1)]
        return pd.Series(best, index=proba.index, name="persona_id")


# --------------------------------------------------------------------------- assigning


def assign_persona(record: Mapping[str, Any], model: Any, *, top: int = 5) -> Assignment:
    """The persona of one customer, with confidence and reasons.

    Parameters
    ----------
    record : mapping
        ``customer_id`` and any of ``events`` (list of touchpoint dicts),
        ``survey`` (item -> answer), ``emotions`` (list of readings), or
        ``features`` (feature name -> raw value; NaN or None for missing).
        ``observation_end`` (optional) fixes the end of the observation
        window for touchpoint features; by default it is the record's latest
        touchpoint, as for a table of that one customer. Missing signals lower
        the confidence; invalid ones raise the batch path's errors.
    model : PersonaModel or PortableAssigner
    top : int, default=5
        Reasons to return: the features with the largest exact contribution
        to the persona's margin over the runner-up.

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> from persona import PersonaModel
    >>> data = make_customers(n_customers=1_500, random_state=0)
    >>> model = PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    >>> record = {"customer_id": 7, "features": {"behaviour__share_channel_app": 0.8}}
    >>> assignment = assign_persona(record, model)
    >>> assignment.signals_used, 0 <= assignment.confidence <= 1
    (('behaviour',), True)
    """
    parts = _parts(model)
    if _golden_only(record, parts):
        return _assign_golden(record, parts)
    customer_id, row, raw = _row_of(record, parts)
    proba, pattern_model, z, logits, imputed = parts.assigner.score_row(row)
    best = int(proba.argmax())
    persona_id = parts.ids_with_unassigned[best]
    probabilities = proba.tolist()
    return Assignment(
        customer_id=customer_id,
        persona_id=persona_id,
        name=parts.names.get(persona_id, "unassigned"),
        confidence=probabilities[best],
        probabilities=dict(zip(parts.ids_with_unassigned, probabilities, strict=True)),
        reasons=_reasons(pattern_model, z, logits, imputed, raw, parts, top),
        signals_used=() if pattern_model is None else pattern_model.groups,
        model_version=parts.version,
    )


def assign_personas(records: Iterable[Mapping[str, Any]], model: Any, *, top: int = 5) -> list:
    """:func:`assign_persona` for each record, in order."""
    return [assign_persona(record, model, top=top) for record in records]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class _Parts:
    builder: FeatureBuilder | None
    assigner: Assigner
    feature_names: list[str]
    persona_ids: np.ndarray
    names: dict[int, str]
    version: str
    index: dict[str, int]
    ids_with_unassigned: tuple[int, ...]
    traits: list[str]
    golden: Any = None
    record: RecordFeatures | None = None  # one record's raw features in numpy
    record_order: np.ndarray | None = None  # its columns in feature_names order, if they differ


def _parts(model: Any) -> _Parts:
    """The pieces assignment needs, from a fitted PersonaModel or a PortableAssigner.

    Kept on the model between calls (keyed by its version, persona ids and
    names), so a service pays for them once, not per request.
    """
    # The version covers the assigner's numbers and the persona ids; names and
    # golden questions are replaced, never edited in place, so their identity
    # tells whether they changed.
    names = getattr(model, "names_", getattr(model, "names", None))
    key = (
        getattr(model, "model_version_", None) or getattr(model, "model_version", None),
        id(names),
        None if names is None else len(names),
        id(getattr(model, "golden_", getattr(model, "golden", None))),
    )
    cached = getattr(model, "_assignment_parts", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if isinstance(model, PortableAssigner):
        builder, assigner, names = model.builder, model.assigner, model.feature_names
        ids, labels, version_ = model.persona_ids, model.names, model.model_version
        golden = model.golden
    elif hasattr(model, "assigner_"):
        builder, assigner = model.features_, model.assigner_
        names = [str(c) for c in model.feature_names_out_]
        ids, version_ = np.asarray(model.persona_ids_), model.model_version_
        labels = {int(p): str(n) for p, n in model.personas_["name"].items()}
        golden = getattr(model, "golden_", None)
    else:
        raise TypeError(
            f"Got a {type(model).__name__}; assign with a fitted PersonaModel or the "
            "PortableAssigner that persona.load_assigner returns."
        )
    record, order = None, None
    if builder is not None:
        record = RecordFeatures(builder)
        if record.columns != names:
            at = {n: i for i, n in enumerate(record.columns)}
            order = np.array([at[n] for n in names])
    parts = _Parts(
        builder, assigner, names, ids, labels, version_,
        {n: i for i, n in enumerate(names)}, (*ids.tolist(), UNASSIGNED),
        [trait_label(n) for n in names], golden, record, order,
    )  # fmt: skip
    model._assignment_parts = (key, parts)
    return parts


def _row_of(record: Mapping[str, Any], parts: _Parts) -> tuple[Any, np.ndarray, np.ndarray]:
    """Customer id, the weighted feature row and the raw feature row of a record."""
    customer_id = _checked_fields(record)
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


def _checked_fields(record: Any) -> Any:
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


_INT64 = (-(2**63), 2**63 - 1)


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


_FLOAT_MAX = float(np.finfo(np.float64).max)


def _golden_only(record: Any, parts: _Parts) -> bool:
    """A record whose survey answers only golden questions (a short onboarding survey)."""
    if parts.golden is None or not isinstance(record, Mapping):
        return False
    survey = record.get("survey")
    if not isinstance(survey, Mapping) or not survey or record.get("features") is not None:
        return False
    others = [k for k in ("events", "emotions") if record.get(k) is not None]
    if others and not parts.golden.with_behaviour:
        return False  # the full path uses every signal given; the short survey would drop some
    answered = {k for k, v in survey.items() if v is not None}
    return bool(answered) and answered <= set(parts.golden.items)


def _assign_golden(record: Mapping[str, Any], parts: _Parts) -> Assignment:
    """Score a short onboarding survey (plus behaviour, if the questions were chosen with it)."""
    customer_id = _checked_fields(record)
    golden = parts.golden
    answers = pd.DataFrame([{"customer_id": customer_id, **record["survey"]}])
    for item in golden.items:
        if item not in answers:
            answers[item] = np.nan
    behaviour, signals = None, ("golden_questions",)
    if golden.with_behaviour:
        rest = {k: v for k, v in record.items() if k != "survey"}
        _, row, _ = _row_of(rest, parts)
        columns = list(golden.behaviour_columns)
        values = row[[parts.index[c] for c in columns]]
        behaviour = pd.DataFrame([values], columns=columns, index=pd.Index([customer_id]))
        behaviour.index.name = "customer_id"
        if not np.isnan(values).all():
            signals = ("golden_questions", "behaviour")
    proba = golden.predict_proba(answers, behaviour).iloc[0]
    best = int(proba.idxmax())
    probabilities = {int(p): float(v) for p, v in proba.items()} | {UNASSIGNED: 0.0}
    return Assignment(
        customer_id=customer_id,
        persona_id=best,
        name=parts.names.get(best, "unassigned"),
        confidence=float(proba.max()),
        probabilities=probabilities,
        reasons=[],
        signals_used=signals,
        model_version=parts.version,
    )


def _stored_features(features: Any, parts: _Parts) -> np.ndarray:
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


def _finite_record(raw: np.ndarray, parts: _Parts, *, computed: bool = False) -> np.ndarray:
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
    record: Mapping[str, Any], customer_id: Any, signals: list[str], parts: _Parts
) -> np.ndarray:
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


def _reasons(
    model, z, logits, imputed: np.ndarray, raw: np.ndarray, parts: _Parts, top: int
) -> list[dict]:
    """The ``top`` features with the largest exact contribution to the margin of the
    chosen persona over the runner-up, among those the customer has.

    :func:`persona.assignment._explain.row_contributions`' numbers, computed on the pattern's
    own columns only (ties go to the earlier feature, as a stable sort would).
    ``imputed`` marks the pattern's columns the customer has no value for.
    """
    k = len(logits)
    if model is None or k < 2 or top <= 0:
        return []
    # The first largest logit and the first largest of the others (np.argmax's
    # choice): a stable sort of a handful of numbers, largest first.
    best, second = sorted(range(k), key=logits.tolist().__getitem__, reverse=True)[:2]
    terms = parts.assigner.coef_gap(model, best, second) * z
    ranking = np.abs(terms)
    np.negative(ranking, out=ranking)
    ranking[imputed] = 1.0  # missing and imputed: no reason
    order = ranking.argsort(kind="stable")[:top]
    chosen = model.columns[order]
    names, traits = parts.feature_names, parts.traits
    return [
        {
            "feature": names[j],
            "trait": traits[j],
            "value": round(v, 10),
            "contribution": c,
            "direction": "toward" if c > 0 else "away",
        }
        for j, c, v, gone in zip(
            chosen.tolist(),
            terms[order].tolist(),
            raw[chosen].tolist(),
            imputed[order].tolist(),
            strict=True,
        )
        if not gone  # a feature the customer has
    ]


def _matrix_of(portable: PortableAssigner, X: Any, tables: dict) -> pd.DataFrame:
    if X is not None and not isinstance(X, pd.DataFrame):
        raise TypeError("Got X that is not a DataFrame: pass a feature matrix or the tables.")
    if X is not None:
        missing = [c for c in portable.feature_names if c not in X.columns]
        if missing:
            raise ValueError(
                f"The feature matrix lacks {len(missing)} column(s), first {missing[:5]}."
            )
        return finite_features(X[portable.feature_names].astype(np.float64))
    if portable.builder is None:
        raise ValueError("This assigner scores feature matrices: pass X=.")
    tables = dict(tables)
    end = tables.pop("observation_end", None)
    builder = portable.builder if end is None else with_observation_end(portable.builder, end)
    return builder.transform(**tables)[portable.feature_names]


# --------------------------------------------------------------------------- the artifact


def export_assigner(model: Any, path: str | os.PathLike) -> Path:
    """Write the portable assigner of a fitted PersonaModel to the folder ``path``.

    ``assigner.json`` (feature definitions and scaling, the assigner's
    settings, the persona table), ``assigner.npz`` (the assigner's arrays) and
    ``manifest.json`` (versions, feature schema, persona table, SHA-256 of
    every file). Nothing in it is pickled.
    """
    parts = _parts(model)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    foreign = sorted(
        p.name for p in folder.iterdir()
        if p.name.removesuffix(".partial") not in {*_ARTIFACT_FILES, "manifest.json"}
    )  # fmt: skip
    if foreign:  # load_assigner refuses a folder holding files its manifest does not list
        raise ValueError(
            f"{folder} holds other files ({foreign[:5]}): export the assigner into an empty "
            "folder, or into the folder of an earlier export."
        )
    settings, arrays = parts.assigner.to_arrays()
    personas = [
        {"persona_id": int(p), "name": parts.names[int(p)],
         "description": str(model.personas_.loc[p, "description"])}
        for p in parts.persona_ids
    ]  # fmt: skip
    body = {
        "assigner": settings,
        "builder": None if parts.builder is None else parts.builder.to_state(),
        "feature_names": parts.feature_names,
        "personas": personas,
        "model_version": parts.version,
        "golden_questions": None if parts.golden is None else parts.golden.to_dict(),
        "drift_reference": getattr(model, "drift_reference_", None),
    }
    text = json.dumps(body, indent=1).encode("utf-8")
    atomic_write(folder / "assigner.json", lambda stream: stream.write(text))
    atomic_write(folder / "assigner.npz", lambda stream: np.savez(stream, **arrays))
    manifest = {
        "format": ARTIFACT_FORMAT,
        "format_version": ARTIFACT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "versions": {n: package_version(n) for n in ("persona", "numpy", "pandas")},
        "model_version": parts.version,
        "feature_schema": {
            g: [parts.feature_names[j] for j in c] for g, c in settings["groups"].items()
        },
        "personas": [{"persona_id": p["persona_id"], "name": p["name"]} for p in personas],
        "files": {n: sha256(folder / n) for n in _ARTIFACT_FILES},
    }
    text = json.dumps(manifest, indent=1).encode("utf-8")
    atomic_write(folder / "manifest.json", lambda stream: stream.write(text))
    return folder


_ARTIFACT_FILES = ("assigner.json", "assigner.npz")


def _check_belongs(folder: Path, assigner: Assigner, persona_ids, body, manifest) -> None:
    """The arrays, the settings and the persona table are one model's: the version is a hash
    of all of them, so arrays swapped in from another export (checksums updated) or an edited
    persona count no longer hash to the version the artifact states."""
    stated = body.get("model_version")
    if len(persona_ids) != assigner.n_personas_ or len(body["feature_names"]) != (
        assigner.n_features_in_
    ):
        raise ValueError(
            f"{folder}: the persona table ({len(persona_ids)} personas) or the feature names "
            f"({len(body['feature_names'])}) do not fit the arrays ({assigner.n_personas_} "
            f"personas, {assigner.n_features_in_} features). Export the assigner again."
        )
    found = model_version(assigner, persona_ids)
    if not found == stated == manifest["model_version"]:
        raise ValueError(
            f"{folder}: the assigner's numbers hash to model version {found}, but the artifact "
            f"says {stated} (manifest: {manifest['model_version']}): its files come from "
            "different exports. Export the assigner again."
        )


def load_assigner(path: str | os.PathLike) -> PortableAssigner:
    """Load an exported assigner after verifying its manifest; nothing is unpickled.

    Raises
    ------
    ValueError
        If the folder is not an assigner artifact, a file does not match its
        checksum, or it was written by another persona version.
    """
    folder = Path(path)
    manifest = read_manifest(
        folder,
        ARTIFACT_FORMAT,
        ARTIFACT_VERSION,
        missing="is not a persona assigner: it has no manifest.json. Write one with "
        "model.export_assigner(path).",
        altered="the artifact was altered or damaged after it was written.",
        files=_ARTIFACT_FILES,
        damaged="Export the assigner again with model.export_assigner(path).",
        keys=("versions", "model_version"),
        only_listed=True,
    )
    versions = manifest["versions"]
    saved = versions.get("persona", "?") if isinstance(versions, Mapping) else "?"
    installed = package_version("persona")
    if minor(saved) != minor(installed):
        raise ValueError(
            f"{folder} was written by persona {saved}, and this is persona {installed}: feature "
            f"definitions may differ. Install persona=={saved} or export the assigner again."
        )
    body = json.loads((folder / "assigner.json").read_text(encoding="utf-8"))
    with np.load(folder / "assigner.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    try:
        assigner = Assigner.from_arrays(body["assigner"], arrays)
    except ValueError as error:
        raise ValueError(f"{folder}: {error}. Export the assigner again.") from error
    builder = None if body["builder"] is None else FeatureBuilder.from_state(body["builder"])
    personas = body["personas"]
    persona_ids = np.array([p["persona_id"] for p in personas], dtype=np.int64)
    _check_belongs(folder, assigner, persona_ids, body, manifest)
    return PortableAssigner(
        builder=builder,
        assigner=assigner,
        feature_names=list(body["feature_names"]),
        persona_ids=persona_ids,
        names={int(p["persona_id"]): p["name"] for p in personas},
        descriptions={int(p["persona_id"]): p["description"] for p in personas},
        model_version=body["model_version"],
        manifest=manifest,
        golden=None
        if body.get("golden_questions") is None
        else GoldenQuestions.from_dict(body["golden_questions"]),
        drift_reference=body.get("drift_reference"),
    )
