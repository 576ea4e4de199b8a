"""What a fitted PersonaModel offers for assignment, as its methods.

:class:`AssignmentMixin` gives :class:`~persona.PersonaModel` ``golden_questions``,
``assignment_report`` and ``export_assigner``; each checks the model is fitted
and hands it to the function of this package that does the work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.utils.validation import check_is_fitted

from persona.assignment._portable import build_parts
from persona.contract import TableLike, read_table
from persona.errors import ConfigError

__all__ = ["AssignmentMixin"]


class AssignmentMixin:
    """Golden questions, the assignment report and the exported assigner."""

    def golden_questions(
        self,
        survey: TableLike,
        *,
        max_items: int = 8,
        with_behaviour: bool = False,
        target_accuracy: float | None = None,
        events: TableLike | None = None,
    ) -> Any:
        """Pick the fewest survey items that reproduce the personas, for a short onboarding survey.

        ``survey`` holds the respondents' answers (the training survey, say).
        With ``with_behaviour``, the items are chosen to work beside the
        customer's behaviour features (taken from ``events`` if given, else
        from the training matrix). The result states its cross-validated
        agreement with the personas (``accuracy``) and is kept as
        ``golden_``: :func:`persona.assign_persona` then accepts a record
        whose survey answers just those items, and ``export_assigner``
        carries it.
        """
        from persona.assignment import select_golden_questions

        check_is_fitted(self, "assigner_")
        if self.features_ is None or self.features_.instrument is None:
            raise ConfigError(
                "Golden questions are survey items: fit the model on tables with an instrument "
                "(PersonaModel(instrument=...).fit(survey=..., ...)) to select them."
            )
        behaviour = None
        if with_behaviour:
            if events is not None:
                frame = self.features_.transform(events=events)
            elif self.fitted_.training is not None:
                frame = self.fitted_.training
            else:
                raise ConfigError(
                    "A loaded model does not keep its training matrix: pass events= to "
                    "select golden questions with behaviour."
                )
            behaviour = frame.filter(like="behaviour__")
        answers = read_table(survey, "survey") if not isinstance(survey, pd.DataFrame) else survey
        self.golden_ = select_golden_questions(
            answers,
            self.features_.instrument,
            self.labels_,
            behaviour=behaviour,
            max_items=max_items,
            target_accuracy=target_accuracy,
            random_state=0 if self.random_state is None else self.random_state,
        )
        self.assignment_parts_ = build_parts(self)  # assign_persona now takes golden answers
        return self.golden_

    def assignment_report(self, *, cv: int = 5) -> Any:
        """Cross-validated agreement with discovery for each combination of signals, and
        the reliability of the confidence (see :func:`persona.assignment.assignment_report`)."""
        from persona.assignment import assignment_report

        check_is_fitted(self, "assigner_")
        return assignment_report(self, cv=cv)

    def export_assigner(self, path: str | Path) -> Path:
        """Write the portable assigner a service loads (JSON + NPZ + manifest, no pickle).

        See :func:`persona.load_assigner` and :func:`persona.assign_persona`.
        """
        from persona.assignment import export_assigner

        check_is_fitted(self, "assigner_")
        return export_assigner(self, path)
