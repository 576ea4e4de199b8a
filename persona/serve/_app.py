"""Personas over HTTP: the FastAPI application around an exported assigner.

Services that are not written in Python ask "which persona is this customer?"
at a touchpoint. :func:`create_app` puts :func:`~persona.assign_persona` and a
:class:`~persona.PortableAssigner` (``model.export_assigner(path)``) behind a
JSON API: ``POST /v1/assign``, ``POST /v1/assign/batch``, ``GET /v1/personas``,
``GET /v1/model``, ``GET /healthz``, ``GET /readyz`` and a token-guarded
``POST /admin/reload``. ``persona serve --assigner PATH`` runs it with uvicorn
(:mod:`._run`).

Robust at the edge: the body size, the records of a batch and the touchpoints
of a record are bounded; bad input is a 422 naming the field (pydantic's) or
the table, column, problem and fix (persona's own :class:`InputError`), never
a 500. A reload builds and verifies the new assigner fully and then replaces
one reference, so a request sees one assigner, and a bad artifact leaves the
old one serving. Each request logs one JSON line, without customer data.

This module wires the parts -- the request models (:mod:`._models`), the
endpoints (:mod:`._routes`), the edge (:mod:`._middleware`) and what is served
(:mod:`._state`) -- and writes the service's log. It reads the artifact folder
it is given; with ``reload_on_sighup`` it also tunes its process (SIGHUP, the
garbage collector, the GIL's switch interval).
"""

# No `from __future__ import annotations`: FastAPI reads the lifespan's annotations as objects.

import asyncio
import gc
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from persona.errors import PersonaError
from persona.serve._middleware import BodyLimit, JSONAnswer, add_error_handlers
from persona.serve._models import Problem, request_models
from persona.serve._routes import (
    add_assign_routes,
    add_info_routes,
    add_reload_route,
    document_bodies,
)
from persona.serve._settings import RELOAD_TOKEN_VARIABLE, ServeSettings
from persona.serve._state import State, version

__all__ = ["create_app"]

# The service's one log: a JSON line per request and per load or reload.
logger = logging.getLogger(__name__)


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
    state = State(Path(assigner))
    CustomerRecord, BatchRequest = request_models(settings)
    app = FastAPI(
        title="persona",
        summary="The persona of a customer at a touchpoint, from an exported assigner.",
        lifespan=_lifespan(state, server=reload_on_sighup, require_artifact=require_artifact),
        default_response_class=JSONAnswer,
        responses={
            400: {"model": Problem, "description": "The body cannot be read as JSON"},
            408: {"model": Problem, "description": "The body took too long to arrive"},
            413: {"model": Problem, "description": "Request body too large"},
        },
    )
    add_error_handlers(app, settings)
    add_assign_routes(app, state, CustomerRecord, BatchRequest, threadpool=_threadpool)
    add_info_routes(app, state)
    add_reload_route(app, state, token)
    document_bodies(app, CustomerRecord, BatchRequest)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    known = frozenset(route.path for route in app.routes)
    app.add_middleware(_AccessLog, state=state, paths=known)
    return app


# --------------------------------------------------------------------------- start and reload


def _lifespan(state: State, *, server: bool, require_artifact: bool):
    """The app's lifespan: load the artifact; in a ``server`` process of its own, also
    settle the process and reload on SIGHUP until the app stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            await run_in_threadpool(state.reload)
            logger.info(json.dumps({"event": "loaded", "model_version": version(state)}))
            if server:
                _settle_process()
        except PersonaError as error:  # the artifact's problem; a bug stops the start
            logger.error(json.dumps({"event": "load_failed", "reason": str(error)}))
            if require_artifact:
                raise
        if server:
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(_reload_logged(state)))
        yield
        if server:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    return lifespan


def _settle_process() -> None:
    """Tune a server process of its own, once the artifact is loaded."""
    # What the process holds now (libraries, the artifact) lives as long as it does: out of
    # the collector's sight, a full collection after a large body walks only the request's
    # objects (it took ~100 ms, stalling every request; benchmarks/hostile.py).
    gc.freeze()
    # A worker thread scoring a batch holds the GIL for up to the switch interval at a time,
    # and a /healthz needs it a few times: at 1 ms rather than 5, its p99 under a stream of
    # full batches fell from 26-27 ms to 21 ms, and the batches took no longer
    # (benchmarks/hostile.py).
    sys.setswitchinterval(0.001)


async def _reload_logged(state: State) -> None:
    """A SIGHUP's reload: there is no client to answer, so the outcome is logged."""
    try:
        await run_in_threadpool(state.reload)
        logger.info(json.dumps({"event": "reloaded", "model_version": version(state)}))
    except PersonaError as error:
        logger.error(json.dumps({"event": "reload_failed", "kept": version(state),
                                 "reason": str(error)}))  # fmt: skip


# --------------------------------------------------------------------------- the log


class _AccessLog:
    """One JSON line per request: method, path, status, latency, records, model version.

    Never the body, the query or a customer id: a path the app does not serve (which a
    client may have built from one) is logged as ``<other>``.
    """

    def __init__(self, app, state: State, paths: frozenset[str]) -> None:
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
                "model_version": notes.get("model_version", version(self.state)),
            }
            logger.info(json.dumps(line))
