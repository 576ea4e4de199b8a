"""The matplotlib ``Figure`` persona's plots return: one that shows itself in a notebook.

A ``Figure`` made without pyplot (so that plotting touches no global state)
has no display hook of its own: until something imports pyplot in a Jupyter
kernel, it prints as ``<Figure size 750x550 with 1 Axes>``. ``PersonaFigure``
is a plain ``Figure`` that also renders as a PNG wherever IPython displays
objects. It is its own module so that ``import persona`` does not import
matplotlib.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure

_NOTEBOOK_DPI = 100


class PersonaFigure(Figure):
    """A matplotlib ``Figure`` that a notebook shows inline, with or without pyplot."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=_NOTEBOOK_DPI)
        return buffer.getvalue()
