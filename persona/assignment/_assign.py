"""Assigning one customer at a time: :func:`assign_persona` and the :class:`Assignment`.

A service asks "which persona is this customer, and why?" in the middle of a
request. :func:`assign_persona` answers from a *record* (see
:mod:`persona.assignment._record`) with the distilled assigner of a fitted
:class:`~persona.PersonaModel` or of an exported artifact
(:class:`~persona.assignment._portable.PortableAssigner`), scored by the
assigner's one-row form (:func:`persona.assignment._score.score_row`): the
same persona and the same probabilities as ``model.predict`` and batch
scoring, bit for bit, and the reasons :mod:`persona.assignment._reasons`
picks. A record whose survey answers only the golden questions is typed by
them. This module reads the record and the model; it writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from persona.assignment._assigner import UNASSIGNED
from persona.assignment._fitting import PatternModel
from persona.assignment._portable import AssignmentParts, assignment_parts
from persona.assignment._reasons import reason, top_reasons
from persona.assignment._record import checked_fields, row_of
from persona.assignment._score import score_row

if TYPE_CHECKING:  # pragma: no cover
    from persona.assignment._portable import PortableAssigner
    from persona.model import PersonaModel


__all__ = ["Assignment", "assign_persona", "assign_personas"]


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


def assign_persona(
    record: Mapping[str, Any],
    model: PersonaModel | PortableAssigner | AssignmentParts,
    *,
    top: int = 5,
) -> Assignment:
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
    model : PersonaModel, PortableAssigner or AssignmentParts
        The parts (:func:`~persona.assignment.assignment_parts`) are what
        assignment reads of either, prepared once.
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
    parts = assignment_parts(model)
    if _golden_only(record, parts):
        return _assign_golden(record, parts)
    customer_id, row, raw = row_of(record, parts)
    proba, pattern_model, z, logits, imputed = score_row(parts.scoring, row)
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


def assign_personas(
    records: Iterable[Mapping[str, Any]],
    model: PersonaModel | PortableAssigner | AssignmentParts,
    *,
    top: int = 5,
) -> list[Assignment]:
    """:func:`assign_persona` for each record, in order."""
    return [assign_persona(record, model, top=top) for record in records]


def _golden_only(record: Any, parts: AssignmentParts) -> bool:
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


def _assign_golden(record: Mapping[str, Any], parts: AssignmentParts) -> Assignment:
    """Score a short onboarding survey (plus behaviour, if the questions were chosen with it)."""
    customer_id = checked_fields(record)
    golden = parts.golden
    answers = pd.DataFrame([{"customer_id": customer_id, **record["survey"]}])
    for item in golden.items:
        if item not in answers:
            answers[item] = np.nan
    behaviour, signals = None, ("golden_questions",)
    if golden.with_behaviour:
        rest = {k: v for k, v in record.items() if k != "survey"}
        _, row, _ = row_of(rest, parts)
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


def _reasons(
    model: PatternModel | None,
    z: np.ndarray,
    logits: np.ndarray,
    imputed: np.ndarray,
    raw: np.ndarray,
    parts: AssignmentParts,
    top: int,
) -> list[dict]:
    """The ``top`` features with the largest exact contribution to the margin of the
    chosen persona over the runner-up, among those the customer has.

    :func:`persona.assignment._explain.contributions`' numbers, computed on the
    pattern's own columns only; ``imputed`` marks the pattern's columns the
    customer has no value for.
    """
    k = len(logits)
    if model is None or k < 2 or top <= 0:
        return []
    # The first largest logit and the first largest of the others (np.argmax's
    # choice): a stable sort of a handful of numbers, largest first.
    best, second = sorted(range(k), key=logits.tolist().__getitem__, reverse=True)[:2]
    terms = (model.coef[best] - model.coef[second]) * z
    order = top_reasons(terms, top, missing=imputed)
    chosen = model.columns[order]
    names, traits = parts.feature_names, parts.traits
    return [
        reason(names[j], traits[j], round(v, 10), c)
        for j, c, v in zip(
            chosen.tolist(), terms[order].tolist(), raw[chosen].tolist(), strict=True
        )
    ]
