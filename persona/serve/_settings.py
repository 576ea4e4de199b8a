"""What the HTTP service accepts: the limits on a request and the reload token.

:class:`ServeSettings` is read by every other module of :mod:`persona.serve`
(the request models, the body limit, the app and ``persona serve``); this
module holds only that frozen dataclass and the name of the token's variable,
and touches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RELOAD_TOKEN_VARIABLE", "ServeSettings"]

RELOAD_TOKEN_VARIABLE = "PERSONA_RELOAD_TOKEN"


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
