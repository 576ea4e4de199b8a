"""The service's endpoints: reading a body, assigning its records, and the routes.

``POST /v1/assign`` and ``/v1/assign/batch`` read their bodies themselves
(parsed off the event loop when large) and hand each record to
:func:`persona.assignment.assign_persona`; ``GET /v1/personas``, ``/v1/model``,
``/healthz``, ``/readyz`` describe what is served; ``POST /admin/reload``
reloads it. The routes touch only the :class:`~._state.State` they are given.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations as the objects.

import hmac
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from persona.assignment import PortableAssigner, assign_persona
from persona.errors import InputError, PersonaError
from persona.serve._middleware import JSONAnswer, PersonaRejected
from persona.serve._models import (
    AssignmentOut,
    BatchOut,
    ModelOut,
    PersonasOut,
    Problem,
    Status,
    ValidationProblem,
)
from persona.serve._settings import RELOAD_TOKEN_VARIABLE
from persona.serve._state import State, current, version

__all__ = ["add_assign_routes", "add_info_routes", "add_reload_route", "document_bodies"]

# --------------------------------------------------------------------------- bodies

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


def document_bodies(app: FastAPI, *models: type[BaseModel]) -> None:
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


# --------------------------------------------------------------------------- assigning


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
        raise PersonaRejected({
            "loc": [*loc, *where, *column], "msg": str(error), "type": "persona.input_error",
            "table": error.table, "column": error.column, "problem": error.problem,
            "fix": error.fix,
        }) from error  # fmt: skip
    except (ValueError, Warning) as error:
        # Every PersonaError is a ValueError; a plain one is still how the features report an
        # observation_end they cannot read (pandas' date parser). A Warning arrives as an
        # exception only where the host turned warnings into errors. Anything else is a bug:
        # a 500, its traceback logged.
        raise PersonaRejected({
            "loc": loc, "msg": str(error), "type": "persona.invalid", "table": "record",
            "problem": str(error), "fix": "correct the record as the message says.",
        }) from error  # fmt: skip


def _batch_answer(
    body: bytes, model: type[BaseModel], assigner: PortableAssigner
) -> tuple[JSONAnswer, int]:
    """A batch body's response, made in the thread that calls it, and its records' number:
    the records are read, scored and freed there, and only the encoded answer leaves."""
    records = _parsed(body, model).records
    assignments = [_assign_one(r, assigner, ("records", i)) for i, r in enumerate(records)]
    answer = JSONAnswer({"model_version": assigner.model_version, "assignments": assignments})
    return answer, len(records)


# --------------------------------------------------------------------------- routes

_FAILURES = {
    422: {"model": ValidationProblem, "description": "Invalid record"},
    503: {"model": Problem, "description": "No verified assigner loaded"},
}


def add_assign_routes(
    app: FastAPI,
    state: State,
    record_model: type[BaseModel],
    batch_model: type[BaseModel],
    *,
    threadpool: bool = False,
) -> None:
    """``POST /v1/assign`` and ``POST /v1/assign/batch``."""

    @app.post("/v1/assign", response_model=AssignmentOut, responses=_FAILURES,
              openapi_extra=_body_schema(record_model))  # fmt: skip
    async def assign(request: Request):
        """The persona of one customer, with confidence, reasons and the model version."""
        served = current(state)
        record = await _read(request, record_model)
        request.state.records = 1
        request.state.model_version = served.assigner.model_version
        # A record of stored features or survey answers is microseconds of numpy: inline
        # (no threadpool hop; see benchmarks/README.md). Touchpoints and texts can be tens
        # of milliseconds: off the event loop, so /healthz and every other request answer.
        if threadpool or record.events is not None or record.emotions is not None:
            return JSONAnswer(await run_in_threadpool(_assign_one, record, served.assigner, ()))
        return JSONAnswer(_assign_one(record, served.assigner, ()))

    @app.post(
        "/v1/assign/batch",
        response_model=BatchOut,
        responses={**_FAILURES, 413: {"model": Problem, "description": "Too many records"}},
        openapi_extra=_body_schema(batch_model),
    )
    async def assign_batch(request: Request):
        """Several customers at once: all assigned, or a 422 naming the first bad record."""
        served = current(state)
        request.state.model_version = served.assigner.model_version
        body = await request.body()
        # A batch can hold seconds of work: reading its ten thousand touchpoints, scoring
        # them, encoding a megabyte of answer and freeing it all again, each tens of
        # milliseconds of the GIL. All of it off the event loop, whatever threadpool says.
        answer, records = await run_in_threadpool(_batch_answer, body, batch_model, served.assigner)
        request.state.records = records  # at most max_batch_records (413 above it)
        return answer


def add_info_routes(app: FastAPI, state: State) -> None:
    """``GET /v1/personas``, ``/v1/model``, ``/healthz`` and ``/readyz``."""

    @app.get("/v1/personas", response_model=PersonasOut, responses={503: _FAILURES[503]})
    async def personas():
        """The personas the artifact holds: id, name and description."""
        assigner = current(state).assigner
        return {
            "model_version": assigner.model_version,
            "personas": [
                {"persona_id": int(p), "name": assigner.names[int(p)],
                 "description": assigner.descriptions.get(int(p), "")}
                for p in assigner.persona_ids
            ],
        }  # fmt: skip

    @app.get("/v1/model", response_model=ModelOut, responses={503: _FAILURES[503]})
    async def model():
        """The model version and the artifact's manifest (versions, feature schema, checksums)."""
        served = current(state)
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
        served = state.served
        if served is None:
            return JSONAnswer({"status": "not ready"}, status_code=503)
        return {"status": "ready", "model_version": served.assigner.model_version}


def add_reload_route(app: FastAPI, state: State, token: str) -> None:
    """``POST /admin/reload``, guarded by ``token`` (off, a 404, when it is empty)."""

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
        except PersonaError as error:  # the artifact's problem: the old one keeps serving
            raise HTTPException(409, f"{error} Still serving model {version(state)}.") from error
        request.state.model_version = served.assigner.model_version
        return {"status": "reloaded", "model_version": served.assigner.model_version}
