"""persona._parameters: every PersonaModel parameter is checked by name, at fit."""

import numpy as np
import pytest

from persona import PersonaModel
from persona._parameters import check_builder, check_parameters
from persona.errors import ConfigError
from persona.features import FeatureBuilder


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_personas": 0}, "Got n_personas=0, but expected a whole number >= 1"),
        ({"min_persona_share": 0.7}, "Got min_persona_share=0.7, but expected a share"),
        ({"discovery_sample": 3}, "Got discovery_sample=3, but expected a number of customers"),
        ({"max_distance": 1}, "Got max_distance=1, but expected a number > 1"),
        ({"audit_threshold": 2}, "Got audit_threshold=2, but expected a number in"),
    ],
)
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        PersonaModel(**params).fit(np.zeros((20, 2)))


def test_features_and_instrument_together_are_refused(customers):
    from persona.features import FeatureBuilder

    with pytest.raises(ValueError, match=r"Got both features= and instrument=.*FeatureBuilder"):
        PersonaModel(customers.instrument, features=FeatureBuilder(customers.instrument))
    model = PersonaModel(features=FeatureBuilder(customers.instrument))
    model.set_params(journey={"purchase_types": ["purchase"]})  # and at fit, after set_params
    with pytest.raises(ValueError, match=r"Got both features= and .*journey="):
        model.fit(events=customers.events)


WHOLE = r"but expected a whole number >= 1 or None\.$"
SAMPLE = r"but expected a number of customers >= 10 or a share in \(0, 1\]\.$"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_personas": True}, r"^Got n_personas=True, " + WHOLE),
        ({"n_personas": 2.0}, r"^Got n_personas=2\.0, " + WHOLE),
        ({"min_persona_share": 0}, r"^Got min_persona_share=0, but expected a share in \(0, 0\.5"),
        ({"discovery_sample": 0.0}, r"^Got discovery_sample=0\.0, " + SAMPLE),
        ({"discovery_sample": True}, r"^Got discovery_sample=True, " + SAMPLE),
        ({"careless": {"max_longstring": 0.5}},
         r"^Got careless=\{'max_longstring': 0\.5\}, but expected None or a persona\.features"),
    ],
)  # fmt: skip
def test_each_parameter_is_refused_by_name_without_fitting(params, message):
    with pytest.raises(ConfigError, match=message):
        check_parameters(PersonaModel(**params))


def test_good_parameters_pass_and_constructing_never_fails():
    check_parameters(PersonaModel(n_personas=np.int64(3), discovery_sample=0.5))
    check_parameters(PersonaModel(discovery_sample=10, min_persona_share=0.49))
    PersonaModel(n_personas=-1, max_distance="far")  # scikit-learn's contract: fit judges


def test_a_builder_beside_its_settings_is_refused_at_once_and_after_set_params(customers):
    model = PersonaModel(features=FeatureBuilder())
    check_builder(model)
    model.set_params(instrument=customers.instrument)
    with pytest.raises(
        ConfigError, match=r"give them to it \(features=FeatureBuilder\(instrument=\.\.\.\)\)"
    ):
        check_builder(model)
