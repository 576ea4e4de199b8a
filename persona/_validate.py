"""One validator for parameters: the rule for "a whole number", "a share" and "one of" lives here.

Every public entry point checks its arguments through these functions, so each
rule is written once and every message reads the same way:
``Got n_boot=0, but expected a whole number >= 1.``
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np

from persona.errors import ConfigError

__all__ = ["check_flag", "check_number", "check_one_of", "check_whole", "is_whole"]


def is_whole(value: Any) -> bool:
    """A whole number (Python or numpy), and not a bool.

    >>> is_whole(3), is_whole(np.int64(3)), is_whole(True), is_whole(3.0)
    (True, True, False, False)
    """
    return isinstance(value, Integral) and not isinstance(value, bool | np.bool_)


def check_whole(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int``, or a :class:`ConfigError` naming ``name``.

    >>> check_whole("n_boot", 0, low=1)
    Traceback (most recent call last):
    ...
    persona.errors.ConfigError: Got n_boot=0, but expected a whole number >= 1.
    """
    inside = (low is None or (is_whole(value) and value >= low)) and (
        high is None or (is_whole(value) and value <= high)
    )
    if not is_whole(value) or not inside:
        raise ConfigError(f"Got {name}={value!r}, but expected a whole number{_range(low, high)}.")
    return int(value)


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` in the range, or a :class:`ConfigError` naming ``name``.

    >>> check_number("sample_share", 1.5, low=0, high=1, low_open=True)
    Traceback (most recent call last):
    ...
    persona.errors.ConfigError: Got sample_share=1.5, but expected a number > 0 and <= 1.
    """
    ok = isinstance(value, Real) and not isinstance(value, bool | np.bool_) and np.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        span = _range(low, high, low_open=low_open, high_open=high_open)
        raise ConfigError(f"Got {name}={value!r}, but expected a number{span}.")
    return float(value)


def check_flag(name: str, value: Any) -> bool:
    """``value`` if it is a bool, or a :class:`ConfigError` naming ``name``."""
    if not isinstance(value, bool | np.bool_):
        raise ConfigError(f"Got {name}={value!r}, but expected True or False.")
    return bool(value)


def check_one_of(name: str, value: Any, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options``, or a :class:`ConfigError` listing them.

    >>> check_one_of("rotation", "promax", ("oblimin", "varimax"))
    Traceback (most recent call last):
    ...
    persona.errors.ConfigError: Got rotation='promax', but expected one of 'oblimin', 'varimax'.
    """
    options = tuple(options)
    if not any(value == option and type(value) is type(option) for option in options):
        shown = ", ".join(map(repr, options))
        raise ConfigError(f"Got {name}={value!r}, but expected one of {shown}.")
    return value


def _range(low, high, *, low_open: bool = False, high_open: bool = False) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high}")
    return (" " + " and ".join(parts)) if parts else ""
