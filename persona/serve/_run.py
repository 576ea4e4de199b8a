"""``persona serve``: the service under uvicorn, in one process or several.

:func:`run` is what the command runs. Several worker processes each build their
app from the settings :func:`run` leaves in the environment. This module
touches its process: uvicorn, that environment variable, the warning filters
and the service's log handler on stderr.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import asdict
from typing import TYPE_CHECKING

from persona._optional import import_optional
from persona.serve._app import create_app
from persona.serve._settings import ServeSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["run"]

_WORKER_CONFIG = "_PERSONA_SERVE_CONFIG"  # how `run` hands its settings to worker processes


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
    uvicorn.run("persona.serve._run:_worker_app", factory=True, workers=workers, **common)


def _worker_app() -> FastAPI:
    config = json.loads(os.environ[_WORKER_CONFIG])
    _configure_logs()
    settings = ServeSettings(**config["settings"])
    return create_app(config["assigner"], settings, reload_on_sighup=True, require_artifact=True)


def _configure_logs() -> None:
    """The service's log lines on stderr, one JSON object each, as log collectors read them.

    The table path's warnings about event types outside the taxonomy are silenced: they
    quote what clients sent, and a service's records are not a curated table.
    """
    warnings.filterwarnings(
        "ignore", message=r"(events|emotions): .* not in the taxonomy", category=UserWarning
    )
    logger = logging.getLogger("persona.serve")  # the request lines come from persona.serve._app
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
