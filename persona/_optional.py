"""Optional dependencies: imported when a feature needs them, with an error that says
which extra to install when they are missing.

persona is imported as ``persona`` but installed as ``persona-segments``: ``persona`` on the
package index is an unrelated project, so every install hint names ``DISTRIBUTION``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["DISTRIBUTION", "import_optional", "install_hint"]

DISTRIBUTION = "persona-segments"


def install_hint(extra: str, *, reinstall: bool = False) -> str:
    """The ``pip install`` command that brings in one of persona's extras.

    >>> install_hint("serve")
    "pip install 'persona-segments[serve]'"
    >>> install_hint("data", reinstall=True)
    "pip install --force-reinstall 'persona-segments[data]'"
    """
    flag = "--force-reinstall " if reinstall else ""
    return f"pip install {flag}'{DISTRIBUTION}[{extra}]'"


def import_optional(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming the ``pip install`` that fixes it.

    Examples
    --------
    >>> import_optional("json", extra="data", purpose="reading JSON").__name__
    'json'
    >>> import_optional("no_such_module_xyz", extra="data", purpose="the bfi survey")
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ImportError: the bfi survey needs ...: pip install 'persona-segments[data]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs the optional package '{module}', which is not installed: "
            + install_hint(extra)
        ) from error
