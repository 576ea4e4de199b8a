"""The service's edge: how it answers, the body limit, and bad requests as 4xx answers.

- :class:`JSONAnswer`: every answer's encoding (ASCII JSON);
- :class:`BodyLimit`: 413 for a body too large, 408 for one too slow;
- :class:`PersonaRejected` and :func:`add_error_handlers`: a record persona
  refused, or a body pydantic refused, as a 422 (a batch over its size as a 413)
  that names the field and never quotes the input.

Anything else a request raises is a bug: Starlette answers 500 and logs its
traceback. This module touches only the ASGI messages it is handed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from persona.serve._settings import ServeSettings

__all__ = ["BodyLimit", "JSONAnswer", "PersonaRejected", "add_error_handlers"]


class JSONAnswer(JSONResponse):
    """JSON in ASCII: a string with a lone surrogate ("\\ud800" is valid JSON) goes back escaped
    as it came, where UTF-8 cannot encode it (it was a 500)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(
            content, ensure_ascii=True, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("ascii")


# --------------------------------------------------------------------------- the body limit


class BodyLimit:
    """413 for a body over ``max_bytes`` (from Content-Length, and counted while reading);
    408 for a body still arriving ``timeout`` seconds after the request began."""

    def __init__(self, app, max_bytes: int, timeout: float) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            too_large = JSONAnswer({"detail": self._message()}, status_code=413)
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


# --------------------------------------------------------------------------- bad requests


class PersonaRejected(Exception):
    """persona refused a record: a 422 in pydantic's shape, with table, column, problem, fix."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__(item["msg"])
        self.item = item


_SHOWN_ERRORS = 20  # a 422 lists at most this many problems, then says how many more


def validation_failed(errors: list[dict[str, Any]], settings: ServeSettings) -> JSONAnswer:
    """pydantic's problems as a 422 (a batch over its size as a 413), without the inputs
    they quote: a refused body is not sent back to its client."""
    for error in errors:
        if error["type"] == "too_long" and tuple(error["loc"]) == ("body", "records"):
            got = error.get("ctx", {}).get("actual_length", "more")
            detail = f"a batch holds at most {settings.max_batch_records} records, got {got}"
            return JSONAnswer({"detail": detail}, status_code=413)
    shown = [
        {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors[:_SHOWN_ERRORS]
    ]
    if len(errors) > _SHOWN_ERRORS:
        more = len(errors) - _SHOWN_ERRORS
        shown.append({"loc": ["body"], "msg": f"and {more} more problems", "type": "more"})
    return JSONAnswer({"detail": shown}, status_code=422)


def add_error_handlers(app: FastAPI, settings: ServeSettings) -> None:
    """Answer a record persona refused, and a body pydantic refused, as a 422."""

    @app.exception_handler(PersonaRejected)
    async def _rejected(request: Request, error: PersonaRejected) -> JSONAnswer:
        return JSONAnswer(status_code=422, content={"detail": [error.item]})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONAnswer:
        return validation_failed(error.errors(), settings)
