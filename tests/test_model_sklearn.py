"""PersonaModel honours scikit-learn's estimator contract on a plain feature matrix."""

import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from persona.model import PersonaModel


def _small() -> PersonaModel:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ParametricUMAP.*", category=ImportWarning)
        from umap import UMAP
    return PersonaModel(
        reducer=UMAP(n_neighbors=5, n_components=2, n_epochs=50, random_state=0, n_jobs=1),
        random_state=0,
    )


# The checks feed random matrices, on which "no persona structure" is the right answer.
@pytest.mark.filterwarnings("ignore:No persona structure found:UserWarning")
@parametrize_with_checks([_small()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
