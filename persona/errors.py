"""The error persona raises when an input breaks its data contract."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
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
