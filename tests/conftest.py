"""Shared, session-wide fixtures: fitting a PersonaModel compiles UMAP's numba code
(tens of seconds in a fresh process), so the suite fits the reference model once."""

import os
import socket
import subprocess
import sys
import time
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


@pytest.fixture
def persona_server():
    """Starts ``persona serve --assigner FOLDER`` as a user does, in its own process, and
    returns (process, base URL) once it answers /readyz; stopped at the test's end."""
    import httpx

    started = []

    def start(assigner, cwd=None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "persona", "serve", "--assigner", str(assigner),
             "--port", str(port)], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        return process, base

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
