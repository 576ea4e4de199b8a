"""persona's one error family: what a caller did that persona cannot work with.

- :class:`InputError`: a table or instrument breaks the data contract;
- :class:`ArtifactError`: a saved model, exported assigner, drift reference or
  scoring folder is damaged, altered, incomplete or of another version;
- :class:`ConfigError`: a parameter, argument or project setting cannot work.

All three are :class:`PersonaError`, which is a :class:`ValueError`, so code
that caught ``ValueError`` still does. The command line catches
``PersonaError`` once and prints its message; anything else is a bug and shows
its traceback.
"""

from __future__ import annotations

__all__ = ["ArtifactError", "ConfigError", "InputError", "PersonaError"]


class PersonaError(ValueError):
    """Base of every error persona raises on purpose; its message names the fix."""


class ArtifactError(PersonaError):
    """A folder persona wrote (model, assigner, drift reference, scores) cannot be used as it is."""


class ConfigError(PersonaError, TypeError):
    """A parameter, argument or setting cannot work: of the wrong type, out of range, or
    matching nothing. Like scikit-learn's ``InvalidParameterError`` it is a ``TypeError`` too,
    so a wrong type caught as one still is."""


class InputError(PersonaError):
    """An input table or instrument breaks persona's data contract.

    Attributes
    ----------
    table : str
        The table (``"events"``, ``"survey"``, ``"emotions"``,
        ``"demographics"``, ``"instrument"``).
    column : str or None
        The offending column or field, when there is one.
    rows : list
        Index labels of the first offending rows (at most five).
    fix : str
        What to do about it.
    positions : ndarray or None
        Positions of *all* offending rows when the problem is in rows (not in
        the table's shape): what batch scoring rejects customers by.
    """

    positions = None
    phrase = ""  # the problem of those rows, without their count (e.g. "are below 0.")

    def __init__(
        self,
        table: str,
        problem: str,
        *,
        column: str | None = None,
        rows: list | None = None,
        shown: str = "",
        fix: str = "",
    ) -> None:
        self.table = table
        self.column = column
        self.problem = problem
        self.rows = list(rows or [])
        self.fix = fix
        where = f"{table}.{column}" if column else table
        lines = [f"{where}: {problem}"]
        if shown:
            lines.append(f"  first offending rows: {shown}")
        if fix:
            lines.append(f"  fix: {fix}")
        super().__init__("\n".join(lines))
