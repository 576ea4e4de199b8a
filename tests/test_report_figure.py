"""persona.report._figure: PersonaFigure, a matplotlib Figure that shows itself inline in a
notebook, with or without pyplot."""

from matplotlib.figure import Figure

from persona.report import plot_sizes
from persona.report._figure import PersonaFigure


def test_figures_show_themselves_in_a_notebook_without_pyplot(persona_model):
    """IPython displays a figure as a PNG with no `%matplotlib inline` and no pyplot import
    (before, it printed `<Figure size 750x550 with 1 Axes>`), and the figure still pickles."""
    import pickle

    from IPython.core.formatters import DisplayFormatter

    figure = plot_sizes(persona_model)
    shown, _ = DisplayFormatter().format(figure)
    assert shown["image/png"].startswith(b"\x89PNG\r\n\x1a\n")
    again = pickle.loads(pickle.dumps(figure))
    assert isinstance(again, Figure) and len(again.axes) == len(figure.axes)


def test_a_figure_renders_itself_as_a_png_at_100_dpi():
    figure = PersonaFigure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    png = figure._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png[12:16] == b"IHDR"  # the first chunk: width and height, big-endian
    size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    assert size == (200, 100)  # 2 x 1 inches at 100 dots per inch
    assert isinstance(figure, Figure)
