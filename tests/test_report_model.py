"""persona.report._model: a PersonaModel's plot_* and report methods, which check the model is
fitted and hand it to the function that draws it."""

import pytest
from matplotlib.figure import Figure
from sklearn.exceptions import NotFittedError

from persona.errors import ConfigError
from persona.model import PersonaModel


def test_figures_are_matplotlib_figures(persona_model):
    figure = persona_model.plot_profile(int(persona_model.persona_ids_[0]))
    assert isinstance(figure, Figure) and len(figure.axes) == 4
    assert isinstance(persona_model.plot_map(max_points=500), Figure)
    with pytest.raises(ValueError, match="Got persona_id=42"):
        persona_model.plot_profile(42)


@pytest.mark.parametrize(
    ("method", "arguments"),
    [
        ("plot_map", ()),
        ("plot_reliability", ()),
        ("plot_journey", (0,)),
        ("plot_activation", (0,)),
        ("plot_comparison", ()),
        ("plot_profile", (0,)),
        ("report", ("report",)),
    ],
)
def test_an_unfitted_model_draws_nothing_and_says_so(method, arguments, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFittedError, match="This PersonaModel instance is not fitted yet"):
        getattr(PersonaModel(), method)(*arguments)
    assert list(tmp_path.iterdir()) == []  # no report folder either


def test_comments_must_be_true_or_false_before_anything_is_written(persona_model, tmp_path):
    with pytest.raises(ConfigError, match=r"Got comments=1, but expected True or False\."):
        persona_model.report(tmp_path / "report", comments=1)
    assert not (tmp_path / "report").exists()
