"""The figures and the report of a fitted PersonaModel, as its methods.

:class:`FiguresMixin` gives :class:`~persona.PersonaModel` its ``plot_*`` and
``report`` methods; each checks the model is fitted and hands it to the function
of this package that draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sklearn.utils.validation import check_is_fitted

from persona._validate import check_flag
from persona.report._figures import plot_map, plot_profile, plot_reliability
from persona.report._journey_plots import plot_activation, plot_journey
from persona.report._pages import plot_comparison
from persona.report._report import write_report

__all__ = ["FiguresMixin"]


class FiguresMixin:
    """Figures that show inline in a notebook, and the HTML persona report."""

    def plot_map(self, max_points: int = 5_000) -> Any:
        """A matplotlib Figure: the discovery customers on a 2-D map, coloured by persona."""
        check_is_fitted(self, "assigner_")
        return plot_map(self, max_points)

    def plot_reliability(self) -> Any:
        """A matplotlib Figure: how often an assignment of each confidence is right, by
        touchpoints held and survey (cross-validated; see ``assignment_report``)."""
        check_is_fitted(self, "assigner_")
        return plot_reliability(self.assignment_report())

    def plot_journey(self, persona_id: int) -> Any:
        """The persona's journey map through the moments of truth."""
        check_is_fitted(self, "assigner_")
        return plot_journey(self, persona_id)

    def plot_activation(self, persona_id: int) -> Any:
        """When and where the persona is active, channel by daypart."""
        check_is_fitted(self, "assigner_")
        return plot_activation(self, persona_id)

    def plot_comparison(self) -> Any:
        """The personas side by side: customers, revenue and needs."""
        check_is_fitted(self, "assigner_")
        return plot_comparison(self)

    def plot_profile(self, persona_id: int) -> Any:
        """A matplotlib Figure of one persona: needs, emotion journey, channels, moments."""
        check_is_fitted(self, "assigner_")
        return plot_profile(self, persona_id)

    def report(self, out_dir: str | Path, *, comments: bool = False) -> Path:
        """Write a self-contained HTML persona report (``index.html``); return its path.

        ``comments=True`` adds a few typical comments per persona. They are
        customer data, so they are off by default, kept only in the fitted model
        in memory, and never saved.
        """
        check_is_fitted(self, "assigner_")
        check_flag("comments", comments)
        return write_report(self, out_dir, comments=comments)
