"""Stages of long work, logged as they start and end with their time.

``persona fit`` and ``persona demo`` show the ``persona`` loggers on stderr,
so a user sees what a minute of silence is spent on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stage(log: logging.Logger, name: str) -> Iterator[None]:
    """Log ``name ...`` on entry and ``name done in N s`` on a normal exit."""
    log.info("%s ...", name)
    started = time.perf_counter()
    yield
    log.info("%s done in %.1f s", name, time.perf_counter() - started)
