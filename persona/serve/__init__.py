"""``persona serve``: assign_persona over HTTP (needs ``persona[serve]``).

:func:`create_app` builds the FastAPI application around an exported assigner;
:func:`run` starts it with uvicorn, as ``persona serve`` does.
"""

from persona.serve._app import ServeSettings, create_app, run

__all__ = ["ServeSettings", "create_app", "run"]
