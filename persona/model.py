"""PersonaModel: need- and desire-based personas for every customer.

Personas are *discovered* where needs are measured -- on survey respondents,
as latent need profiles sharpened by the behaviour that goes with them (see
:mod:`persona.discovery._mixture`; without a survey, UMAP and HDBSCAN in the weighted
feature space, :mod:`persona.discovery._reduce`) -- and every customer is then
*placed* by the distilled :class:`~persona.assignment._assigner.Assigner`, from whatever
signals they have. Demographics never enter; they are kept for the audit.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from contextlib import AbstractContextManager
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClusterMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from persona._progress import stage
from persona.assignment._assigner import (
    UNASSIGNED,
    Assigner,
    column_medians,
    finite_features,
    labels_from_proba,
    model_version,
)
from persona.assignment._evidence import evidence_bins, thin_records
from persona.assignment._explain import Counterfactual, ExplanationsMixin
from persona.contract._instrument import Instrument
from persona.contract._schema import (
    TableLike,
    trusted,
    validate_emotions,
    validate_events,
    validate_survey,
)
from persona.discovery._lineage import match_personas
from persona.discovery._mixture import discover_profiles
from persona.discovery._reduce import (
    default_reducer,
    fit_embedding,
    merge_personas,
    refine,
    select_clustering,
    select_structured,
    split_personas,
)
from persona.drift._drift import drift_reference
from persona.features.builder import GROUPS, FeatureBuilder, with_observation_end
from persona.features.careless import (
    CarelessRules,
    careless_counts,
    careless_respondents,
    split_duration,
)
from persona.features.psychometrics import assess_instrument
from persona.features.touchpoints import journey_settings
from persona.profiling._audit import demographic_audit, demographic_description
from persona.profiling._journey_map import journey_maps
from persona.profiling._naming import describe_personas
from persona.profiling._profiles import activation, profile
from persona.profiling._voices import representative_comments
from persona.report import _report as report

__all__ = ["Counterfactual", "PersonaModel"]

_TABLES = ("events", "survey", "emotions")
_MIN_DISCOVERY = 10  # customers needed to discover anything at all
_SOURCES = ("discovery", "distilled", "unassigned")
_DRIFT_SAMPLE = 100_000  # training customers the drift reference summarises, at most
_NOTABLE_SMD = 0.25  # Cohen's d from the rest of the base for a need to count as distinctive

log = logging.getLogger(__name__)


def _stage(name: str) -> AbstractContextManager[None]:
    """A stage of fitting, logged with its time (``persona fit`` shows them)."""
    return stage(log, name)


class PersonaModel(ExplanationsMixin, ClusterMixin, BaseEstimator):
    """Discover need- and desire-based personas and place every customer in one.

    Parameters
    ----------
    instrument : Instrument, optional
        The survey instrument, for the default feature builder.
    journey : JourneySettings, mapping or path, optional
        How your journey reads, for the default feature builder: the taxonomy
        of your event types, your purchase, support and return types (see
        :class:`~persona.features.touchpoints.JourneySettings`). A mapping is
        taken as its settings, e.g. ``{"purchase_types": ["order_placed"]}``;
        a path names a YAML or JSON file of them, or a project file
        (``persona.yaml``) whose ``journey`` section holds them.
    features : FeatureBuilder, optional
        The step from tables to the weighted feature matrix (default:
        ``FeatureBuilder(instrument=instrument, journey=journey)``). Give the
        instrument and journey to it, not beside it.
    reducer : estimator or "passthrough", optional
        The step from the matrix to a low-dimensional space, anything with
        ``fit_transform``. By default, with a survey, none: personas are the
        latent need profiles of :func:`persona.discovery._mixture.discover_profiles`
        (the count from the need scores by BIC, the members from the needs
        and the behaviour directions that co-vary with them; straight-liners
        and incomplete need scores left out). Without a survey, or when a
        reducer or clusterer is given: UMAP with ``n_neighbors=30``,
        ``n_components=10``, ``min_dist=0``.
    clusterer : estimator, optional
        The clustering of the reduced space, anything with ``fit`` and
        ``labels_`` (``-1`` for noise). Default, where a reducer runs:
        ``hdbscan.HDBSCAN`` with leaf selection over a small grid of minimum
        persona sizes, keeping the finest persona count that persists over
        neighbouring sizes. Either way, a base whose groups are no better
        than null references (``structure_``) yields one persona and a
        warning.
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
        unassigned (see :class:`~persona.assignment._assigner.Assigner`).
    previous : PersonaModel, optional
        A fitted model whose persona ids this fit keeps where personas match
        (see :meth:`align_to`).
    audit_threshold : float, default=0.1
        Cramér's V / eta between persona and a demographic column above which
        the audit warns.
    careless : CarelessRules, optional
        Which survey respondents answered carelessly (long-string,
        Mahalanobis distance, even-odd consistency, within-dimension
        scatter, and response time when ``duration_column`` names a survey
        column; see :func:`persona.features.careless.careless_respondents`).
        They take no part in discovering personas and still get one from
        all their signals. Default: ``CarelessRules()``.
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
        ``"discovery"`` (clustered in discovery), ``"distilled"`` (placed by
        the assigner: non-respondents, customers outside the discovery sample
        and discovery noise) or ``"unassigned"``.
    probabilities_ : DataFrame
        ``predict_proba`` of the training customers: one column per persona,
        then ``-1``, the unassigned share. A persona's probability is the
        chance that it is the persona the customer's whole record would get,
        for a record holding what this one holds (its signals, and with
        touchpoints, how many: 1, 2-3, 4-10, 11+); ``model.assignment_report()``
        measures how well that holds. The unassigned share is 0 while the record
        lies within some persona's reach, grows to 1 as it moves to
        ``max_distance`` reaches from the nearest, and is 1 for a record with no
        usable signal (see :class:`~persona.assignment._assigner.Assigner`). A record is
        assigned the larger of its best persona and the unassigned share, and its
        ``confidence`` is that probability.
    personas_ : DataFrame
        One row per persona: ``name`` (yours, see :meth:`rename`, or generated),
        ``description``, ``size``, ``share``, ``discovered``, mean
        ``confidence``, ``distinctive_needs`` (the need dimensions furthest from
        the rest, ``+`` above and ``-`` below) and where to reach it:
        ``channel``, ``device``, ``daypart``, ``moment``, ``tone``, ``emotion``.
    profile_ : DataFrame
        Every persona against the rest, feature by feature, most distinctive
        first (see :func:`persona.profiling._profiles.profile`).
    names_ : dict
        The names given with :meth:`rename`, by persona id.
    persona_ids_ : ndarray
        The persona id of each of the assigner's persona indices.
    audit_ : DataFrame or None
        The demographic audit (when demographics were given).
    careless_ : Series or None
        Respondents flagged as careless, by sign (``longstring``,
        ``mahalanobis``, ``even_odd``, ``scatter``, ``speed``), then in all
        (``careless``) and out of how many (``respondents``); None without
        a survey.
    journey_maps_ : JourneyMaps or None
        Each persona's journey through the moments of truth, from its
        customers' touchpoints (see :func:`persona.profiling._journey_map.journey_maps`):
        what the journey map, the activity map and the reach hints show. None
        when fitted without events.
    psychometrics_ : Psychometrics or None
        The instrument on the careful respondents: reliability (alpha,
        omega), confirmatory fit and, with demographics, measurement
        invariance across each column (see
        :func:`persona.features.psychometrics.assess_instrument`); the audit
        says where need scores are not comparable. None without a survey.
    demographics_ : DataFrame or None
        How each persona looks demographically (see
        :func:`persona.profiling._audit.demographic_description`): shown beside the
        profile, never used to form it.
    lineage_ : DataFrame or None
        How personas relate to ``previous`` (see :func:`persona.discovery._lineage.match_personas`).
    model_version_ : str
        A short hash of the assignment model and persona ids, reported with
        every assignment.
    selection_ : DataFrame
        What was tried. With latent profiles: one row per count fitted, with
        the ``space`` it was fitted in (``"needs"``, then ``"needs and
        behaviour"`` when the needs alone held one profile), its BIC and
        log-likelihood, the structure test's ``gap`` and ``bar`` at the
        count chosen, and ``chosen``. With HDBSCAN: minimum size, personas,
        noise share, DBCV, gap and bar for each count tested, chosen.
    validity_ : float
        DBCV of the chosen HDBSCAN clustering (NaN for latent profiles and
        for a user clusterer).
    structure_ : StructureTest or None
        What decided whether the data hold personas at all: the gap of as
        many groups as personas found over null references of the same
        customers (see :func:`persona.discovery._reduce.structure_test`), in the
        space personas were found in (latent profiles: the need scores and
        the behaviour directions that go with them; HDBSCAN: the need scores,
        or all features without a survey). None when ``n_personas`` or a
        clusterer was given, or one profile was found.
    features_, reducer_, clusterer_, assigner_
        The fitted steps (``reducer_`` is None and ``clusterer_`` the fitted
        Gaussian mixture for latent profiles).

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
            self._check_builder()

    # Models saved before these settings and attributes existed read them as None.
    journey = careless = None
    careless_ = psychometrics_ = journey_maps_ = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        X: Any = None,
        y: Any = None,
        *,
        events: TableLike | None = None,
        survey: TableLike | None = None,
        emotions: TableLike | None = None,
        demographics: TableLike | None = None,
    ) -> PersonaModel:
        """Discover personas and place every customer.

        Pass the tables as keywords (or ``X`` as a mapping or a
        :class:`~persona.datasets.CustomerData` carrying them), or ``X`` as a
        ready feature matrix (a DataFrame indexed by ``customer_id``, or an
        array), which skips the feature step.
        """
        self._check_params()
        for stale in ("stability_", "golden_"):  # computed on demand for the previous fit
            self.__dict__.pop(stale, None)
        tables = {"events": events, "survey": survey, "emotions": emotions}
        if demographics is None and _carries_tables(X):
            demographics = _get(X, "demographics")
        # Events and emotions are checked once: the features, the journey maps and the
        # comments all read these tables.
        given = _tables_of(X, tables) if _carries_tables(X) or X is None else {}
        given_events, given_emotions = given.get("events"), given.get("emotions")
        if given_events is not None:
            tables["events"] = given_events = validate_events(given_events)
        if given_emotions is not None:
            tables["emotions"] = given_emotions = validate_emotions(given_emotions)
        with _stage("features"), trusted(given_events, given_emotions):
            frame, groups, careless = self._fit_matrix(X, tables, demographics)
        log.info("features: %s customers x %s columns", f"{len(frame):,}", frame.shape[1])
        values = frame.to_numpy(dtype=np.float64)
        self.assigner_ = Assigner(groups, max_distance=self.max_distance)
        rng = check_random_state(self.random_state)
        seed = None if self.random_state is None else int(rng.randint(np.iinfo(np.int32).max))
        rows = self._discovery_rows(values, rng)

        discovered, clustered = self._discover(values[rows], seed, careless[rows])
        discovered = _by_size(discovered)
        with _stage("assignment model"):
            self.assigner_, thin = self._final_assigner(frame, groups, rows, discovered, X, tables)
        self._discovery = {"values": values[rows], "labels": discovered, "seed": seed, "rows": rows,
                           "thin": thin, "careless": careless[rows]}  # fmt: skip

        proba = self.assigner_.predict_proba(values)
        labels = labels_from_proba(proba)
        source = np.full(len(values), "distilled", dtype=object)
        source[rows[clustered]] = "discovery"
        source[labels == UNASSIGNED] = "unassigned"
        self._index = frame.index
        self._training = frame  # for explanations of training customers by id; not saved
        self._labels = labels
        self._proba = proba
        self.label_source_ = pd.Series(
            pd.Categorical(source, categories=_SOURCES), index=frame.index, name="label_source"
        )
        self.n_personas_ = self.assigner_.n_personas_
        self.persona_ids_ = np.arange(self.n_personas_)
        self.next_persona_id_ = self.n_personas_
        self.lineage_ = None
        self.names_ = {}
        self._journey_maps = None
        if given_events is not None:
            with _stage("journey maps"):
                assigned = pd.Series(self._labels, index=self._index)
                self._journey_maps = journey_maps(
                    given_events, assigned[assigned >= 0],
                    journey_settings(self.features_.journey), self.features_.observation_end_,
                )  # fmt: skip
        # Customers' own words: kept in memory for report(comments=True), never saved.
        self._comments = None
        if given_emotions is not None:
            assigned = pd.Series(self._labels, index=self._index)
            self._comments = representative_comments(given_emotions, assigned[assigned >= 0])
        with _stage("profiles"):
            self._persona_table(frame)
        self._drift_base = self._drift_reference(proba)
        if self.previous is not None:
            self._align(self.previous.predict(X, **tables), self.previous.next_persona_id_)
            self._inherit_names(self.previous)
        self._publish()
        self.audit_ = self.demographics_ = None
        if demographics is not None:
            invariance = None
            if self.psychometrics_ is not None and "level" in self.psychometrics_.invariance:
                invariance = self.psychometrics_.invariance["level"]
            self.audit_ = demographic_audit(
                self.labels_, demographics, threshold=self.audit_threshold, invariance=invariance
            )
            self.demographics_ = demographic_description(self.labels_, demographics)
        return self

    def fit_predict(self, X: Any = None, y: Any = None, **tables: Any) -> Any:
        """Fit, then return the labels (an array for an array ``X``, else a Series)."""
        self.fit(X, y, **tables)
        return self.labels_.to_numpy() if _is_array(X) else self.labels_

    def _final_assigner(
        self,
        frame: pd.DataFrame,
        groups: dict[str, np.ndarray],
        rows: np.ndarray,
        discovered: np.ndarray,
        X: Any,
        tables: dict,
    ) -> tuple[Assigner, tuple[np.ndarray, np.ndarray] | None]:
        """The assigner of the discovered personas, with a model per evidence bin when
        the touchpoints are known: learned on the discovery customers' whole records and
        on the same records cut to their first touchpoints. Returns it and those cut
        records with, for each, its customer's position among the discovery rows."""
        values = frame.to_numpy(dtype=np.float64)[rows]
        events = _tables_of(X, tables).get("events") if self.features_ is not None else None
        evidence = None if events is None else evidence_bins(self.features_, frame.columns)
        assigner = Assigner(
            groups, max_distance=self.max_distance, evidence=evidence, calibrate=True
        )
        if evidence is None:
            return assigner.fit(values, discovered), None
        records, owner = thin_records(
            self.features_, events, frame.index[rows], values, groups["behaviour"]
        )
        thin = (records, discovered[owner], owner)
        return assigner.fit(values, discovered, thin=thin), (records, owner)

    def _discover(
        self, values: np.ndarray, seed: int | None, careless: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Persona labels ``0 .. k-1`` of the discovery customers and who was clustered.

        With a survey and the default steps, personas are latent need profiles
        (:mod:`persona.discovery._mixture`); otherwise the reducer and the clusterer find them.
        BLAS is held to one thread: discovery is many small fits, on which BLAS
        threads only add synchronisation (several times slower on two cores;
        benchmarks/fit_time.py). The assigner does the same in its own fit.
        """
        with threadpool_limits(limits=1, user_api="blas"):
            return self._discovered(values, seed, careless)

    def _discovered(
        self, values: np.ndarray, seed: int | None, careless: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        Z = np.where(np.isnan(values), column_medians(values), values)
        self.structure_ = None
        default_steps = self.reducer is None and self.clusterer is None
        if "psychographic" in self.assigner_.groups and default_steps:
            self.reducer_ = None
            with _stage("latent profiles"):
                labels = self._profiled(values, Z, seed, careless)
        else:
            reducer = self._new_reducer(len(Z), seed)
            with _stage(f"reduction of {len(Z):,} discovery customers"):
                embedding = Z if reducer is None else fit_embedding(reducer, Z)
            self.reducer_ = reducer
            with _stage("clustering"):
                labels = self._clustered(embedding, Z, seed)
        with _stage("refinement"):
            return self._refined(values, Z, labels, seed)

    def _profiled(
        self, values: np.ndarray, Z: np.ndarray, seed: int | None, careless: np.ndarray | None
    ) -> np.ndarray:
        """Labels of the discovery customers as need profiles (``-1``: took no part)."""
        groups = self.assigner_.groups
        needs = groups["psychographic"]
        others = [columns for group, columns in groups.items() if group != "psychographic"]
        kept = ~np.isnan(values[:, needs]).any(axis=1)
        if careless is not None:
            kept &= ~careless
        if kept.sum() < _MIN_DISCOVERY:  # too few complete, attentive answers: take everyone
            kept = np.ones(len(Z), dtype=bool)
        found = discover_profiles(
            Z[:, needs],
            Z[:, np.concatenate(others)] if others else None,
            kept=kept,
            random_state=seed,
            min_size=max(2, round(self.min_persona_share * len(Z))),
            n_personas=self.n_personas,
        )
        self.selection_, self.structure_ = found.selection, found.structure
        self.clusterer_, self.validity_ = found.mixture, float("nan")
        if self.n_personas is None and not (found.structure and found.structure.structured):
            answered = int(kept.sum())
            if found.structure is not None:
                why = found.structure.summary()
            elif found.selection.empty:
                why = f"the need scores of {answered} respondents do not vary"
            else:
                spaces = " and then in the ".join(found.selection["space"].unique())
                why = (
                    f"the need scores of {answered} respondents are best described by one "
                    f"profile (the lowest BIC of {len(found.selection)} counts tried, in the "
                    f"{spaces})"
                )
            warnings.warn(
                f"No persona structure found in {len(Z)} customers: {why}. Every customer is "
                "given one persona. Check the features, or force a number with n_personas=.",
                UserWarning,
                stacklevel=5,
            )
            return np.zeros(len(Z), dtype=np.int64)
        return found.labels

    def _clustered(self, embedding: np.ndarray, Z: np.ndarray, seed: int | None) -> np.ndarray:
        """Labels of the discovery customers in the reduced space (``-1``: noise)."""
        if self.clusterer is None and self.n_personas is None:
            # Personas are need-based: with a survey, its need scores decide.
            needs = self.assigner_.groups.get("psychographic")
            best, self.selection_, self.structure_ = select_structured(
                embedding,
                Z if needs is None else Z[:, needs],
                min_persona_share=self.min_persona_share,
                random_state=seed,
                columns="features" if needs is None else "need scores",
                n_jobs=self.n_jobs,
            )
            labels, self.validity_, self.clusterer_ = best.labels, best.validity, best.clusterer
            if not (self.structure_ and self.structure_.structured):
                found = self.structure_.summary() if self.structure_ else "a single persona"
                warnings.warn(
                    f"No persona structure found in {len(Z)} customers: {found}. Every "
                    "customer is given one persona. Check the features, or force a number "
                    "with n_personas=.",
                    UserWarning,
                    stacklevel=5,
                )
                labels = np.zeros(len(Z), dtype=np.int64)
        elif self.clusterer is None:
            best, self.selection_ = select_clustering(
                embedding,
                min_persona_share=self.min_persona_share,
                n_personas=self.n_personas,
                n_jobs=self.n_jobs,
            )
            labels, self.validity_, self.clusterer_ = best.labels, best.validity, best.clusterer
        else:
            self.clusterer_ = clone(self.clusterer).fit(embedding)
            labels = np.asarray(self.clusterer_.labels_, dtype=np.int64)
            self.selection_, self.validity_ = None, float("nan")
        return labels

    def _refined(
        self, values: np.ndarray, Z: np.ndarray, labels: np.ndarray, seed: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The clustered labels as personas ``0 .. k-1``, drawn in the feature space."""
        clustered = labels >= 0
        if not clustered.any():
            labels = np.zeros(len(Z), dtype=np.int64)
        if self.n_personas is not None:
            if labels.max() + 1 > self.n_personas:
                labels = merge_personas(Z, labels, self.n_personas)
            elif labels.max() + 1 < self.n_personas:
                labels = split_personas(Z, np.where(labels < 0, 0, labels), self.n_personas, seed)
        min_size = max(2, round(self.min_persona_share * len(Z)))
        refined = refine(values, labels, self.assigner_, min_size=min_size)
        found = int(refined.max()) + 1
        if self.n_personas is not None and found != self.n_personas:
            warnings.warn(
                f"n_personas={self.n_personas} was asked, but {found} persona(s) keep at least "
                f"{min_size} members (min_persona_share={self.min_persona_share}) once their "
                "boundaries are drawn in the feature space: the data do not hold that many.",
                UserWarning,
                stacklevel=5,
            )
        return refined, clustered

    def _new_reducer(self, n_samples: int, seed: int | None) -> Any:
        """A fresh, unfitted reducer as the settings say (None: cluster the features)."""
        if isinstance(self.reducer, str) and self.reducer == "passthrough":
            return None
        if self.reducer is None:
            return default_reducer(n_samples, seed, self.n_jobs)
        return clone(self.reducer)

    def _discovery_rows(self, values: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        """The customers discovery runs on, in an order set by what they did and said.

        UMAP and HDBSCAN depend on the order of their rows. In customer-id order, re-keying a
        base (the same customers under new ids) re-segmented it (ARI 0.58), so the rows, and
        the sample drawn from them, follow a hash of each customer's feature values instead.
        """
        has = self.assigner_.availability(values)
        names = list(self.assigner_.groups)
        measured = has[:, names.index("psychographic")] if "psychographic" in names else has.any(1)
        rows = np.flatnonzero(measured)
        rows = rows[np.argsort(_content_hash(values[rows]), kind="stable")]
        if len(rows) < _MIN_DISCOVERY:
            what = "survey respondents" if "psychographic" in names else "customers with features"
            raise ValueError(
                f"Got {len(rows)} {what} (n_samples={len(rows)}), but discovery needs at least "
                f"{_MIN_DISCOVERY}: "
                "pass a larger base or a survey with more respondents."
            )
        sample = self.discovery_sample
        if sample is not None:
            size = sample if isinstance(sample, Integral) else round(sample * len(rows))
            if size < len(rows):
                chosen = rng.choice(len(rows), size=max(size, _MIN_DISCOVERY), replace=False)
                rows = rows[np.sort(chosen)]
        return rows

    # ------------------------------------------------------------------ scoring

    def predict(self, X: Any = None, **tables: TableLike | None) -> Any:
        """Persona id of each customer (``-1``: unassigned), by ``customer_id``.

        Takes what ``fit`` took; an array ``X`` gives an array back. With
        tables, ``observation_end=`` fixes the end of the touchpoint window
        (by default the latest touchpoint of the tables given): pass it when
        scoring a base in parts, so every part sees the same window.
        """
        proba = self._proba_of(X, tables)
        labels = self._public(labels_from_proba(proba.to_numpy()))
        if _is_array(X):
            return labels
        return pd.Series(labels, index=proba.index, name="persona_id")

    def predict_proba(self, X: Any = None, **tables: TableLike | None) -> Any:
        """Probability of each persona and of being unassigned (column ``-1``); rows sum to 1."""
        proba = self._proba_of(X, tables)
        return proba.to_numpy() if _is_array(X) else proba

    def _proba_of(self, X: Any, tables: dict) -> pd.DataFrame:
        check_is_fitted(self, "assigner_")
        frame = self._matrix(X, tables)
        proba = self.assigner_.predict_proba(frame.to_numpy(dtype=np.float64))
        return self._proba_frame(proba, frame.index)

    # ------------------------------------------------------------------ identity

    def align_to(
        self, old: PersonaModel, X: Any = None, **tables: TableLike | None
    ) -> PersonaModel:
        """Take the persona ids of ``old`` where personas match; record ``lineage_``.

        Personas are compared on customers: by default those both models were
        fitted on; with tables (or ``X``), on the customers in them, labelled
        by both models.
        """
        check_is_fitted(self, "assigner_")
        check_is_fitted(old, "assigner_")
        if X is None and not any(v is not None for v in tables.values()):
            old_labels = old.labels_
            shared = old_labels.index.intersection(self._index)
            if len(shared) == 0:
                raise ValueError(
                    "The two models share no customer, so their personas cannot be matched: "
                    "pass the tables to align on (model.align_to(old, events=..., survey=..., "
                    "emotions=...)) or fit with PersonaModel(previous=old)."
                )
            mine = None
        else:
            old_labels = old.predict(X, **tables)
            mine = self.predict(X, **tables)
        before = self.persona_ids_
        self._align(old_labels, old.next_persona_id_, mine)
        renamed = dict(zip(before.tolist(), self.persona_ids_.tolist(), strict=True))
        # Everything keyed by persona id follows the personas to their new ids.
        self.names_ = {renamed[p]: n for p, n in self.names_.items()}
        if getattr(self, "demographics_", None) is not None:
            self.demographics_ = self.demographics_.assign(
                persona_id=self.demographics_["persona_id"].map(renamed)
            )
        if getattr(self, "stability_", None) is not None:
            self.stability_ = self.stability_.rename(index=renamed)
        self.__dict__.pop("golden_", None)  # its scorer speaks the old ids: select again
        self._inherit_names(old)
        self._publish()
        return self

    def _inherit_names(self, old: PersonaModel) -> None:
        """Names given to old personas stay with the personas that kept their ids.

        A name of this model's own wins; an inherited name that another persona
        already carries is left out, so names stay unique.
        """
        kept = set(self.persona_ids_.tolist())
        taken = set(self.names_.values())
        inherited = {p: n for p, n in old.names_.items() if p in kept and p not in self.names_}
        self.names_ = {**{p: n for p, n in inherited.items() if n not in taken}, **self.names_}

    def _align(self, old_labels: pd.Series, next_id: int, mine: pd.Series | None = None) -> None:
        if mine is None:
            internal = pd.Series(self._labels, index=self._index)
        else:  # labels of this model, back to its internal persona indices
            internal = mine.map({p: i for i, p in enumerate(self.persona_ids_)}).fillna(-1)
        mapping, self.lineage_ = match_personas(
            internal, old_labels, next_id=next_id, personas=range(self.n_personas_)
        )
        self.persona_ids_ = np.array([mapping[k] for k in range(self.n_personas_)])
        self.next_persona_id_ = max(next_id, int(self.persona_ids_.max()) + 1)

    # ------------------------------------------------------------------ stability

    def assess_stability(self, n_boot: int = 10, *, sample_share: float = 0.8) -> pd.Series:
        """Each persona's stability: mean Jaccard with its best match over refits on resamples.

        Discovery is rerun ``n_boot`` times on ``sample_share`` of the discovery
        customers (without replacement: UMAP's neighbour graph breaks on exact
        duplicates), and each persona is compared with the most similar
        persona of each refit on the customers both contain. Values near 1:
        the persona comes back every time; below 0.6: it is not to be trusted.
        Sets and returns ``stability_``.
        """
        check_is_fitted(self, "assigner_")
        if not isinstance(n_boot, Integral) or n_boot < 1:
            raise ValueError(f"Got n_boot={n_boot!r}, but expected a whole number >= 1.")
        if not 0 < sample_share < 1:
            raise ValueError(f"Got sample_share={sample_share!r}, but expected a share in (0, 1).")
        values, labels = self._discovery["values"], self._discovery["labels"]
        careless = self._discovery.get("careless")  # models saved before it was kept
        if careless is None:
            careless = np.zeros(len(values), dtype=bool)
        rng = check_random_state(self._discovery["seed"])
        size = max(_MIN_DISCOVERY, round(sample_share * len(values)))
        draws = [
            (np.sort(rng.choice(len(values), size, replace=False)), int(rng.randint(2**31 - 1)))
            for _ in range(n_boot)
        ]
        # Workers get an unfitted copy: the fitted reducer alone can weigh hundreds of MB.
        refits = Parallel(n_jobs=self.n_jobs)(
            delayed(_refit_labels)(
                clone(self), self.assigner_.groups, values[rows], careless[rows], seed
            )
            for rows, seed in draws
        )
        scores = np.zeros((n_boot, self.n_personas_))
        for b, ((rows, _), refit) in enumerate(zip(draws, refits, strict=True)):
            scores[b] = _best_jaccard(labels[rows], refit, self.n_personas_)
        self.stability_ = pd.Series(
            scores.mean(axis=0), index=pd.Index(self.persona_ids_, name="persona_id"),
            name="stability",
        )  # fmt: skip
        return self.stability_

    # ------------------------------------------------------------------ internals

    def _check_builder(self) -> None:
        given = [name for name in ("instrument", "journey") if getattr(self, name) is not None]
        if self.features is not None and given:
            said = " and ".join(f"{name}=" for name in given)
            inside = ", ".join(f"{name}=..." for name in given)
            raise ValueError(
                f"Got both features= and {said}: the feature builder reads them, so give "
                f"them to it (features=FeatureBuilder({inside})), or leave features= out "
                f"and PersonaModel builds it from {said}."
            )

    def _check_params(self) -> None:
        self._check_builder()  # again: set_params skips __init__
        n = self.n_personas
        if n is not None and (not isinstance(n, Integral) or isinstance(n, bool) or n < 1):
            raise ValueError(f"Got n_personas={n!r}, but expected a whole number >= 1 or None.")
        share = self.min_persona_share
        if not isinstance(share, Real) or not 0 < share < 0.5:
            raise ValueError(f"Got min_persona_share={share!r}, but expected a share in (0, 0.5).")
        sample = self.discovery_sample
        if sample is not None and not (
            (isinstance(sample, Integral) and sample >= _MIN_DISCOVERY)
            or (isinstance(sample, Real) and not isinstance(sample, Integral) and 0 < sample <= 1)
        ):
            raise ValueError(
                f"Got discovery_sample={sample!r}, but expected a number of customers >= "
                f"{_MIN_DISCOVERY} or a share in (0, 1]."
            )
        if not isinstance(self.max_distance, Real) or not self.max_distance > 1:
            raise ValueError(f"Got max_distance={self.max_distance!r}, but expected a number > 1.")
        if not isinstance(self.audit_threshold, Real) or not 0 <= self.audit_threshold <= 1:
            raise ValueError(
                f"Got audit_threshold={self.audit_threshold!r}, but expected a number in [0, 1]."
            )
        if self.previous is not None:
            check_is_fitted(self.previous, "assigner_")
        if self.careless is not None and not isinstance(self.careless, CarelessRules):
            raise ValueError(
                f"Got careless={self.careless!r}, but expected None or a "
                "persona.features.careless.CarelessRules."
            )

    def _fit_matrix(
        self, X: Any, tables: dict, demographics: TableLike | None = None
    ) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray]:
        """The training matrix (feature columns only, sorted by customer), its groups, and
        which customers answered the survey carelessly (:attr:`careless`), who take no part
        in discovering personas."""
        self.features_ = self._drift_sample = self.careless_ = self.psychometrics_ = None
        careless = None
        if _carries_tables(X) or X is None:
            builder = (
                FeatureBuilder(
                    instrument=self.instrument,
                    journey=None if self.journey is None else journey_settings(self.journey),
                )
                if self.features is None
                else clone(self.features)
            )
            inputs = _tables_of(X, tables)
            flags = None
            if inputs.get("survey") is not None and builder.instrument is not None:
                # Checked once here; careless, psychometrics and the builder read it trusted.
                rules = self._careless_rules()
                survey, durations = split_duration(inputs["survey"], rules)
                inputs["survey"] = validate_survey(survey, builder.instrument)
                with trusted(inputs["survey"]):
                    flags = careless_respondents(
                        inputs["survey"], builder.instrument, rules, durations=durations
                    )
                    self.careless_ = careless_counts(flags)
                    with _stage("psychometrics"):
                        self.psychometrics_ = assess_instrument(
                            inputs["survey"], builder.instrument, demographics, careless=flags
                        )
            with trusted(inputs.get("survey")):
                frame, raw = builder._fit_transform(None, inputs, keep_raw=True)
            # Evenly spaced customers, their raw features: the drift reference's base.
            step = max(1, -(-len(raw) // _DRIFT_SAMPLE))
            self._drift_sample = (step, raw.iloc[::step].copy())
            if flags is not None:
                careless = flags["careless"].reindex(frame.index, fill_value=False).to_numpy(bool)
            del raw
            self.features_ = builder
            frame = frame.loc[:, ~frame.columns.str.startswith("available__")]
        else:
            frame = self._validated(X, reset=True)
        self.feature_names_out_ = np.array(frame.columns, dtype=object)
        groups: dict[str, list[int]] = {}
        for j, column in enumerate(frame.columns):
            prefix = str(column).split("__", 1)[0]
            groups.setdefault(prefix if prefix in GROUPS else "features", []).append(j)
        if careless is None:
            careless = np.zeros(len(frame), dtype=bool)
        return frame, {g: np.array(c) for g, c in groups.items()}, careless

    def _careless_rules(self) -> CarelessRules:
        return CarelessRules() if self.careless is None else self.careless

    def _inputs(self, X: Any, tables: dict) -> dict:
        """The tables of a call, the survey without its duration column (read by careless)."""
        found = _tables_of(X, tables)
        if found.get("survey") is not None:
            found["survey"] = split_duration(found["survey"], self._careless_rules())[0]
        return found

    def _matrix(self, X: Any, tables: dict) -> pd.DataFrame:
        """The matrix to score, in the fitted columns."""
        if _carries_tables(X) or X is None:
            if self.features_ is None:
                raise ValueError(
                    "This model was fitted on a feature matrix; pass one (X=...) rather than "
                    "tables."
                )
            tables = dict(tables)
            end = tables.pop("observation_end", None)
            builder = self.features_ if end is None else with_observation_end(self.features_, end)
            frame = builder.transform(**self._inputs(X, tables))
            return frame[list(self.feature_names_out_)]
        if self.features_ is not None and isinstance(X, pd.DataFrame):
            missing = [c for c in self.feature_names_out_ if c not in X.columns]
            if missing:
                raise ValueError(
                    f"The feature matrix lacks {len(missing)} fitted column(s), first "
                    f"{missing[:5]}; build it with model.features_.transform(...)."
                )
            return finite_features(X[list(self.feature_names_out_)].astype(np.float64))
        return self._validated(X, reset=False)

    def _validated(self, X: Any, *, reset: bool) -> pd.DataFrame:
        index = X.index if isinstance(X, pd.DataFrame) else None
        if isinstance(X, pd.DataFrame):
            flags = X.columns.astype(str).str.startswith("available__")
            X = X.loc[:, ~flags] if flags.any() else X
        columns = list(X.columns) if isinstance(X, pd.DataFrame) else None
        array = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        if index is None:
            index = pd.RangeIndex(len(array), name="customer_id")
        elif index.has_duplicates:
            dupes = index[index.duplicated()].unique()[:5].tolist()
            raise ValueError(
                f"The feature matrix has duplicated customer ids, first {dupes}: one row per "
                "customer is expected."
            )
        frame = pd.DataFrame(
            array, index=index, columns=columns or [f"x{j}" for j in range(array.shape[1])]
        )
        return frame.sort_index() if reset else frame

    def _public(self, labels: np.ndarray) -> np.ndarray:
        ids = np.append(self.persona_ids_, UNASSIGNED)
        return ids[np.where(labels == UNASSIGNED, len(ids) - 1, labels)]

    def _proba_frame(self, proba: np.ndarray, index: pd.Index) -> pd.DataFrame:
        columns = pd.Index([*self.persona_ids_.tolist(), UNASSIGNED], name="persona_id")
        return pd.DataFrame(proba, index=index, columns=columns)

    def _drift_reference(self, proba: np.ndarray) -> dict | None:
        """What nightly scoring compares the base with (see :mod:`persona.drift._drift`).

        Built from the raw features of evenly spaced training customers (at
        most ``_DRIFT_SAMPLE``), with persona ids as the assigner numbers them;
        :meth:`_publish` gives them their public ids.
        """
        sample, self._drift_sample = self._drift_sample, None
        if sample is None:
            return None  # fitted on a feature matrix: nightly scoring reads tables
        step, raw = sample
        rows = proba[::step]
        scores = pd.DataFrame(
            {"persona_id": labels_from_proba(rows), "confidence": rows.max(axis=1)},
            index=raw.index,
        )
        return drift_reference(raw, scores, columns=list(self.feature_names_out_))

    def _publish(self) -> None:
        """Labels, probabilities, profiles and personas under the public persona ids."""
        base = getattr(self, "_drift_base", None)
        self.drift_reference_ = None
        if base is not None:
            public = self._public(np.arange(self.n_personas_)).tolist()
            shares = base["personas"]
            self.drift_reference_ = base | {
                "personas": {
                    (k if k == str(UNASSIGNED) else str(public[int(k)])): v
                    for k, v in shares.items()
                }
            }
        ids = pd.Index(self.persona_ids_, name="persona_id")
        self.model_version_ = model_version(self.assigner_, self.persona_ids_)
        self.labels_ = pd.Series(self._public(self._labels), index=self._index, name="persona_id")
        self.probabilities_ = self._proba_frame(self._proba, self._index)
        self.profile_ = self._profile.assign(
            persona_id=self.persona_ids_[self._profile["persona_id"].to_numpy()]
        )
        maps = getattr(self, "_journey_maps", None)  # models saved before it existed: None
        self.journey_maps_ = None if maps is None else maps.with_ids(self.persona_ids_)
        personas = self._personas.set_axis(ids, axis=0)
        named = {p: n for p, n in self.names_.items() if p in ids}
        personas["name"] = [named.get(p, generated) for p, generated in personas["name"].items()]
        self.personas_ = personas

    def _persona_table(self, frame: pd.DataFrame) -> None:
        """Sizes, confidence, profile, activation hints and names, by internal persona index."""
        k = self.n_personas_
        labels, source = self._labels, self.label_source_.to_numpy()
        size = np.bincount(labels[labels >= 0], minlength=k)
        discovered = np.bincount(labels[(labels >= 0) & (source == "discovery")], minlength=k)
        confidence = np.array(
            [self._proba[labels == p, p].mean() if size[p] else np.nan for p in range(k)]
        )
        raw = frame if self.features_ is None else self.features_.inverse_transform(frame)
        self._profile = profile(raw, pd.Series(labels, index=frame.index))
        every = pd.RangeIndex(k, name="persona_id")
        reach = activation(self._profile).reindex(every)
        maps = getattr(self, "_journey_maps", None)
        if maps is not None:  # channel and device chosen together, from pairs that occur
            for persona in every:
                pair = maps.hint(persona)
                if pair is not None:
                    reach.loc[persona, ["channel", "device"]] = list(pair)
        words = describe_personas(self._profile, reach).reindex(every)
        self._personas = pd.concat(
            [
                words,
                pd.DataFrame(
                    {
                        "size": size,
                        "share": size / len(labels),
                        "discovered": discovered,
                        "confidence": confidence,
                        "distinctive_needs": _distinctive_needs(self._profile, k),
                    },
                    index=every,
                ),
                reach,
            ],
            axis=1,
        )

    # ------------------------------------------------------------------ saving

    def save(self, path: str | Path) -> Path:
        """Save the fitted model to a folder (manifest + joblib); load it with ``persona.load``.

        The training matrix is not saved: after loading, explain customers by
        passing their tables. Unpickling runs code, so only load models from
        sources you trust (see :mod:`persona.persistence`).
        """
        from persona.persistence import save_model

        with _stage("saving the model"):
            return save_model(self, path)

    def golden_questions(
        self,
        survey: TableLike,
        *,
        max_items: int = 8,
        with_behaviour: bool = False,
        target_accuracy: float | None = None,
        events: TableLike | None = None,
    ) -> Any:
        """Pick the fewest survey items that reproduce the personas, for a short onboarding survey.

        ``survey`` holds the respondents' answers (the training survey, say).
        With ``with_behaviour``, the items are chosen to work beside the
        customer's behaviour features (taken from ``events`` if given, else
        from the training matrix). The result states its cross-validated
        agreement with the personas (``accuracy``) and is kept as
        ``golden_``: :func:`persona.assign_persona` then accepts a record
        whose survey answers just those items, and ``export_assigner``
        carries it.
        """
        from persona.assignment._golden import select_golden_questions
        from persona.contract._tables import read_table

        check_is_fitted(self, "assigner_")
        if self.features_ is None or self.features_.instrument is None:
            raise ValueError(
                "Golden questions are survey items: fit the model on tables with an instrument "
                "(PersonaModel(instrument=...).fit(survey=..., ...)) to select them."
            )
        behaviour = None
        if with_behaviour:
            if events is not None:
                frame = self.features_.transform(events=events)
            elif getattr(self, "_training", None) is not None:
                frame = self._training
            else:
                raise ValueError(
                    "A loaded model does not keep its training matrix: pass events= to "
                    "select golden questions with behaviour."
                )
            behaviour = frame.filter(like="behaviour__")
        answers = read_table(survey, "survey") if not isinstance(survey, pd.DataFrame) else survey
        self.golden_ = select_golden_questions(
            answers,
            self.features_.instrument,
            self.labels_,
            behaviour=behaviour,
            max_items=max_items,
            target_accuracy=target_accuracy,
            random_state=0 if self.random_state is None else self.random_state,
        )
        return self.golden_

    def assignment_report(self, *, cv: int = 5) -> Any:
        """Cross-validated agreement with discovery for each combination of signals, and
        the reliability of the confidence (see :func:`persona.assignment.assignment_report`)."""
        from persona.assignment._agreement import assignment_report

        check_is_fitted(self, "assigner_")
        return assignment_report(self, cv=cv)

    def export_assigner(self, path: str | Path) -> Path:
        """Write the portable assigner a service loads (JSON + NPZ + manifest, no pickle).

        See :func:`persona.load_assigner` and :func:`persona.assign_persona`.
        """
        from persona.assignment._artifact import export_assigner

        check_is_fitted(self, "assigner_")
        return export_assigner(self, path)

    # ------------------------------------------------------------------ figures

    def plot_map(self, max_points: int = 5_000) -> Any:
        """A matplotlib Figure: the discovery customers on a 2-D map, coloured by persona."""
        check_is_fitted(self, "assigner_")
        return report.plot_map(self, max_points)

    def plot_reliability(self) -> Any:
        """A matplotlib Figure: how often an assignment of each confidence is right, by
        touchpoints held and survey (cross-validated; see :meth:`assignment_report`)."""
        check_is_fitted(self, "assigner_")
        return report.plot_reliability(self.assignment_report())

    def plot_journey(self, persona_id: int) -> Any:
        """The persona's journey map through the moments of truth (see
        :func:`persona.report._journey_plots.plot_journey`)."""
        check_is_fitted(self, "assigner_")
        from persona.report._journey_plots import plot_journey

        return plot_journey(self, persona_id)

    def plot_activation(self, persona_id: int) -> Any:
        """When and where the persona is active, channel by daypart (see
        :func:`persona.report._journey_plots.plot_activation`)."""
        check_is_fitted(self, "assigner_")
        from persona.report._journey_plots import plot_activation

        return plot_activation(self, persona_id)

    def plot_comparison(self) -> Any:
        """The personas side by side: customers, revenue and needs (see
        :func:`persona.report._pages.plot_comparison`)."""
        check_is_fitted(self, "assigner_")
        from persona.report._pages import plot_comparison

        return plot_comparison(self)

    def plot_profile(self, persona_id: int) -> Any:
        """A matplotlib Figure of one persona: needs, emotion journey, channels, moments."""
        check_is_fitted(self, "assigner_")
        return report.plot_profile(self, persona_id)

    def report(self, out_dir: str | Path, *, comments: bool = False) -> Path:
        """Write a self-contained HTML persona report (``index.html``); return its path.

        ``comments=True`` adds a few typical comments per persona (see
        :mod:`persona.profiling._voices`). They are customer data, so they are off by
        default, kept only in the fitted model in memory, and never saved.
        """
        check_is_fitted(self, "assigner_")
        if not isinstance(comments, bool):
            raise ValueError(f"Got comments={comments!r}, but expected True or False.")
        return report.write_report(self, out_dir, comments=comments)

    def _discovery_public_labels(self) -> np.ndarray:
        return self._public(self._labels[self._discovery["rows"]])

    # ------------------------------------------------------------------ names

    def rename(self, names: Mapping[int, str]) -> PersonaModel:
        """Give personas names of your own; they win over the generated ones.

        The names are kept by persona id, so they survive saving and loading
        and, through persona identity, refits with ``previous=`` or
        :meth:`align_to`.
        """
        check_is_fitted(self, "assigner_")
        unknown = sorted(set(names) - set(self.persona_ids_.tolist()))
        if unknown:
            raise ValueError(
                f"Got names for personas {unknown}, but the personas are "
                f"{self.persona_ids_.tolist()}."
            )
        current = dict(self.personas_["name"])
        current.update({int(p): str(n) for p, n in names.items()})
        repeated = sorted(n for n in set(current.values()) if list(current.values()).count(n) > 1)
        if repeated:
            raise ValueError(f"Persona names must be unique; {repeated} would be given twice.")
        self.names_ = {**self.names_, **{int(p): str(n) for p, n in names.items()}}
        self._publish()
        return self


def _distinctive_needs(table: pd.DataFrame, k: int, n: int = 3) -> list[tuple[str, ...]]:
    """The need dimensions furthest from the rest of the base: ``+thrift``, ``-status``."""
    needs = table[(table["family"] == "need") & (table["smd"].abs() >= _NOTABLE_SMD)]
    found = {
        p: tuple(
            ("+" if r.smd > 0 else "-") + r.feature.removeprefix("psychographic__")
            for r in rows.head(n).itertuples()
        )
        for p, rows in needs.groupby("persona_id")
    }
    return [found.get(p, ()) for p in range(k)]


def _refit_labels(
    refit: PersonaModel,
    groups: dict[str, np.ndarray],
    values: np.ndarray,
    careless: np.ndarray,
    seed: int,
) -> np.ndarray:
    """Discovery rerun on a resample, with the model's settings."""
    refit.assigner_ = Assigner(groups, max_distance=refit.max_distance)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "no structure" on a resample is a result
        labels, _ = refit._discover(values, seed, careless)
    return labels


def _best_jaccard(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    """For each reference persona, the highest Jaccard overlap with a persona of ``other``."""
    best = np.zeros(k)
    for p in range(k):
        mine = reference == p
        if not mine.any():
            continue
        for q in np.unique(other[other >= 0]):
            theirs = other == q
            union = np.sum(mine | theirs)
            best[p] = max(best[p], np.sum(mine & theirs) / union)
    return best


def _content_hash(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row's numbers (NaN as one value), vectorised: the bits of each
    value times a fixed odd multiplier per column, summed with wrap-around, then mixed."""
    bits = np.where(np.isnan(values), np.nan, values + 0.0).view(np.uint64)  # -0.0 -> 0.0
    multipliers = np.random.default_rng(0x5EED).integers(1, 2**63, size=values.shape[1])
    with np.errstate(over="ignore"):
        h = (bits * (multipliers.astype(np.uint64) | np.uint64(1))).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return h


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Labels renumbered so that persona 0 is the largest (ties: the lower old number)."""
    counts = np.bincount(labels[labels >= 0])
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return np.where(labels >= 0, rank[np.maximum(labels, 0)], labels)


def _is_array(X: Any) -> bool:
    return X is not None and not isinstance(X, pd.DataFrame) and not _carries_tables(X)


def _carries_tables(X: Any) -> bool:
    if isinstance(X, Mapping):
        return any(name in X for name in _TABLES)
    return X is not None and all(hasattr(X, name) for name in _TABLES)


def _get(X: Any, name: str) -> Any:
    return X.get(name) if isinstance(X, Mapping) else getattr(X, name, None)


def _tables_of(X: Any, tables: dict) -> dict:
    found = {} if X is None else {name: _get(X, name) for name in _TABLES}
    found.update({k: v for k, v in tables.items() if v is not None})
    return found
