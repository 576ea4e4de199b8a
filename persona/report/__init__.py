"""The persona report and figures: what a fitted model shows a person.

- :mod:`._report`: the HTML report, :func:`write_report`;
- :mod:`._figures`: the model's figures (map, sizes, needs, profiles, reliability);
- :mod:`._pages`: the overview pages (comparison, method, glossary, survey);
- :mod:`._journey_plots`: the journey circle and the activation map;
- :mod:`._html`: the page and style sheet shared with the drift report;
- :mod:`._figure`: figures that show themselves inline in a notebook;
- :mod:`._model`: the model's ``plot_*`` and ``report`` methods.

It reads a fitted model's documented attributes and builds on every layer
below the model.
"""

from persona.report._figures import (
    plot_map,
    plot_need_heatmap,
    plot_profile,
    plot_reliability,
    plot_sizes,
)
from persona.report._journey_plots import plot_activation, plot_journey
from persona.report._pages import plot_comparison
from persona.report._report import write_report

__all__ = [
    "plot_activation",
    "plot_comparison",
    "plot_journey",
    "plot_map",
    "plot_need_heatmap",
    "plot_profile",
    "plot_reliability",
    "plot_sizes",
    "write_report",
]
