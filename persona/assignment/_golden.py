"""Golden questions: the fewest survey items that still tell a customer's persona.

A full needs instrument is too long for onboarding. :func:`select_golden_questions`
picks, by greedy forward selection, the survey items whose answers best
reproduce the personas already found, and states how often the short survey
agrees with them under stratified cross-validation. It returns a
:class:`~persona.assignment._questions.GoldenQuestions`, the small typing tool
that scores new respondents; the answers it reads are keyed and checked by
:mod:`persona.assignment._keying`. This module fits and returns; it touches
none of its arguments.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from persona._validate import check_whole, is_whole
from persona.assignment._errors import input_error
from persona.assignment._fitting import column_medians
from persona.assignment._keying import behaviour_table, check_instrument, keyed_answers
from persona.assignment._questions import GoldenQuestions, path_frame
from persona.contract import Instrument
from persona.errors import ConfigError

__all__ = ["GoldenQuestions", "select_golden_questions"]

_MAX_ITER = 1_000


def select_golden_questions(
    survey: pd.DataFrame,
    instrument: Instrument,
    labels: pd.Series,
    *,
    behaviour: pd.DataFrame | None = None,
    max_items: int = 8,
    target_accuracy: float | None = None,
    cv: int = 5,
    C: float = 1.0,
    random_state: int | None = 0,
) -> GoldenQuestions:
    """Pick the fewest survey items that reproduce each respondent's persona.

    Greedy forward selection: starting from no item, each step adds the
    instrument item that maximises the mean stratified k-fold
    cross-validated accuracy of a multinomial logistic model on the items
    chosen so far. Inside every fold the keyed answers (and behaviour
    columns) are median-imputed and standardised with the training part
    only. Selection stops after ``max_items`` items, or as soon as
    ``target_accuracy`` is reached; the scorer is then refitted on every
    respondent with the chosen items.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent: ``customer_id`` (column or index) and one
        column per instrument item, raw answers, NaN where skipped. Other
        columns are ignored.
    instrument : Instrument
        The items' dimensions, scales and keys; every item is a candidate.
    labels : Series
        Persona id by ``customer_id`` (``-1``: unassigned), e.g.
        ``PersonaModel.labels_``.
    behaviour : DataFrame, optional
        Behaviour features by ``customer_id`` (index or column), e.g. the
        ``behaviour__*`` columns of ``model.features_.transform(...)``. When
        given, every model, in selection and final, reads all of its columns
        besides the items, median-imputed; the items then add what behaviour
        does not already tell.
    max_items : int, default 8
        Most items to choose (at most the instrument's number of items).
    target_accuracy : float, optional
        Stop as soon as the cross-validated accuracy reaches this, in (0, 1].
    cv : int, default 5
        Number of stratified folds, shuffled with ``random_state``.
    C : float, default 1.0
        Inverse regularisation strength of the logistic models.
    random_state : int or None, default 0
        Seed of the fold shuffle.

    Returns
    -------
    GoldenQuestions
        The chosen items in selection order, their cross-validated accuracy,
        the selection path and the fitted scorer.

    Raises
    ------
    ConfigError
        On a bad parameter.
    InputError
        On a survey lacking an instrument item or holding an answer off its
        scale, fewer than ``2 * cv`` labelled respondents, fewer than two
        personas among them, or a persona with fewer than ``cv`` respondents.

    Notes
    -----
    The respondents are the customers in both ``survey`` and ``labels``
    whose label is not ``-1``. The stated accuracy is measured on the
    respondents the items were chosen on, so it carries a little selection
    optimism; on fresh respondents expect it within a few points. Chance is
    the largest persona's share.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> from persona.assignment._golden import select_golden_questions
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True},
    ...     {"item": "dis1", "dimension": "discovery", "scale": [1, 5]}]})
    >>> survey = pd.DataFrame({"customer_id": range(1, 13),
    ...     "thr1": [5, 4, 5, 4, 5, 4, 2, 1, 2, 1, 2, 1],
    ...     "thr2": [1, 2, 1, 2, 3, 2, 4, 5, 4, 5, 3, 4],
    ...     "dis1": [3, 2, 4, 1, 5, 3, 3, 2, 4, 1, 5, 3]})
    >>> labels = pd.Series([0] * 6 + [1] * 6, index=survey["customer_id"])
    >>> golden = select_golden_questions(survey, instrument, labels, max_items=2, cv=3)
    >>> golden.items, golden.accuracy
    (('thr1', 'thr2'), 1.0)
    >>> golden.path[["item", "accuracy"]].to_dict("list")
    {'item': ['thr1', 'thr2'], 'accuracy': [1.0, 1.0]}
    >>> new = pd.DataFrame({"customer_id": [90, 91], "thr1": [5, None], "thr2": [None, 5]})
    >>> golden.predict(new).to_dict()
    {90: 0, 91: 1}
    """
    _check_parameters(instrument, max_items, target_accuracy, cv, C, random_state)
    keyed = keyed_answers(survey, instrument)
    ids, y, persona_ids = _respondents(keyed.index, labels, cv)
    values, behaviour_columns = _inputs(keyed.loc[ids].to_numpy(), behaviour, ids)
    names = instrument.item_names
    fixed = np.arange(len(names), values.shape[1])  # behaviour columns, in every model
    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    folds = [_fold(values, y, train, test) for train, test in splitter.split(values, y)]
    # Hundreds of small fits: BLAS threads only add synchronisation, and on a
    # busy machine spinning threads slow them down several times over.
    with threadpool_limits(limits=1, user_api="blas"):
        chosen, accuracies = _forward_selection(
            folds, len(names), fixed, min(max_items, len(names)), target_accuracy, C
        )
        columns = np.concatenate([chosen, fixed]).astype(np.intp)
        median, mean, scale, coef, intercept = _fit_scorer(
            values[:, columns], y, len(persona_ids), C
        )
    items = tuple(names[i] for i in chosen)
    return GoldenQuestions(
        items=items,
        accuracy=accuracies[-1],
        path=path_frame(
            list(range(1, len(items) + 1)),
            list(items),
            [instrument.item(i).dimension for i in items],
            accuracies,
        ),
        with_behaviour=behaviour is not None,
        behaviour_columns=behaviour_columns,
        persona_ids=persona_ids,
        median=median,
        mean=mean,
        scale=scale,
        coef=coef,
        intercept=intercept,
        item_scales=tuple(instrument.scale_of(i) for i in items),
        item_reverse=tuple(instrument.item(i).reverse for i in items),
        n_respondents=len(y),
        cv=cv,
    )


def _inputs(
    answers: np.ndarray, behaviour: pd.DataFrame | None, ids: pd.Index
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The respondents' keyed answers, then their behaviour columns (if given), and those
    columns' names."""
    if behaviour is None:
        return answers, ()
    table = behaviour_table(behaviour, None)
    if not table.index.isin(ids).any():
        raise input_error(
            "behaviour",
            "Got behaviour for none of the labelled respondents; give it by customer_id "
            "(a 'customer_id' index or column) for the survey's customers.",
        )
    columns = tuple(str(c) for c in table.columns)
    return np.hstack([answers, table.reindex(ids).to_numpy()]), columns


def _forward_selection(
    folds: list[tuple[np.ndarray, ...]],
    n_items: int,
    fixed: np.ndarray,
    steps: int,
    target_accuracy: float | None,
    C: float,
) -> tuple[list[int], list[float]]:
    """The items chosen, one per step, each the one that most raises the cross-validated
    accuracy (ties: the earlier item in instrument order), and the accuracy after each."""
    chosen: list[int] = []
    accuracies: list[float] = []
    candidates = list(range(n_items))
    for _ in range(steps):
        scores = [
            _cv_accuracy(folds, np.concatenate([chosen, [c], fixed]).astype(np.intp), C)
            for c in candidates
        ]
        best = int(np.argmax(scores))
        chosen.append(candidates.pop(best))
        accuracies.append(scores[best])
        if target_accuracy is not None and scores[best] >= target_accuracy:
            break
    return chosen, accuracies


def _check_parameters(
    instrument: object,
    max_items: object,
    target_accuracy: object,
    cv: object,
    C: object,
    random_state: object,
) -> None:
    """Refuse a parameter :func:`select_golden_questions` cannot work with, naming it."""
    check_instrument(instrument)
    check_whole("max_items", max_items, low=1)
    check_whole("cv", cv, low=2)
    if target_accuracy is not None and (
        isinstance(target_accuracy, bool)
        or not isinstance(target_accuracy, Real)
        or not 0.0 < float(target_accuracy) <= 1.0
    ):
        raise ConfigError(
            f"Got target_accuracy={target_accuracy!r}, but expected None or a number in (0, 1]."
        )
    if (
        isinstance(C, bool)
        or not isinstance(C, Real)
        or not np.isfinite(float(C))
        or not float(C) > 0
    ):
        raise ConfigError(f"Got C={C!r}, but expected a positive number.")
    if random_state is not None and not is_whole(random_state):
        raise ConfigError(
            f"Got random_state={random_state!r}, but expected a whole number or None."
        )


def _respondents(
    survey_ids: pd.Index, labels: object, cv: int
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Labelled respondents (survey order), their persona codes and the persona ids."""
    if not isinstance(labels, pd.Series):
        raise ConfigError(
            f"Got labels of type {type(labels).__name__}, but expected a Series of persona "
            "ids by customer_id (e.g. PersonaModel.labels_)."
        )
    if labels.index.duplicated().any():
        raise input_error(
            "labels", "Got labels with repeated customer_ids; give one persona id each."
        )
    values = pd.to_numeric(labels, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(values).any() or (values != np.round(values)).any():
        raise input_error(
            "labels",
            "Got labels that are not all whole numbers; expected persona ids (-1: unassigned).",
        )
    known = pd.Series(values.astype(np.int64), index=labels.index)
    known = known[known != -1]
    ids = survey_ids[survey_ids.isin(known.index)]
    y_ids = known.reindex(ids).to_numpy()
    persona_ids, y = np.unique(y_ids, return_inverse=True)
    if len(ids) < 2 * cv:
        raise input_error(
            "survey",
            f"Got {len(ids)} respondent(s) with a persona (in both survey and labels, label "
            f"!= -1), but expected at least {2 * cv} (2 * cv) to cross-validate with cv={cv}.",
        )
    if len(persona_ids) < 2:
        raise input_error(
            "labels",
            f"Got respondents of {len(persona_ids)} persona ({persona_ids.tolist()}), but "
            "expected at least 2 personas to tell apart.",
        )
    counts = np.bincount(y)
    if counts.min() < cv:
        small = persona_ids[counts < cv].tolist()
        raise input_error(
            "labels",
            f"Got persona(s) {small} with fewer than cv={cv} respondents, but stratified "
            "cross-validation needs cv of each; lower cv or set their labels to -1.",
        )
    return ids, y, persona_ids


def _fold(
    values: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training and test parts, imputed and standardised with the training part only.

    Imputation and standardisation work column by column, so choosing columns
    afterwards is the same as preparing the chosen columns alone.
    """
    median = column_medians(values[train])
    filled = np.where(np.isnan(values), median, values)
    mean, scale = _standardisation(filled[train])
    z = (filled - mean) / scale
    return z[train], z[test], y[train], y[test]


def _standardisation(filled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = filled.mean(axis=0)
    scale = filled.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _cv_accuracy(folds: list[tuple[np.ndarray, ...]], columns: np.ndarray, C: float) -> float:
    """Mean accuracy over the folds of a logistic model on ``columns``."""
    scores = []
    for z_train, z_test, y_train, y_test in folds:
        model = LogisticRegression(C=C, max_iter=_MAX_ITER).fit(z_train[:, columns], y_train)
        scores.append(np.mean(model.predict(z_test[:, columns]) == y_test))
    return float(np.mean(scores))


def _fit_scorer(
    values: np.ndarray, y: np.ndarray, n_personas: int, C: float
) -> tuple[np.ndarray, ...]:
    """Median, standardisation and logistic parameters, fitted on every respondent."""
    median = column_medians(values)
    filled = np.where(np.isnan(values), median, values)
    mean, scale = _standardisation(filled)
    model = LogisticRegression(C=C, max_iter=_MAX_ITER).fit((filled - mean) / scale, y)
    if n_personas == 2:  # sklearn keeps one row for two classes: the log-odds of the second
        coef = np.vstack([np.zeros(values.shape[1]), model.coef_[0]])
        intercept = np.array([0.0, model.intercept_[0]])
    else:
        coef, intercept = model.coef_, model.intercept_
    return median, mean, scale, coef, intercept
