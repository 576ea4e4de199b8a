"""Optional dependencies: imported when a feature needs them, with an error that says
which extra to install when they are missing."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming the ``pip install`` that fixes it.

    Examples
    --------
    >>> import_optional("json", extra="data", purpose="reading JSON").__name__
    'json'
    >>> import_optional("no_such_module_xyz", extra="data", purpose="the bfi survey")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ImportError: the bfi survey needs ... 'no_such_module_xyz', ...: pip install 'persona[data]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the optional package '{module}', which is not installed: "
            f"pip install 'persona[{extra}]'"
        ) from error
