"""Shared, session-wide fixtures: fitting a PersonaModel compiles UMAP's numba code
(tens of seconds in a fresh process), so the suite fits the reference model once."""

import os
import subprocess
import sys
from importlib import metadata

import pytest

from persona.datasets import make_customers
from persona.model import PersonaModel

KEY_PACKAGES = ("numpy", "pandas", "scikit-learn", "umap-learn", "hdbscan", "polars", "pyarrow")


def pytest_report_header(config):
    """The versions under test: the key ones always, every installed one under CI."""
    versions = []
    for name in KEY_PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    lines = ["persona's dependencies: " + ", ".join(versions)]
    if os.environ.get("CI"):
        freeze = subprocess.run(
            [sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True, check=False
        )
        lines += ["pip freeze:", *("  " + line for line in freeze.stdout.splitlines())]
    return lines


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


@pytest.fixture(scope="session")
def assignment_report(persona_model):
    """``persona_model.assignment_report()``, computed once: cross-validation takes ~13 s."""
    return persona_model.assignment_report()
