"""What the service serves: the verified assigner, and how a reload replaces it.

A reload loads the artifact folder it was given, verifies it, scores a record
with it and only then replaces one reference, so a request sees one assigner
from start to end and a bad artifact leaves the old one serving. This module
reads that folder and nothing else.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException

from persona.assignment import PortableAssigner, assign_persona, load_assigner
from persona.errors import ArtifactError, PersonaError

__all__ = ["Served", "State", "current", "version"]


@dataclass(frozen=True)
class Served:
    """What one request uses, start to end: replaced whole by a reload, never edited."""

    assigner: PortableAssigner
    loaded_at: float


class State:
    """The artifact's folder and what is served from it (None until a load succeeds)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.served: Served | None = None
        self.lock = threading.Lock()  # one reload at a time; requests never wait on it

    def reload(self) -> Served:
        """Load and verify the artifact at ``path``, warm it, then swap one reference.

        Raises :class:`~persona.errors.ArtifactError` (altered, incompatible,
        missing or unusable artifact) and keeps what was served.
        """
        with self.lock:
            assigner = self._load()
            _warm(assigner)
            served = Served(assigner, time.time())
            self.served = served
            return served

    def _load(self) -> PortableAssigner:
        try:
            return load_assigner(self.path)
        except PersonaError:
            raise
        except ValueError as error:
            # load_assigner documents ValueError for a folder that is no usable artifact.
            raise ArtifactError(str(error)) from error
        except (OSError, KeyError, TypeError) as error:
            problem = f"{self.path} could not be read as an assigner: {error}"
            raise ArtifactError(problem) from error


def _warm(assigner: PortableAssigner) -> None:
    """Score a real record before serving: it builds the per-model parts assign_persona keeps
    (so the first request is fast), and an artifact whose numbers cannot score anyone is
    refused here rather than blamed on the first client as a 422."""
    median = assigner.assigner.median_.tolist()
    record = {"customer_id": 0, "features": dict(zip(assigner.feature_names, median, strict=True))}
    try:
        probabilities = assign_persona(record, assigner).probabilities.values()
    except (ValueError, IndexError, KeyError, TypeError) as error:  # would fail every client
        problem = f"{assigner.model_version}: scoring a record failed: {error}"
        raise ArtifactError(problem) from error
    if not all(map(math.isfinite, probabilities)):
        raise ArtifactError(f"{assigner.model_version}: scoring a record gave non-finite numbers")


def current(state: State) -> Served:
    """What ``state`` serves now, or a 503 while nothing verified is loaded."""
    served = state.served  # one read: a reload cannot change it under this request
    if served is None:
        # Not the artifact's path: a client has no business knowing the server's folders.
        raise HTTPException(503, "no verified assigner is loaded; see the server's log")
    return served


def version(state: State) -> str | None:
    """The model version ``state`` serves, or None."""
    return None if state.served is None else state.served.assigner.model_version
