"""Shared fixtures. Session-wide first: fitting a PersonaModel compiles UMAP's numba code
(tens of seconds in a fresh process), so the suite fits the reference model once. Then a
section per package for the fixtures its test files share; the plain helpers and constants
they share live in tests/helpers_<package>.py."""

import copy
import dataclasses
import os
import socket
import subprocess
import sys
import time
from importlib import metadata

import numpy as np
import pandas as pd
import pytest
from helpers_assignment import MAX_ITEMS
from helpers_drift import model_features, stand_in_scores
from helpers_scoring import N_SUBSET, base_slice
from helpers_serve import TOKEN

from persona import Instrument
from persona.assignment._golden import select_golden_questions
from persona.datasets import make_customers
from persona.drift import drift_reference
from persona.features.builder import FeatureBuilder
from persona.model import PersonaModel
from persona.profiling._profiles import profile

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


# --------------------------------------------------------------------------- assignment
# test_assignment_*.py (and test_confidence.py for ``end``): records of the session base, the
# golden questions' fixed split, and two personas as plain arrays for the assigner's models.


@pytest.fixture(scope="module")
def end(customers):
    return customers.events["timestamp"].max()


@pytest.fixture(scope="session")
def sample_ids(customers, persona_model):
    """A respondent with emotions, a behaviour-only customer, and some others."""
    respondent = set(customers.survey["customer_id"])
    with_emotions = set(customers.emotions["customer_id"])
    ids = persona_model.labels_.index
    full = next(c for c in ids if c in respondent and c in with_emotions)
    thin = next(c for c in ids if c not in respondent and c not in with_emotions)
    return [full, thin, *ids[100:106]]


@pytest.fixture(scope="session")
def split(customers, persona_model):
    """Labelled respondents split 70 / 30 with a fixed seed: (train survey, test survey)."""
    labels = persona_model.labels_
    survey = customers.survey
    labelled = survey["customer_id"].isin(labels.index[labels != -1])
    ids = survey.loc[labelled, "customer_id"].to_numpy()
    shuffled = np.random.default_rng(0).permutation(ids)
    cut = int(0.7 * len(shuffled))
    train = survey[survey["customer_id"].isin(shuffled[:cut])]
    test = survey[survey["customer_id"].isin(shuffled[cut:])]
    return train, test


@pytest.fixture(scope="session")
def behaviour(customers, persona_model):
    matrix = persona_model.features_.transform(
        events=customers.events, survey=customers.survey, emotions=customers.emotions
    )
    return matrix[[c for c in matrix.columns if c.startswith("behaviour__")]]


@pytest.fixture(scope="session")
def golden(customers, persona_model, split):
    return select_golden_questions(
        split[0], customers.instrument, persona_model.labels_, max_items=MAX_ITEMS
    )


@pytest.fixture(scope="session")
def golden_behaviour(customers, persona_model, split, behaviour):
    return select_golden_questions(
        split[0],
        customers.instrument,
        persona_model.labels_,
        behaviour=behaviour,
        max_items=MAX_ITEMS,
    )


@pytest.fixture
def mini_survey():
    """Twelve respondents of two personas, told apart by thrift (helpers_assignment.MINI)."""
    rng = np.random.default_rng(1)
    persona = np.repeat([0, 1], 6)
    thr1 = np.clip(np.where(persona == 0, 4, 2) + rng.integers(-1, 2, 12), 1, 5)
    thr2 = np.clip(np.where(persona == 0, 2, 4) + rng.integers(-1, 2, 12), 1, 5)
    survey = pd.DataFrame(
        {"customer_id": np.arange(1, 13), "thr1": thr1.astype(float), "thr2": thr2.astype(float)}
    )
    labels = pd.Series(persona, index=pd.Index(survey["customer_id"], name="customer_id"))
    return survey, labels


@pytest.fixture(scope="module")
def assignment_two_personas():
    """400 rows of two personas: two columns of needs (far apart), three of behaviour."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    needs = rng.normal(size=(400, 2)) + labels[:, None] * 4.0
    behaviour = rng.normal(size=(400, 3)) + labels[:, None] * 1.0
    X = np.column_stack([needs, behaviour])
    return X, labels


# --------------------------------------------------------------------------- contract
# test_contract_*.py: small hand-made tables that pass the contracts, made anew for each test.


@pytest.fixture
def contract_events():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2", "c3"],
            "timestamp": pd.to_datetime(
                ["2026-03-01 09:00", "2026-03-01 09:05", "2026-03-02 18:30", "2026-03-04 12:00"]
            ),
            "channel": ["web", "web", "app", "store"],
            "event_type": ["search", "purchase", "product_view", "purchase"],
            "device": ["desktop", "desktop", "mobile", None],
            "value": [np.nan, 25.0, np.nan, 80.5],
        }
    )


@pytest.fixture
def contract_instrument():
    return Instrument.from_dict(
        {
            "name": "needs-mini",
            "items": [
                {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
                {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
                {"item": "nov1", "dimension": "discovery", "scale": [1, 7]},
            ],
        }
    )


@pytest.fixture
def contract_survey():
    return pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3"],
            "thr1": [5.0, 2.0, np.nan],
            "thr2": [1.0, 4.0, 3.0],
            "nov1": [7.0, 1.0, 4.0],
        }
    )


# --------------------------------------------------------------------------- drift
# test_drift_*.py: a training base and its drift reference, and tonight's fresh sample of the
# same kind of base, scored by a stand-in for the model (helpers_drift).


@pytest.fixture(scope="module")
def training():
    data = make_customers(n_customers=5_000, random_state=0)
    builder = FeatureBuilder(instrument=data.instrument).fit(
        events=data.events, survey=data.survey, emotions=data.emotions
    )
    features = model_features(builder, data)
    return builder, features, stand_in_scores(features, data.truth)


@pytest.fixture(scope="module")
def reference(training):
    _, features, scores = training
    return drift_reference(features, scores)


@pytest.fixture(scope="module")
def tonight(training):
    """A fresh sample of the same kind of base: no drift but sampling noise."""
    builder = training[0]
    data = make_customers(n_customers=4_000, random_state=1)
    features = model_features(builder, data)
    return features, stand_in_scores(features, data.truth)


# --------------------------------------------------------------------------- profiling
# test_profiling_*.py: the profile of the session base's true personas.


@pytest.fixture(scope="module")
def true_profile(customers):
    builder = FeatureBuilder(customers.instrument).fit(customers)
    raw = builder.inverse_transform(builder.transform(customers))
    return profile(raw, customers.truth)


# --------------------------------------------------------------------------- scoring
# test_scoring_*.py: a slice of the session base in memory and as Parquet files, and the
# reference model exported as an assigner folder (the serve tests' artifact too).


@pytest.fixture(scope="module")
def assigner_path(persona_model, tmp_path_factory):
    return persona_model.export_assigner(tmp_path_factory.mktemp("assigner"))


@pytest.fixture(scope="module")
def subset(customers):
    """A slice of the session base, with the model's window end."""
    return base_slice(customers, N_SUBSET)


@pytest.fixture(scope="module")
def inputs(subset, tmp_path_factory):
    """The subset as Parquet files, events sorted by time (as logs arrive)."""
    tables, _ = subset
    folder = tmp_path_factory.mktemp("inputs")
    paths = {}
    for name, table in tables.items():
        if name == "events":
            table = table.sort_values("timestamp", kind="stable")
        paths[name] = folder / f"{name}.parquet"
        table.to_parquet(paths[name])
    return paths


# --------------------------------------------------------------------------- serve
# test_serve_*.py: the app around ``assigner_path`` and its test client, a raw record, and a
# second model's export to reload. FastAPI is optional: it is imported inside the fixtures,
# which run only in test modules that did not skip themselves without it.


@pytest.fixture(scope="module")
def serve_app(assigner_path):
    from persona.serve import ServeSettings, create_app

    return create_app(assigner_path, ServeSettings(reload_token=TOKEN))


@pytest.fixture(scope="module")
def serve_client(serve_app):
    from fastapi.testclient import TestClient

    with TestClient(serve_app) as client:  # runs the lifespan: the artifact is loaded
        yield client


@pytest.fixture(scope="module")
def raw_record(customers):
    customer = customers.survey["customer_id"].iloc[0]
    events = customers.events[customers.events["customer_id"] == customer].drop(
        columns="customer_id"
    )
    events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    rows = [{k: v for k, v in row.items() if v == v} for row in events.to_dict("records")]
    survey = customers.survey[customers.survey["customer_id"] == customer].iloc[0]
    answers = {k: (None if v != v else float(v)) for k, v in survey.drop("customer_id").items()}
    return {"customer_id": int(customer), "events": rows, "survey": answers}


@pytest.fixture(scope="module")
def second_export(persona_model, tmp_path_factory):
    """Another model's artifact: the reference model with one fitted number moved."""
    other = copy.deepcopy(persona_model)
    pattern, fitted = next(iter(other.assigner_.models_.items()))
    other.assigner_.models_[pattern] = dataclasses.replace(
        fitted, intercept=fitted.intercept + 1e-3
    )
    other._publish()
    assert other.model_version_ != persona_model.model_version_
    return other.export_assigner(tmp_path_factory.mktemp("second")), other.model_version_
