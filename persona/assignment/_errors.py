"""The assignment package's input errors, in the words callers already match on.

:class:`~persona.errors.InputError` writes its message as ``table.column: problem``.
The messages of this package predate it, and callers (tests, services) match
on them, so :func:`input_error` gives an InputError its fields (``table``,
``column``) and keeps the message as written. It touches nothing else.
"""

from __future__ import annotations

from persona.errors import InputError

__all__ = ["input_error"]


def input_error(table: str, message: str, *, column: str | None = None) -> InputError:
    """An :class:`~persona.errors.InputError` about ``table`` whose message is ``message``.

    >>> str(input_error("survey", "Got survey without the item column(s) ['q1'].", column="q1"))
    "Got survey without the item column(s) ['q1']."
    """
    error = InputError(table, message, column=column)
    error.args = (message,)
    return error
