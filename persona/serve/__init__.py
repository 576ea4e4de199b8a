"""``persona serve``: assign_persona over HTTP (needs ``persona-segments[serve]``).

:func:`create_app` builds the FastAPI application around an exported assigner;
:func:`run` starts it with uvicorn, as ``persona serve`` does; :class:`ServeSettings`
bounds what it accepts.

The private modules, lowest first: ``_settings`` (the limits), ``_models`` (the
HTTP bodies, generated from :mod:`persona.contract`), ``_state`` (the served
assigner and its reload), ``_middleware`` (answers, the body limit, 4xx
answers), ``_routes`` (the endpoints), ``_app`` (the app factory and the
service's log) and ``_run`` (uvicorn).
"""

from persona._optional import import_optional

import_optional("fastapi", extra="serve", purpose="persona's HTTP service")

from persona.serve._app import create_app  # noqa: E402
from persona.serve._run import run  # noqa: E402
from persona.serve._settings import ServeSettings  # noqa: E402

__all__ = ["ServeSettings", "create_app", "run"]
