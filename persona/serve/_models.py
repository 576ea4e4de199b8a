"""The service's HTTP contract: pydantic models of its request and response bodies.

The request models mirror persona's data contract instead of restating it: a
touchpoint's required fields are the ``events`` table's required columns
(:data:`persona.contract.REQUIRED_COLUMNS`), and an emotion reading's scores
are valence, arousal and :data:`persona.contract.EMOTIONS`, so a column or an
emotion the contract gains is a field here too, not a 422. The bodies' sizes
are bounded by :class:`~persona.serve.ServeSettings`.

This module only defines models (and builds them per app); it touches nothing.
The routes (:mod:`._routes`) read bodies into them and answer with them.
"""

# No `from __future__ import annotations`: pydantic and FastAPI read these annotations as the
# objects, and the request models are built per app, from its settings.

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    create_model,
)
from pydantic_core import PydanticCustomError

from persona.contract import EMOTIONS, REQUIRED_COLUMNS
from persona.serve._settings import ServeSettings

__all__ = [
    "AssignmentOut",
    "BatchOut",
    "CustomerId",
    "ErrorItem",
    "ModelOut",
    "Number",
    "PersonaOut",
    "PersonasOut",
    "Problem",
    "Status",
    "Touchpoint",
    "ValidationProblem",
    "reading_model",
    "request_models",
]

# Whole numbers a float64 holds exactly (a 400-digit integer overflowed float() into a 500);
# customer ids as int64, as the tables hold them.
Number = Annotated[StrictInt, Field(ge=-(2**53), le=2**53)] | StrictFloat
CustomerId = Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)] | StrictStr

# --------------------------------------------------------------------------- rows of a table

_ID = "customer_id"  # a record carries the customer's id once; its rows do not repeat it
# How a required column reads over HTTP, where it is not plain text.
_REQUIRED_FIELDS = {"timestamp": (StrictStr, Field(description="ISO 8601, without a zone"))}
# The scores of a reading besides the contract's discrete emotions.
_DIMENSIONS = ("valence", "arousal")


def _row_model(
    name: str,
    table: str,
    optional: Mapping[str, tuple],
    *,
    doc: str,
    extra: str,
    required: Sequence[str] | None = None,
) -> type[BaseModel]:
    """A model of one row of ``table``: its required columns (but the id) as required fields,
    text unless ``_REQUIRED_FIELDS`` says otherwise, then the ``optional`` ones."""
    columns = REQUIRED_COLUMNS[table] if required is None else required
    fields = {c: _REQUIRED_FIELDS.get(c, (StrictStr, ...)) for c in columns if c != _ID}
    fields.update({c: field for c, field in optional.items() if c not in fields})
    config = ConfigDict(extra=extra, title=name)
    return create_model(name, __config__=config, __doc__=doc, __module__=__name__, **fields)


def touchpoint_model(required: Sequence[str] | None = None) -> type[BaseModel]:
    """One row of the ``events`` table; ``required`` defaults to the contract's columns."""
    optional = {
        "device": (StrictStr | None, None),
        "value": (Number | None, None),
        "session_id": (CustomerId | None, None),
        "moment": (StrictStr | None, None),
    }
    doc = "One row of the ``events`` table; other columns pass through, as in a table."
    return _row_model("Touchpoint", "events", optional, doc=doc, extra="allow", required=required)


def reading_model(max_text_chars: int, emotions: Sequence[str] | None = None) -> type[BaseModel]:
    """One row of the ``emotions`` table, scoring valence, arousal and ``emotions`` (by
    default the contract's :data:`~persona.contract.EMOTIONS`), with a text of at most
    ``max_text_chars`` characters.

    >>> Reading = reading_model(100, emotions=(*EMOTIONS, "awe"))
    >>> Reading.model_validate({"awe": 0.4, "valence": -0.2}).awe
    0.4
    """
    scores = (*_DIMENSIONS, *(EMOTIONS if emotions is None else emotions))
    optional = {
        "timestamp": (StrictStr | None, None),
        "event_type": (StrictStr | None, None),
        "moment": (StrictStr | None, None),
        **{score: (Number | None, None) for score in scores},
        "text": (StrictStr | None, Field(None, max_length=max_text_chars)),
        "language": (StrictStr | None, None),
    }
    doc = "One row of the ``emotions`` table: scores and/or a text."
    return _row_model("Reading", "emotions", optional, doc=doc, extra="forbid")


Touchpoint = touchpoint_model()

# --------------------------------------------------------------------------- request bodies


def request_models(settings: ServeSettings) -> tuple[type[BaseModel], type[BaseModel]]:
    """The record and batch bodies, bounded by ``settings``.

    Each list's and map's length is checked before any of its items (``_at_most``), and
    ``fail_fast`` stops a list at its first bad item: a body of 100,000 empty events is
    refused in milliseconds with one error, not after validating every item (16 s, and an
    error per item). ``max_length`` says the same limits in the OpenAPI schema.
    """
    Reading = reading_model(settings.max_text_chars)
    many = {"fail_fast": True}
    rows, fields = _at_most(settings.max_touchpoints), _at_most(settings.max_fields)

    class CustomerRecord(BaseModel):
        """One customer at a touchpoint: an id and any of the three signals, or stored
        features."""

        model_config = ConfigDict(extra="forbid", title="CustomerRecord")
        customer_id: CustomerId
        events: Annotated[list[Touchpoint] | None, rows] = Field(
            None, max_length=settings.max_touchpoints, **many
        )
        survey: Annotated[dict[str, Number | None] | None, fields] = Field(
            None, max_length=settings.max_fields, description="item -> answer"
        )
        emotions: Annotated[list[Reading] | None, rows] = Field(
            None, max_length=settings.max_touchpoints, **many
        )
        features: Annotated[dict[str, Number | None] | None, fields] = Field(
            None, max_length=settings.max_fields,
            description="feature name -> raw value; null for missing",
        )  # fmt: skip
        observation_end: StrictStr | None = Field(
            None, description="end of the touchpoint window (default: the latest touchpoint)"
        )

    class BatchRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", title="BatchRequest")
        records: Annotated[list[CustomerRecord], _at_most(settings.max_batch_records)] = Field(
            max_length=settings.max_batch_records, **many
        )

    return CustomerRecord, BatchRequest


def _at_most(limit: int) -> BeforeValidator:
    """A length check that runs before pydantic reads a single item of the list or map."""

    def check(value: Any) -> Any:
        if isinstance(value, (list, dict)) and len(value) > limit:
            raise PydanticCustomError(
                "too_long",
                "should have at most {max_length} items, not {actual_length}",
                {"max_length": limit, "actual_length": len(value)},
            )
        return value

    return BeforeValidator(check)


# --------------------------------------------------------------------------- responses


class AssignmentOut(BaseModel):
    customer_id: CustomerId
    persona_id: int = Field(description="-1: unassigned")
    name: str
    confidence: float = Field(
        description="the probability of persona_id: for a persona, the chance that it is the "
        "one the customer's whole record would get, given what this record holds; for -1, the "
        "unassigned share (0 within a persona's reach, 1 far from every persona or with no "
        "usable signal)"
    )
    probabilities: dict[str, float] = Field(description="persona id (as text) -> probability")
    reasons: list[dict[str, Any]]
    signals_used: list[str]
    model_version: str


class BatchOut(BaseModel):
    model_version: str
    assignments: list[AssignmentOut]


class PersonaOut(BaseModel):
    persona_id: int
    name: str
    description: str


class PersonasOut(BaseModel):
    model_version: str
    personas: list[PersonaOut]


class ModelOut(BaseModel):
    model_version: str
    loaded_at: float = Field(description="Unix time the artifact was loaded and verified")
    manifest: dict[str, Any]


class Status(BaseModel):
    status: str
    model_version: str | None = None


class Problem(BaseModel):
    detail: str


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    table: str | None = None
    column: str | None = None
    problem: str | None = None
    fix: str | None = None


class ValidationProblem(BaseModel):
    detail: list[ErrorItem]
