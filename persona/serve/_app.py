"""Personas over HTTP: a small FastAPI service around an exported assigner.

Services that are not written in Python ask "which persona is this customer?"
at a touchpoint. :func:`create_app` puts :func:`~persona.assign_persona` and a
:class:`~persona.PortableAssigner` (``model.export_assigner(path)``) behind a
JSON API: ``POST /v1/assign``, ``POST /v1/assign/batch``, ``GET /v1/personas``,
``GET /v1/model``, ``GET /healthz``, ``GET /readyz`` and a token-guarded
``POST /admin/reload``. ``persona serve --assigner PATH`` runs it with uvicorn.

Robust at the edge: the body size, the records of a batch and the touchpoints
of a record are bounded; bad input is a 422 naming the field (pydantic's) or
the table, column, problem and fix (persona's own :class:`InputError`), never
a 500. A reload builds and verifies the new assigner fully and then replaces
one reference, so a request sees one assigner, and a bad artifact leaves the
old one serving. Each request logs one JSON line, without customer data.

Needs ``pip install 'persona-segments[serve]'`` (FastAPI and uvicorn). This module
touches nothing else: it reads the artifact folder it is given.
"""

# No `from __future__ import annotations`: the request models are built per app, from its
# settings, inside create_app, and FastAPI reads the routes' annotations as the objects.

import asyncio
import gc
import hmac
import json
import logging
import math
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from persona._optional import import_optional

import_optional("fastapi", extra="serve", purpose="persona's HTTP service")

from fastapi import FastAPI, Request  # noqa: E402
from fastapi.exceptions import RequestValidationError  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from pydantic import (  # noqa: E402
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import PydanticCustomError  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402

from persona.assignment._artifact import PortableAssigner, assign_persona, load_assigner  # noqa: E402
from persona.errors import InputError  # noqa: E402

__all__ = ["ServeSettings", "create_app", "run"]

logger = logging.getLogger(__name__)

RELOAD_TOKEN_VARIABLE = "PERSONA_RELOAD_TOKEN"
_WORKER_CONFIG = "_PERSONA_SERVE_CONFIG"  # how `run` hands its settings to worker processes

# --------------------------------------------------------------------------- the contract

# Whole numbers a float64 holds exactly (a 400-digit integer overflowed float() into a 500);
# customer ids as int64, as the tables hold them.
Number = Annotated[StrictInt, Field(ge=-(2**53), le=2**53)] | StrictFloat
CustomerId = Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)] | StrictStr


class Touchpoint(BaseModel):
    """One row of the ``events`` table; other columns pass through, as in a table."""

    model_config = ConfigDict(extra="allow")
    timestamp: StrictStr = Field(description="ISO 8601, without a zone")
    channel: StrictStr
    event_type: StrictStr
    device: StrictStr | None = None
    value: Number | None = None
    session_id: CustomerId | None = None
    moment: StrictStr | None = None


def _request_models(settings: "ServeSettings") -> tuple[type[BaseModel], type[BaseModel]]:
    """The record and batch bodies, bounded by ``settings``.

    Each list's and map's length is checked before any of its items (``_at_most``), and
    ``fail_fast`` stops a list at its first bad item: a body of 100,000 empty events is
    refused in milliseconds with one error, not after validating every item (16 s, and an
    error per item). ``max_length`` says the same limits in the OpenAPI schema.
    """

    class Reading(BaseModel):
        """One row of the ``emotions`` table: scores and/or a text."""

        model_config = ConfigDict(extra="forbid", title="Reading")
        timestamp: StrictStr | None = None
        event_type: StrictStr | None = None
        moment: StrictStr | None = None
        valence: Number | None = None
        arousal: Number | None = None
        joy: Number | None = None
        trust: Number | None = None
        fear: Number | None = None
        surprise: Number | None = None
        sadness: Number | None = None
        disgust: Number | None = None
        anger: Number | None = None
        anticipation: Number | None = None
        text: StrictStr | None = Field(None, max_length=settings.max_text_chars)
        language: StrictStr | None = None

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


# --------------------------------------------------------------------------- settings, state


@dataclass(frozen=True)
class ServeSettings:
    """What the service accepts. The defaults suit records of a few hundred touchpoints.

    Parameters
    ----------
    max_body_bytes : int
        Larger request bodies are refused with 413 (from Content-Length, and
        while reading a body sent without one).
    max_batch_records : int
        A batch of more records is refused with 413.
    max_touchpoints : int
        A record with more events, or more emotion readings, is refused with
        422 (``loc`` names the list).
    max_text_chars : int
        An emotion reading's ``text`` of more characters is refused with 422.
        Scoring text costs about 1.6 ms per 1,000 characters (benchmarks/text.py).
    max_fields : int
        A record with more survey answers, or more stored features, is refused
        with 422.
    body_timeout : float
        Seconds a client may take to send its whole body; a slower one gets 408.
    reload_token : str or None
        The token ``POST /admin/reload`` wants (``Authorization: Bearer
        TOKEN``); None: read ``PERSONA_RELOAD_TOKEN``; empty: reload over HTTP
        is off (404).
    """

    max_body_bytes: int = 8 * 1024 * 1024
    max_batch_records: int = 1_000
    max_touchpoints: int = 10_000
    max_text_chars: int = 10_000
    max_fields: int = 10_000
    body_timeout: float = 30.0
    reload_token: str | None = None


@dataclass(frozen=True)
class _Served:
    """What one request uses, start to end: replaced whole by a reload, never edited."""

    assigner: PortableAssigner
    loaded_at: float


class _State:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.served: _Served | None = None
        self.lock = threading.Lock()  # one reload at a time; requests never wait on it

    def reload(self) -> _Served:
        """Load and verify the artifact at ``path``, warm it, then swap one reference.

        Raises ValueError (altered, incompatible or missing artifact) and keeps
        what was served.
        """
        with self.lock:
            try:
                assigner = load_assigner(self.path)
            except (OSError, KeyError, TypeError) as error:
                problem = f"{self.path} could not be read as an assigner: {error}"
                raise ValueError(problem) from error
            _warm(assigner)
            served = _Served(assigner, time.time())
            self.served = served
            return served


def _warm(assigner: PortableAssigner) -> None:
    """Score a real record before serving: it builds the per-model parts assign_persona keeps
    (so the first request is fast), and an artifact whose numbers cannot score anyone is
    refused here rather than blamed on the first client as a 422."""
    median = assigner.assigner.median_.tolist()
    record = {"customer_id": 0, "features": dict(zip(assigner.feature_names, median, strict=True))}
    try:
        probabilities = assign_persona(record, assigner).probabilities.values()
    except (InputError, ValueError, IndexError, KeyError, TypeError) as error:
        raise ValueError(f"{assigner.model_version}: scoring a record failed: {error}") from error
    if not all(map(math.isfinite, probabilities)):
        raise ValueError(f"{assigner.model_version}: scoring a record gave non-finite numbers")


# --------------------------------------------------------------------------- the app


def create_app(
    assigner: str | os.PathLike,
    settings: ServeSettings | None = None,
    *,
    reload_on_sighup: bool = False,
    require_artifact: bool = False,
    _threadpool: bool = False,
) -> FastAPI:
    """The HTTP service of the assigner exported to the folder ``assigner``.

    The artifact is loaded and verified when the app starts (its lifespan);
    until then, or if it fails verification, ``/readyz`` and the assignment
    endpoints answer 503 -- or, with ``require_artifact``, the start fails
    (what lets uvicorn's supervisor keep its old workers when a restart meets
    a bad artifact). ``reload_on_sighup`` reloads it on SIGHUP (only in the
    main thread of a server process, as ``persona serve`` runs it), and moves
    what the process holds once the artifact is loaded out of the garbage
    collector's sight (``gc.freeze``) and shortens the interval at which threads
    hand over the GIL to 1 ms (``sys.setswitchinterval``), so the event loop
    waits less behind a worker thread.

    Examples
    --------
    >>> app = create_app("assigner/")
    >>> sorted(r.path for r in app.routes if r.path.startswith("/v1"))
    ['/v1/assign', '/v1/assign/batch', '/v1/model', '/v1/personas']
    """
    settings = settings or ServeSettings()
    token = settings.reload_token
    if token is None:
        token = os.environ.get(RELOAD_TOKEN_VARIABLE, "")
    state = _State(Path(assigner))
    CustomerRecord, BatchRequest = _request_models(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            await run_in_threadpool(state.reload)
            logger.info(json.dumps({"event": "loaded", "model_version": _version(state)}))
            if reload_on_sighup:  # a server process of its own, as persona serve runs it
                # What the process holds now (libraries, the artifact) lives as long as it
                # does: out of the collector's sight, a full collection after a large body
                # walks only the request's objects (it took ~100 ms, stalling every request;
                # benchmarks/hostile.py).
                gc.freeze()
                # A worker thread scoring a batch holds the GIL for up to the switch
                # interval at a time, and a /healthz needs it a few times: at 1 ms rather
                # than 5, its p99 under a stream of full batches fell from 26-27 ms to
                # 21 ms, and the batches took no longer (benchmarks/hostile.py).
                sys.setswitchinterval(0.001)
        except ValueError as error:
            logger.error(json.dumps({"event": "load_failed", "reason": str(error)}))
            if require_artifact:
                raise
        if reload_on_sighup:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(_reload_logged()))
        yield
        if reload_on_sighup:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    async def _reload_logged() -> None:
        try:
            await run_in_threadpool(state.reload)
            logger.info(json.dumps({"event": "reloaded", "model_version": _version(state)}))
        except ValueError as error:
            logger.error(json.dumps({"event": "reload_failed", "kept": _version(state),
                                     "reason": str(error)}))  # fmt: skip

    app = FastAPI(
        title="persona",
        summary="The persona of a customer at a touchpoint, from an exported assigner.",
        lifespan=lifespan,
        default_response_class=_JSON,
        responses={
            400: {"model": Problem, "description": "The body cannot be read as JSON"},
            408: {"model": Problem, "description": "The body took too long to arrive"},
            413: {"model": Problem, "description": "Request body too large"},
        },
    )

    @app.exception_handler(_PersonaRejected)
    async def _rejected(request: Request, error: _PersonaRejected) -> _JSON:
        return _JSON(status_code=422, content={"detail": [error.item]})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> _JSON:
        return _validation_failed(error.errors(), settings)

    async def call(function, record, *args):
        # A record of stored features or survey answers is microseconds of numpy: inline.
        # Touchpoints and texts can be tens of milliseconds: off the event loop, so that
        # /healthz and every other request keep answering meanwhile.
        if _threadpool or record.events is not None or record.emotions is not None:
            return await run_in_threadpool(function, record, *args)
        return function(record, *args)

    failures = {
        422: {"model": ValidationProblem, "description": "Invalid record"},
        503: {"model": Problem, "description": "No verified assigner loaded"},
    }

    @app.post("/v1/assign", response_model=AssignmentOut, responses=failures,
              openapi_extra=_body_schema(CustomerRecord))  # fmt: skip
    async def assign(request: Request):
        """The persona of one customer, with confidence, reasons and the model version."""
        served = _current(state)
        record = await _read(request, CustomerRecord)
        request.state.records = 1
        request.state.model_version = served.assigner.model_version
        # Inline (no threadpool hop): ~0.05-1.5 ms of numpy; see benchmarks/README.md.
        result = await call(_assign_one, record, served.assigner, ())
        return _JSON(result)

    @app.post(
        "/v1/assign/batch",
        response_model=BatchOut,
        responses={**failures, 413: {"model": Problem, "description": "Too many records"}},
        openapi_extra=_body_schema(BatchRequest),
    )
    async def assign_batch(request: Request):
        """Several customers at once: all assigned, or a 422 naming the first bad record."""
        served = _current(state)
        request.state.model_version = served.assigner.model_version
        body = await request.body()
        # A batch can hold seconds of work: reading its ten thousand touchpoints, scoring
        # them, encoding a megabyte of answer and freeing it all again, each tens of
        # milliseconds of the GIL. All of it off the event loop, whatever _threadpool says.
        answer, records = await run_in_threadpool(
            _batch_answer, body, BatchRequest, served.assigner
        )
        request.state.records = records  # at most max_batch_records (413 above it)
        return answer

    @app.get("/v1/personas", response_model=PersonasOut, responses={503: failures[503]})
    async def personas():
        """The personas the artifact holds: id, name and description."""
        assigner = _current(state).assigner
        return {
            "model_version": assigner.model_version,
            "personas": [
                {"persona_id": int(p), "name": assigner.names[int(p)],
                 "description": assigner.descriptions.get(int(p), "")}
                for p in assigner.persona_ids
            ],
        }  # fmt: skip

    @app.get("/v1/model", response_model=ModelOut, responses={503: failures[503]})
    async def model():
        """The model version and the artifact's manifest (versions, feature schema, checksums)."""
        served = _current(state)
        return {
            "model_version": served.assigner.model_version,
            "loaded_at": served.loaded_at,
            "manifest": served.assigner.manifest,
        }

    @app.get("/healthz", response_model=Status)
    async def healthz():
        """The process answers."""
        return {"status": "alive"}

    @app.get("/readyz", response_model=Status, responses={503: {"model": Status}})
    async def readyz():
        """A verified assigner is loaded (503 otherwise)."""
        if state.served is None:
            return _JSON({"status": "not ready"}, status_code=503)
        return {"status": "ready", "model_version": state.served.assigner.model_version}

    @app.post(
        "/admin/reload",
        response_model=Status,
        responses={
            403: {"model": Problem, "description": "Missing or wrong token"},
            404: {"model": Problem, "description": "Reload over HTTP is off (no token set)"},
            409: {"model": Problem, "description": "The new artifact failed; the old one serves"},
        },
    )
    async def reload(request: Request):
        """Load the artifact again (``Authorization: Bearer $PERSONA_RELOAD_TOKEN``)."""
        if not token:
            raise HTTPException(404, f"reload over HTTP is off: set {RELOAD_TOKEN_VARIABLE}")
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise HTTPException(403, "missing or wrong reload token")
        try:
            served = await run_in_threadpool(state.reload)
        except ValueError as error:
            kept = _version(state)
            raise HTTPException(409, f"{error} Still serving model {kept}.") from error
        request.state.model_version = served.assigner.model_version
        return {"status": "reloaded", "model_version": served.assigner.model_version}

    _document_bodies(app, CustomerRecord, BatchRequest)
    app.add_middleware(_BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    known = frozenset(route.path for route in app.routes)
    app.add_middleware(_AccessLog, state=state, paths=known)
    return app


# A body this large is parsed and validated off the event loop: 8 MiB of JSON was ~25 ms of
# C code (json.loads, then validation) on the loop, a /healthz pause of up to 66 ms under the
# heaviest body the limits allow. A smaller body stays inline: ~0.1 ms, less than the hop.
# (pydantic's own JSON parser was tried: 2-3x slower than json.loads on 100,000 empty events.)
_PARSED_INLINE_BYTES = 64 * 1024


async def _read(request: Request, model: type[BaseModel]) -> BaseModel:
    """The request's JSON body as ``model``, or a 422 in FastAPI's shape (``loc`` from "body")."""
    body = await request.body()
    if len(body) <= _PARSED_INLINE_BYTES:
        return _parsed(body, model)
    return await run_in_threadpool(_parsed, body, model)


def _parsed(body: bytes, model: type[BaseModel]) -> BaseModel:
    """What FastAPI does with a JSON body, in whichever thread calls it."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        problem = {"type": "json_invalid", "loc": ("body", error.pos), "msg": "JSON decode error"}
        raise RequestValidationError([problem]) from None
    except (ValueError, RecursionError):  # not UTF-8, or nested deeper than Python recurses
        raise HTTPException(400, "the request body cannot be read as JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        raise RequestValidationError(
            [{**problem, "loc": ("body", *problem["loc"])} for problem in problems]
        ) from None


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of a route that reads ``model`` itself (``_read``)."""
    reference = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": reference}}}
    }


def _document_bodies(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put ``models`` and the models they use among the OpenAPI document's components: FastAPI
    lists only what its routes declare as parameters, and these routes read their bodies."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            components = document.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
        return app.openapi_schema

    app.openapi = openapi


def _current(state: _State) -> _Served:
    served = state.served  # one read: a reload cannot change it under this request
    if served is None:
        # Not the artifact's path: a client has no business knowing the server's folders.
        raise HTTPException(503, "no verified assigner is loaded; see the server's log")
    return served


def _version(state: _State) -> str | None:
    return None if state.served is None else state.served.assigner.model_version


# --------------------------------------------------------------------------- assigning


class _PersonaRejected(Exception):
    """persona refused a record: a 422 in pydantic's shape, with table, column, problem, fix."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__(item["msg"])
        self.item = item


def _assign_one(record: BaseModel, assigner: PortableAssigner, at: tuple) -> dict[str, Any]:
    loc = ["body", *at]
    # exclude_unset: what the client sent, as sent -- an absent optional column stays absent
    # (the table contract reads "no device column" and "device: null" differently).
    plain = record.model_dump(exclude_unset=True)
    try:
        return assign_persona(plain, assigner).to_dict()
    except InputError as error:
        where = [error.table] if error.table != "record" else []
        column = [error.column] if error.column else []
        raise _PersonaRejected({
            "loc": [*loc, *where, *column], "msg": str(error), "type": "persona.input_error",
            "table": error.table, "column": error.column, "problem": error.problem,
            "fix": error.fix,
        }) from error  # fmt: skip
    except (ValueError, TypeError, Warning) as error:
        # A Warning arrives as an exception only where the host turned warnings into errors.
        raise _PersonaRejected({
            "loc": loc, "msg": str(error), "type": "persona.invalid", "table": "record",
            "problem": str(error), "fix": "correct the record as the message says.",
        }) from error  # fmt: skip


def _assign_many(records: list[BaseModel], assigner: PortableAssigner) -> list[dict[str, Any]]:
    return [_assign_one(record, assigner, ("records", i)) for i, record in enumerate(records)]


def _batch_answer(
    body: bytes, model: type[BaseModel], assigner: PortableAssigner
) -> tuple[JSONResponse, int]:
    """A batch body's response, made in the thread that calls it, and its records' number:
    the records are read, scored and freed there, and only the encoded answer leaves."""
    records = _parsed(body, model).records
    assignments = _assign_many(records, assigner)
    answer = _JSON({"model_version": assigner.model_version, "assignments": assignments})
    return answer, len(records)


class _JSON(JSONResponse):
    """JSON in ASCII: a string with a lone surrogate ("\\ud800" is valid JSON) goes back escaped
    as it came, where UTF-8 cannot encode it (it was a 500)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("ascii")


_SHOWN_ERRORS = 20  # a 422 lists at most this many problems, then says how many more


def _validation_failed(errors: list[dict[str, Any]], settings: ServeSettings) -> _JSON:
    """pydantic's problems as a 422 (a batch over its size as a 413), without the inputs
    they quote: a refused body is not sent back to its client."""
    for error in errors:
        if error["type"] == "too_long" and tuple(error["loc"]) == ("body", "records"):
            got = error.get("ctx", {}).get("actual_length", "more")
            detail = f"a batch holds at most {settings.max_batch_records} records, got {got}"
            return _JSON({"detail": detail}, status_code=413)
    shown = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors[:_SHOWN_ERRORS]
    ]
    if len(errors) > _SHOWN_ERRORS:
        more = len(errors) - _SHOWN_ERRORS
        shown.append({"loc": ["body"], "msg": f"and {more} more problems", "type": "more"})
    return _JSON({"detail": shown}, status_code=422)


# --------------------------------------------------------------------------- middleware


class _BodyLimit:
    """413 for a body over ``max_bytes`` (from Content-Length, and counted while reading);
    408 for a body still arriving ``timeout`` seconds after the request began."""

    def __init__(self, app, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            too_large = _JSON({"detail": self._message()}, status_code=413)
            return await too_large(scope, receive, send)
        seen, complete = 0, False
        deadline = asyncio.get_running_loop().time() + self.timeout

        async def counted():
            nonlocal seen, complete
            if complete:  # after the body, receive() waits for a disconnect: no deadline
                return await receive()
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), timeout=max(remaining, 0.0))
            except TimeoutError:
                # FastAPI re-raises HTTPExceptions met while reading the body.
                raise HTTPException(
                    408, f"the request body did not arrive within {self.timeout:g} s"
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._message())
                complete = not message.get("more_body", False)
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"


class _AccessLog:
    """One JSON line per request: method, path, status, latency, records, model version.

    Never the body, the query or a customer id: a path the app does not serve (which a
    client may have built from one) is logged as ``<other>``.
    """

    def __init__(self, app, state: _State, paths: frozenset[str]) -> None:
        self.app, self.state, self.paths = app, state, paths

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500
        scope.setdefault("state", {})

        async def sending(message: Mapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            notes = scope["state"]
            line = {
                "method": scope["method"],
                "path": scope["path"] if scope["path"] in self.paths else "<other>",
                "status": status,
                "latency_ms": round((time.perf_counter() - started) * 1000, 3),
                "records": notes.get("records", 0),
                "model_version": notes.get("model_version", _version(self.state)),
            }
            logger.info(json.dumps(line))


# --------------------------------------------------------------------------- running


def run(
    assigner: str | os.PathLike,
    settings: ServeSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    graceful_timeout: float = 10.0,
) -> None:
    """Serve with uvicorn until SIGINT / SIGTERM (what ``persona serve`` runs).

    On SIGTERM uvicorn stops accepting connections and lets in-flight requests
    finish, for at most ``graceful_timeout`` seconds. With one worker, SIGHUP
    reloads the artifact as ``POST /admin/reload`` does; with several, uvicorn's
    supervisor replaces the workers one by one on SIGHUP, and a worker that
    cannot verify the artifact does not start, so the old ones keep serving.
    """
    uvicorn = import_optional("uvicorn", extra="serve", purpose="persona serve")
    settings = settings or ServeSettings()
    _configure_logs()
    common = {"host": host, "port": port, "access_log": False, "log_level": "warning",
              "timeout_graceful_shutdown": graceful_timeout}  # fmt: skip
    if workers == 1:
        uvicorn.run(create_app(assigner, settings, reload_on_sighup=True), **common)
        return
    # Several processes need an import string; the settings travel in the environment.
    os.environ[_WORKER_CONFIG] = json.dumps(
        {"assigner": str(assigner), "settings": asdict(settings)}
    )
    uvicorn.run("persona.serve._app:_worker_app", factory=True, workers=workers, **common)


def _worker_app() -> FastAPI:
    config = json.loads(os.environ[_WORKER_CONFIG])
    _configure_logs()
    settings = ServeSettings(**config["settings"])
    return create_app(config["assigner"], settings, reload_on_sighup=True, require_artifact=True)


def _configure_logs() -> None:
    """The request lines on stderr, one JSON object each, as log collectors read them.

    The table path's warnings about event types outside the taxonomy are silenced: they
    quote what clients sent, and a service's records are not a curated table.
    """
    warnings.filterwarnings(
        "ignore", message=r"(events|emotions): .* not in the taxonomy", category=UserWarning
    )
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
