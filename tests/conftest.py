"""Shared, session-wide fixtures: fitting a PersonaModel compiles UMAP's numba code
(tens of seconds in a fresh process), so the suite fits the reference model once."""

import pytest

from persona.datasets import make_customers
from persona.model import PersonaModel


@pytest.fixture(scope="session")
def customers():
    """5,000 customers with six known personas; 30 % answered the survey."""
    return make_customers(n_customers=5_000, random_state=0)


@pytest.fixture(scope="session")
def persona_model(customers):
    """The reference model, fitted on ``customers`` with their demographics."""
    return PersonaModel(instrument=customers.instrument, random_state=0).fit(
        events=customers.events,
        survey=customers.survey,
        emotions=customers.emotions,
        demographics=customers.demographics,
    )
