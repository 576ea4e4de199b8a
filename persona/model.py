"""PersonaModel: need- and desire-based personas for every customer.

Personas are *discovered* where needs are measured -- on survey respondents,
as latent need profiles sharpened by the behaviour that goes with them (see
:mod:`persona.discovery`; without a survey, UMAP and HDBSCAN in the weighted
feature space) -- and every customer is then *placed* by the distilled
:class:`~persona.assignment.Assigner`, from whatever signals they have.
Demographics never enter; they are kept for the audit.

This class is the facade: it holds the parameters and the fitted state, and
delegates the work to the layers below (``docs/architecture.md``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from persona import _training
from persona._fitted import Discovery, Fitted
from persona._parameters import check_builder, check_parameters
from persona._progress import stage
from persona.assignment import (
    UNASSIGNED,
    Assigner,
    labels_from_proba,
    model_version,
    public_ids,
)
from persona.assignment._explain import Counterfactual, ExplanationsMixin
from persona.assignment._model import AssignmentMixin
from persona.assignment._portable import build_parts
from persona.contract import Instrument, TableLike
from persona.contract._schema import trusted, validate_emotions, validate_events
from persona.discovery._identity import IdentityMixin
from persona.discovery._search import Settings, by_size, discover, discovery_rows
from persona.features.builder import FeatureBuilder
from persona.features.careless import CarelessRules
from persona.features.touchpoints import journey_settings
from persona.profiling import demographic_audit, journey_maps
from persona.profiling._audit import demographic_description
from persona.profiling._table import persona_table
from persona.profiling._voices import representative_comments
from persona.report._model import FiguresMixin

__all__ = ["Counterfactual", "PersonaModel"]

_SOURCES = ("discovery", "distilled", "unassigned")

log = logging.getLogger(__name__)


class PersonaModel(
    ExplanationsMixin, AssignmentMixin, FiguresMixin, IdentityMixin, ClusterMixin, BaseEstimator
):
    """Discover need- and desire-based personas and place every customer in one.

    Parameters
    ----------
    instrument : Instrument, optional
        The survey instrument, for the default feature builder.
    journey : JourneySettings, mapping or path, optional
        How your journey reads, for the default feature builder
        (:class:`~persona.JourneySettings`, a mapping of its settings, or a
        YAML/JSON file or ``persona.yaml`` holding them).
    features : FeatureBuilder, optional
        The step from tables to the weighted feature matrix (default:
        ``FeatureBuilder(instrument=instrument, journey=journey)``). Give the
        instrument and journey to it, not beside it.
    reducer : estimator or "passthrough", optional
        The step from the matrix to a low-dimensional space (``fit_transform``).
        By default, with a survey, none: personas are latent need profiles
        (:func:`persona.discovery.discover_profiles`). Without a survey, or
        when a reducer or clusterer is given: UMAP (``n_neighbors=30``,
        ``n_components=10``, ``min_dist=0``).
    clusterer : estimator, optional
        The clustering of the reduced space (``fit``, ``labels_``, ``-1`` for
        noise). Default: ``hdbscan.HDBSCAN`` over a small grid of minimum sizes.
        Either way, a base whose groups are no better than null references
        (``structure_``) yields one persona and a warning.
    n_personas : int, optional
        Force this many personas (latent profiles of that count, or clusters
        merged or split to reach it).
    min_persona_share : float, default=0.02
        Smallest persona, as a share of the customers discovery runs on.
    discovery_sample : int or float, optional
        Discover personas on this many respondents (or this share of them),
        drawn with ``random_state``; everyone else is placed by the assigner.
    max_distance : float, default=2.0
        How far beyond a persona's reach a customer may lie before being
        unassigned (see :class:`~persona.assignment.Assigner`).
    previous : PersonaModel, optional
        A fitted model whose persona ids this fit keeps where personas match
        (see :meth:`align_to`).
    audit_threshold : float, default=0.1
        Cramér's V / eta between persona and a demographic column above which
        the audit warns.
    careless : CarelessRules, optional
        Which survey respondents answered carelessly
        (:func:`persona.features.careless_respondents`; default ``CarelessRules()``).
        They take no part in discovery and still get a persona.
    random_state : int, RandomState or None
        Seed for the sample, UMAP and stability resamples.
    n_jobs : int, optional
        Parallel jobs for HDBSCAN's core distances, UMAP when unseeded, and
        stability refits. Results do not depend on it.

    Attributes
    ----------
    labels_ : Series
        Persona id by ``customer_id`` for every customer (``-1``: unassigned).
    label_source_ : Series
        ``"discovery"``, ``"distilled"`` (placed by the assigner) or ``"unassigned"``.
    probabilities_ : DataFrame
        One column per persona, then ``-1``, the unassigned share. A persona's
        probability is the chance that the customer's whole record would get it,
        for a record holding what this one holds; the unassigned share is a
        distance rule (see :class:`~persona.assignment.Assigner`). A record is
        assigned the larger of its best persona and the unassigned share.
    personas_ : DataFrame
        One row per persona: name, description, size, share, discovered, mean
        confidence, distinctive needs and where to reach it (channel, device,
        daypart, moment, tone, emotion, message).
    profile_ : DataFrame
        Every persona against the rest, feature by feature (:func:`persona.profile`).
    names_ : dict
        The names given with :meth:`rename`, by persona id.
    persona_ids_ : ndarray
        The persona id of each of the assigner's persona indices.
    audit_, demographics_ : DataFrame or None
        The demographic audit and description (when demographics were given).
    careless_ : Series or None
        Respondents flagged as careless, by sign, then in all and out of how many.
    journey_maps_ : JourneyMaps or None
        Each persona's journey through the moments of truth.
    psychometrics_ : Psychometrics or None
        Reliability, confirmatory fit and measurement invariance of the instrument.
    lineage_ : DataFrame or None
        How personas relate to ``previous`` (:func:`persona.discovery.match_personas`).
    model_version_ : str
        A short hash of the assignment model and persona ids.
    selection_ : DataFrame
        What discovery tried: one row per count or minimum size, with its figures.
    validity_ : float
        DBCV of the chosen HDBSCAN clustering (NaN for latent profiles).
    structure_ : StructureTest or None
        The gap over null references that decided whether the data hold personas.
    features_, reducer_, clusterer_, assigner_
        The fitted steps (``reducer_`` is None for latent profiles).

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> data = make_customers(n_customers=1_500, random_state=0)
    >>> model = PersonaModel(instrument=data.instrument, random_state=0)
    >>> model = model.fit(data)
    >>> model.labels_.size == 1_500 and model.n_personas_ >= 2
    True
    """

    def __init__(
        self,
        instrument: Instrument | None = None,
        *,
        journey: Any = None,
        features: FeatureBuilder | None = None,
        reducer: Any = None,
        clusterer: Any = None,
        n_personas: int | None = None,
        min_persona_share: float = 0.02,
        discovery_sample: int | float | None = None,
        max_distance: float = 2.0,
        previous: PersonaModel | None = None,
        audit_threshold: float = 0.1,
        careless: CarelessRules | None = None,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.instrument = instrument
        self.journey = journey
        self.features = features
        self.reducer = reducer
        self.clusterer = clusterer
        self.n_personas = n_personas
        self.min_persona_share = min_persona_share
        self.discovery_sample = discovery_sample
        self.max_distance = max_distance
        self.previous = previous
        self.audit_threshold = audit_threshold
        self.careless = careless
        self.random_state = random_state
        self.n_jobs = n_jobs
        # A conflict is a mistake in the call: said where it is made. Only a real feature
        # builder is judged here; anything else waits for fit, so that constructing never
        # fails on other values (scikit-learn's estimator contract).
        if isinstance(features, FeatureBuilder):
            check_builder(self)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any = None, y: Any = None, *, events: TableLike | None = None,
            survey: TableLike | None = None, emotions: TableLike | None = None,
            demographics: TableLike | None = None) -> PersonaModel:  # fmt: skip
        """Discover personas and place every customer.

        Pass the tables as keywords (or ``X`` as a mapping or a
        :class:`~persona.datasets.CustomerData` carrying them), or ``X`` as a
        ready feature matrix (a DataFrame indexed by ``customer_id``, or an
        array), which skips the feature step.
        """
        check_parameters(self)
        for stale in ("stability_", "golden_"):  # computed on demand for the previous fit
            self.__dict__.pop(stale, None)
        tables = {"events": events, "survey": survey, "emotions": emotions}
        if demographics is None and _training.carries_tables(X):
            demographics = _training.get(X, "demographics")
        # Events and emotions are checked once: features, journey maps and comments read them.
        given = _training.tables_of(X, tables) if _training.carries_tables(X) or X is None else {}
        events, emotions = given.get("events"), given.get("emotions")
        tables["events"] = events = None if events is None else validate_events(events)
        tables["emotions"] = emotions = None if emotions is None else validate_emotions(emotions)
        with stage(log, "features"), trusted(events, emotions):
            training = _training.training_matrix(self, X, tables, demographics)
        frame, groups = training.frame, training.groups
        self.features_, self.careless_ = training.builder, training.careless_counts
        self.psychometrics_ = training.psychometrics
        self.feature_names_out_ = np.array(frame.columns, dtype=object)
        log.info("features: %s customers x %s columns", f"{len(frame):,}", frame.shape[1])
        values = frame.to_numpy(dtype=np.float64)
        rng = check_random_state(self.random_state)
        seed = None if self.random_state is None else int(rng.randint(np.iinfo(np.int32).max))
        rows = discovery_rows(values, Assigner(groups), self.discovery_sample, rng)
        careless = training.careless[rows]
        found = discover(values[rows], Assigner(groups, max_distance=self.max_distance),
                         self._settings(), seed, careless)  # fmt: skip
        self.reducer_, self.clusterer_ = found.reducer, found.clusterer
        self.selection_, self.structure_ = found.selection, found.structure
        self.validity_ = found.validity
        discovered = by_size(found.labels)
        with stage(log, "assignment model"):
            self.assigner_, thin = _training.fit_assigner(
                self, frame, groups, rows, discovered, events
            )
        sample = Discovery(values[rows], rows, discovered, seed, careless, thin)
        self.fitted_ = self._place(frame, sample, found.clustered, training, events, emotions)
        if self.previous is not None:
            self._align(self.previous.predict(X, **tables), self.previous.next_persona_id_)
            self._inherit_names(self.previous)
        self._publish()
        self._audit(demographics)
        return self

    def _place(self, frame, sample, clustered, training, events, emotions) -> Fitted:
        """Every training customer's persona, and what is learned from them."""
        proba = self.assigner_.predict_proba(frame.to_numpy(dtype=np.float64))
        labels = labels_from_proba(proba)
        source = np.full(len(labels), "distilled", dtype=object)
        source[sample.rows[clustered]] = "discovery"
        source[labels == UNASSIGNED] = "unassigned"
        self.label_source_ = pd.Series(
            pd.Categorical(source, categories=_SOURCES), index=frame.index, name="label_source"
        )
        self.n_personas_ = k = self.assigner_.n_personas_
        self.persona_ids_, self.next_persona_id_ = np.arange(k), k
        self.lineage_, self.names_, maps, comments = None, {}, None, None
        assigned = pd.Series(labels, index=frame.index)
        assigned = assigned[assigned >= 0]
        if events is not None:
            with stage(log, "journey maps"):
                maps = journey_maps(
                    events, assigned, journey_settings(self.features_.journey),
                    self.features_.observation_end_,
                )  # fmt: skip
        if emotions is not None:  # customers' own words: for report(comments=True), never saved
            comments = representative_comments(emotions, assigned)
        with stage(log, "profiles"):
            raw = frame if self.features_ is None else self.features_.inverse_transform(frame)
            profile, personas = persona_table(raw, labels, source, proba, maps, k)
        drift = _training.drift_base(training.drift_sample, proba, frame.columns)
        return Fitted(frame.index, labels, proba, sample, profile, personas, maps, drift,
                      training=frame, comments=comments)  # fmt: skip

    def _audit(self, demographics: TableLike | None) -> None:
        self.audit_ = self.demographics_ = None
        if demographics is not None:
            invariance = None
            if self.psychometrics_ is not None and "level" in self.psychometrics_.invariance:
                invariance = self.psychometrics_.invariance["level"]
            self.audit_ = demographic_audit(
                self.labels_, demographics, threshold=self.audit_threshold, invariance=invariance
            )
            self.demographics_ = demographic_description(self.labels_, demographics)

    def fit_predict(self, X: Any = None, y: Any = None, **tables: Any) -> Any:
        """Fit, then return the labels (an array for an array ``X``, else a Series)."""
        self.fit(X, y, **tables)
        return self.labels_.to_numpy() if _training.is_array(X) else self.labels_

    def _settings(self) -> Settings:
        return Settings(
            self.reducer, self.clusterer, self.n_personas, self.min_persona_share, self.n_jobs
        )

    def predict(self, X: Any = None, **tables: TableLike | None) -> Any:
        """Persona id of each customer (``-1``: unassigned), by ``customer_id``.

        Takes what ``fit`` took; an array ``X`` gives an array back. With
        tables, ``observation_end=`` fixes the end of the touchpoint window
        (by default the latest touchpoint of the tables given): pass it when
        scoring a base in parts, so every part sees the same window.
        """
        proba = self._proba_of(X, tables)
        labels = self._public(labels_from_proba(proba.to_numpy()))
        if _training.is_array(X):
            return labels
        return pd.Series(labels, index=proba.index, name="persona_id")

    def predict_proba(self, X: Any = None, **tables: TableLike | None) -> Any:
        """Probability of each persona and of being unassigned (column ``-1``); rows sum to 1."""
        proba = self._proba_of(X, tables)
        return proba.to_numpy() if _training.is_array(X) else proba

    def _proba_of(self, X: Any, tables: dict) -> pd.DataFrame:
        check_is_fitted(self, "assigner_")
        frame = self._matrix(X, tables)
        return self._proba_frame(
            self.assigner_.predict_proba(frame.to_numpy(dtype=np.float64)), frame.index
        )

    def _matrix(self, X: Any, tables: dict) -> pd.DataFrame:
        return _training.scoring_matrix(self, X, tables)

    def _public(self, labels: np.ndarray) -> np.ndarray:
        return public_ids(labels, self.persona_ids_)

    def _proba_frame(self, proba: np.ndarray, index: pd.Index) -> pd.DataFrame:
        columns = pd.Index([*self.persona_ids_.tolist(), UNASSIGNED], name="persona_id")
        return pd.DataFrame(proba, index=index, columns=columns)

    def _publish(self) -> None:
        """Labels, probabilities, profiles, personas and drift reference under the public ids."""
        fitted = self.fitted_
        base = fitted.drift_base
        self.drift_reference_ = None
        if base is not None:
            public = [str(p) for p in self._public(np.arange(self.n_personas_))]
            shares = base["personas"]
            self.drift_reference_ = base | {
                "personas": {(k if k == "-1" else public[int(k)]): v for k, v in shares.items()}
            }
        ids = pd.Index(self.persona_ids_, name="persona_id")
        self.model_version_ = model_version(self.assigner_, self.persona_ids_)
        self.labels_ = pd.Series(self._public(fitted.labels), index=fitted.index, name="persona_id")
        self.probabilities_ = self._proba_frame(fitted.proba, fitted.index)
        self.profile_ = fitted.profile.assign(
            persona_id=self.persona_ids_[fitted.profile["persona_id"].to_numpy()]
        )
        maps = fitted.journey_maps
        self.journey_maps_ = None if maps is None else maps.with_ids(self.persona_ids_)
        personas = fitted.personas.set_axis(ids, axis=0)
        named = {p: n for p, n in self.names_.items() if p in ids}
        personas["name"] = [named.get(p, generated) for p, generated in personas["name"].items()]
        self.personas_ = personas
        self.assignment_parts_ = build_parts(self)  # what assign_persona reads, ready

    def save(self, path: str | Path) -> Path:
        """Save the fitted model to a folder (manifest + joblib); load it with ``persona.load``.

        The training matrix is not saved: after loading, explain customers by
        passing their tables. Unpickling runs code, so only load models from
        sources you trust (see :mod:`persona.persistence`).
        """
        from persona.persistence import save_model

        with stage(log, "saving the model"):
            return save_model(self, path)
