"""persona._fitted: one object holds what fit learned; what goes to disk leaves customer data."""

import numpy as np
import pandas as pd

from persona._fitted import Discovery, Fitted


def _fitted():
    discovery = Discovery(
        values=np.zeros((2, 1)), rows=np.array([0, 2]), labels=np.array([0, 1]), seed=7,
        careless=np.array([False, False]),
    )  # fmt: skip
    return Fitted(
        index=pd.Index([10, 11, 12], name="customer_id"), labels=np.array([1, 0, -1]),
        proba=np.eye(3), discovery=discovery, profile=pd.DataFrame(), personas=pd.DataFrame(),
        training=pd.DataFrame({"x": [1.0, 2.0, 3.0]}), comments={0: ["lovely"]},
    )  # fmt: skip


def test_the_state_for_disk_leaves_out_the_matrix_and_the_comments():
    fitted = _fitted()
    light = fitted.for_disk()
    assert light.training is None and light.comments is None
    assert fitted.training is not None and fitted.comments == {0: ["lovely"]}  # untouched
    assert light.discovery is fitted.discovery and light.labels is fitted.labels


def test_discovery_labels_are_the_final_personas_of_the_discovery_customers():
    assert _fitted().discovery_labels().tolist() == [1, -1]


def test_the_state_is_frozen():
    fitted = _fitted()
    try:
        fitted.labels = None
    except AttributeError:
        return
    raise AssertionError("Fitted accepted a new attribute value")
