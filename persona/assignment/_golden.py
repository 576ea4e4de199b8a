"""Golden questions: the fewest survey items that still tell a customer's persona.

A full needs instrument is too long for onboarding. :func:`select_golden_questions`
picks, by greedy forward selection, the survey items whose answers best
reproduce the personas already found, and states how often the short survey
agrees with them under stratified cross-validation. The result, a
:class:`GoldenQuestions`, is a small typing tool: a standardised multinomial
logistic model on the chosen items' keyed answers (and, if asked, on the
customer's behaviour features) that scores new respondents, skips included.

Scoring follows :class:`persona.assignment._assigner.Assigner`: plain numpy, logits as a
broadcast sum rather than a matrix product, so a customer's probabilities do
not depend on which other customers are scored with them. The typing tool
saves to plain JSON-ready data (:meth:`GoldenQuestions.to_dict`) and reads
back exactly (:meth:`GoldenQuestions.from_dict`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from persona.assignment._assigner import column_medians
from persona.contract._instrument import Instrument

__all__ = ["GoldenQuestions", "keyed_answers", "select_golden_questions"]

_ID = "customer_id"
_FORMAT = "persona.golden_questions/1"
_MAX_ITER = 1_000
_CHUNK_ROWS = 8_192  # rows scored at once: bounds the (rows x personas x columns) temporaries
_SHOWN = 5  # offending customer ids named in an error message


# --------------------------------------------------------------------------- the typing tool


@dataclass(frozen=True, eq=False)
class GoldenQuestions:
    """A short survey and the scorer that types customers from its answers.

    Built by :func:`select_golden_questions`; read back from saved data with
    :meth:`from_dict`.

    Attributes
    ----------
    items : tuple of str
        The chosen survey items, in the order they were selected.
    accuracy : float
        Mean stratified k-fold cross-validated agreement with the persona
        labels the items were selected on, using exactly these items (plus
        the behaviour columns when ``with_behaviour``).
    path : DataFrame
        One row per selection step: ``step`` (1, 2, ...), the ``item`` added,
        its ``dimension`` and the cross-validated ``accuracy`` of the items
        chosen so far.
    with_behaviour : bool
        Whether the scorer also reads behaviour features.
    behaviour_columns : tuple of str
        The behaviour columns the scorer reads (empty without behaviour).
    persona_ids : ndarray of int
        The persona ids the scorer tells apart, in column order.
    median : ndarray
        Per input column, the value imputed for a skipped answer (or a missing
        behaviour value): the respondents' median.
    mean, scale : ndarray
        Per input column, the standardisation ``z = (x - mean) / scale``.
    coef : ndarray
        ``(personas, columns)`` logistic coefficients on standardised inputs.
    intercept : ndarray
        ``(personas,)`` logistic intercepts.
    item_scales : tuple of (int, int)
        Each chosen item's ``(low, high)`` scale.
    item_reverse : tuple of bool
        Whether each chosen item is reverse-keyed.
    n_respondents : int
        How many labelled respondents the scorer was fitted on.
    cv : int
        The number of cross-validation folds behind ``accuracy``.

    Notes
    -----
    The input columns are the chosen items' *keyed* answers (a reverse-keyed
    answer ``a`` on a ``low..high`` item counts as ``low + high - a``, as in
    :func:`persona.features.psychographic.score_scales`), followed by the
    behaviour columns when ``with_behaviour``.
    """

    items: tuple[str, ...]
    accuracy: float
    path: pd.DataFrame
    with_behaviour: bool
    behaviour_columns: tuple[str, ...]
    persona_ids: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    item_scales: tuple[tuple[int, int], ...] = ()
    item_reverse: tuple[bool, ...] = ()
    n_respondents: int = 0
    cv: int = 0

    def __post_init__(self) -> None:
        def frozen_array(values: Any, dtype: str) -> np.ndarray:
            array = np.array(values, dtype=dtype)  # a copy: the tool owns its numbers
            array.setflags(write=False)
            return array

        for name in ("median", "mean", "scale", "intercept"):
            object.__setattr__(self, name, frozen_array(getattr(self, name), "float64"))
        object.__setattr__(self, "persona_ids", frozen_array(self.persona_ids, "int64"))
        object.__setattr__(self, "coef", frozen_array(self.coef, "float64"))
        object.__setattr__(self, "items", tuple(str(i) for i in self.items))
        object.__setattr__(self, "behaviour_columns", tuple(str(c) for c in self.behaviour_columns))
        object.__setattr__(
            self, "item_scales", tuple((int(lo), int(hi)) for lo, hi in self.item_scales)
        )
        object.__setattr__(self, "item_reverse", tuple(bool(r) for r in self.item_reverse))
        n_columns = len(self.items) + len(self.behaviour_columns)
        k = len(self.persona_ids)
        shapes_fit = (
            len(self.item_scales) == len(self.item_reverse) == len(self.items)
            and self.median.shape == self.mean.shape == self.scale.shape == (n_columns,)
            and self.coef.shape == (k, n_columns)
            and self.intercept.shape == (k,)
        )
        if not shapes_fit:
            raise ValueError(
                f"Got a scorer for {len(self.items)} item(s) and "
                f"{len(self.behaviour_columns)} behaviour column(s) whose parameters do not fit: "
                f"median {self.median.shape}, mean {self.mean.shape}, scale {self.scale.shape}, "
                f"coef {self.coef.shape}, intercept {self.intercept.shape}, "
                f"{len(self.item_scales)} scale(s), {len(self.item_reverse)} reverse flag(s)."
            )
        if self.with_behaviour != bool(self.behaviour_columns):
            raise ValueError(
                f"Got with_behaviour={self.with_behaviour!r} with "
                f"{len(self.behaviour_columns)} behaviour column(s); behaviour columns are "
                "needed exactly when with_behaviour is True."
            )

    # ------------------------------------------------------------------ scoring

    @property
    def columns(self) -> tuple[str, ...]:
        """The scorer's input columns: the items, then the behaviour columns."""
        return self.items + self.behaviour_columns

    def predict_proba(
        self, answers: pd.DataFrame, behaviour: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Persona probabilities from the answers to the golden questions.

        Parameters
        ----------
        answers : DataFrame
            One row per respondent: ``customer_id`` (a column or the index)
            and one column per chosen item, raw answers on the item's scale,
            NaN where skipped. Other columns are ignored.
        behaviour : DataFrame, optional
            Required when the questions were selected ``with_behaviour``, and
            refused otherwise: the behaviour columns, by ``customer_id``
            (index or column). A respondent missing from it, or a missing
            value, gets the median.

        Returns
        -------
        DataFrame
            Indexed by ``customer_id`` in the answers' row order, one float64
            column per persona id; rows sum to 1. A skipped answer is imputed
            by its median, so a respondent who skipped everything still gets
            the probabilities of a typical respondent.
        """
        keyed = _keyed(
            answers,
            self.items,
            np.array([lo for lo, _ in self.item_scales], dtype="float64"),
            np.array([hi for _, hi in self.item_scales], dtype="float64"),
            np.array(self.item_reverse, dtype=bool),
            "answers",
        )
        values = keyed.to_numpy()
        if self.with_behaviour:
            if behaviour is None:
                raise ValueError(
                    "Got behaviour=None, but these golden questions were selected with "
                    f"behaviour: pass the {len(self.behaviour_columns)} behaviour column(s) "
                    f"{list(self.behaviour_columns[:3])}... by customer_id."
                )
            table = _behaviour_table(behaviour, self.behaviour_columns)
            values = np.hstack([values, table.reindex(keyed.index).to_numpy()])
        elif behaviour is not None:
            raise ValueError(
                "Got behaviour, but these golden questions were selected without behaviour; "
                "pass answers only."
            )
        proba = _probabilities(
            values, self.median, self.mean, self.scale, self.coef, self.intercept
        )
        return pd.DataFrame(
            proba, index=keyed.index, columns=pd.Index(self.persona_ids, name="persona_id")
        )

    def predict(self, answers: pd.DataFrame, behaviour: pd.DataFrame | None = None) -> pd.Series:
        """The most probable persona id of each respondent, by ``customer_id``.

        Takes the same arguments as :meth:`predict_proba`.
        """
        proba = self.predict_proba(answers, behaviour)
        best = self.persona_ids[np.argmax(proba.to_numpy(), axis=1)]
        return pd.Series(best, index=proba.index, name="persona_id")

    # ------------------------------------------------------------------ saving

    def to_dict(self) -> dict[str, Any]:
        """The typing tool as JSON-ready data (lists, floats, strings)."""
        return {
            "format": _FORMAT,
            "items": list(self.items),
            "accuracy": float(self.accuracy),
            "path": {
                "step": [int(s) for s in self.path["step"]],
                "item": [str(i) for i in self.path["item"]],
                "dimension": [str(d) for d in self.path["dimension"]],
                "accuracy": [float(a) for a in self.path["accuracy"]],
            },
            "with_behaviour": bool(self.with_behaviour),
            "behaviour_columns": list(self.behaviour_columns),
            "persona_ids": self.persona_ids.tolist(),
            "median": self.median.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
            "item_scales": [list(s) for s in self.item_scales],
            "item_reverse": list(self.item_reverse),
            "n_respondents": int(self.n_respondents),
            "cv": int(self.cv),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GoldenQuestions:
        """Read back what :meth:`to_dict` wrote; the predictions are identical."""
        if not isinstance(d, dict) or d.get("format") != _FORMAT:
            found = d.get("format") if isinstance(d, dict) else type(d).__name__
            raise ValueError(
                f"Got {found!r}, but expected golden questions saved by "
                f"GoldenQuestions.to_dict (format {_FORMAT!r})."
            )
        fields = (
            "items",
            "accuracy",
            "path",
            "with_behaviour",
            "behaviour_columns",
            "persona_ids",
            "median",
            "mean",
            "scale",
            "coef",
            "intercept",
            "item_scales",
            "item_reverse",
            "n_respondents",
            "cv",
        )
        missing = [f for f in fields if f not in d]
        if missing:
            raise ValueError(f"Got saved golden questions without {missing}.")
        return cls(
            items=tuple(d["items"]),
            accuracy=float(d["accuracy"]),
            path=_path_frame(
                d["path"]["step"], d["path"]["item"], d["path"]["dimension"], d["path"]["accuracy"]
            ),
            with_behaviour=bool(d["with_behaviour"]),
            behaviour_columns=tuple(d["behaviour_columns"]),
            persona_ids=np.asarray(d["persona_ids"], dtype="int64"),
            median=np.asarray(d["median"], dtype="float64"),
            mean=np.asarray(d["mean"], dtype="float64"),
            scale=np.asarray(d["scale"], dtype="float64"),
            coef=np.asarray(d["coef"], dtype="float64").reshape(
                len(d["persona_ids"]), len(d["median"])
            ),
            intercept=np.asarray(d["intercept"], dtype="float64"),
            item_scales=tuple(tuple(s) for s in d["item_scales"]),
            item_reverse=tuple(d["item_reverse"]),
            n_respondents=int(d["n_respondents"]),
            cv=int(d["cv"]),
        )

    def __repr__(self) -> str:
        extra = f" + {len(self.behaviour_columns)} behaviour columns" if self.with_behaviour else ""
        return (
            f"GoldenQuestions(items={list(self.items)}{extra}, accuracy={self.accuracy:.3f}, "
            f"personas={self.persona_ids.tolist()})"
        )


# --------------------------------------------------------------------------- selection


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
    ValueError
        On a bad parameter, a survey lacking an instrument item or holding
        an answer off its scale, fewer than ``2 * cv`` labelled respondents,
        fewer than two personas among them, or a persona with fewer than
        ``cv`` respondents.

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
    answers = keyed.loc[ids].to_numpy()
    behaviour_columns: tuple[str, ...] = ()
    if behaviour is not None:
        table = _behaviour_table(behaviour, None)
        if not table.index.isin(ids).any():
            raise ValueError(
                "Got behaviour for none of the labelled respondents; give it by customer_id "
                "(a 'customer_id' index or column) for the survey's customers."
            )
        behaviour_columns = tuple(str(c) for c in table.columns)
        values = np.hstack([answers, table.reindex(ids).to_numpy()])
    else:
        values = answers
    names = instrument.item_names
    fixed = np.arange(len(names), values.shape[1])  # behaviour columns, in every model
    splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    folds = [_fold(values, y, train, test) for train, test in splitter.split(values, y)]

    chosen: list[int] = []
    accuracies: list[float] = []
    candidates = list(range(len(names)))
    # Hundreds of small fits: BLAS threads only add synchronisation, and on a
    # busy machine spinning threads slow them down several times over.
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(min(max_items, len(names))):
            scores = [
                _cv_accuracy(folds, np.concatenate([chosen, [c], fixed]).astype(np.intp), C)
                for c in candidates
            ]
            best = int(np.argmax(scores))  # ties go to the earlier item in instrument order
            chosen.append(candidates.pop(best))
            accuracies.append(scores[best])
            if target_accuracy is not None and scores[best] >= target_accuracy:
                break
        columns = np.concatenate([chosen, fixed]).astype(np.intp)
        median, mean, scale, coef, intercept = _fit_scorer(
            values[:, columns], y, len(persona_ids), C
        )
    items = tuple(names[i] for i in chosen)
    return GoldenQuestions(
        items=items,
        accuracy=accuracies[-1],
        path=_path_frame(
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


def keyed_answers(
    survey: pd.DataFrame, instrument: Instrument, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """Survey answers keyed so that a high value always means more of the dimension.

    A reverse-keyed answer ``a`` on a ``low..high`` item becomes
    ``low + high - a`` (on 1..5: ``6 - a``), as in
    :func:`persona.features.psychographic.score_scales`; other answers are
    kept. These are the values the golden-questions scorer reads.

    Parameters
    ----------
    survey : DataFrame
        ``customer_id`` (column or index) and the items' raw answers, whole
        numbers on each item's scale, NaN where skipped. Other columns are
        ignored.
    instrument : Instrument
        The items' scales and keys.
    items : sequence of str, optional
        The items to key, in the order wanted; by default every item of the
        instrument.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` in the survey's row order, one float64
        column per item.

    Examples
    --------
    >>> import pandas as pd
    >>> from persona import Instrument
    >>> instrument = Instrument.from_dict({"name": "mini", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5]},
    ...     {"item": "thr2", "dimension": "thrift", "scale": [1, 5], "reverse": True}]})
    >>> survey = pd.DataFrame({"customer_id": [1, 2], "thr1": [5, 2], "thr2": [1, None]})
    >>> keyed_answers(survey, instrument).to_dict("list")
    {'thr1': [5.0, 2.0], 'thr2': [5.0, nan]}
    """
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument (build one with Instrument.from_dict or from_file)."
        )
    if items is None:
        items = instrument.item_names
    elif isinstance(items, str) or not isinstance(items, Sequence):
        raise TypeError(f"Got items={items!r}, but expected a list of item names.")
    unknown = [i for i in items if i not in instrument.item_names]
    if unknown:
        raise ValueError(
            f"Got item(s) {unknown}, but instrument '{instrument.name}' has no such item."
        )
    specs = [instrument.item(i) for i in items]
    return _keyed(
        survey,
        tuple(items),
        np.array([s.low for s in specs], dtype="float64"),
        np.array([s.high for s in specs], dtype="float64"),
        np.array([s.reverse for s in specs], dtype=bool),
        "survey",
    )


# --------------------------------------------------------------------------- internals


def _check_parameters(
    instrument: object,
    max_items: object,
    target_accuracy: object,
    cv: object,
    C: object,
    random_state: object,
) -> None:
    if not isinstance(instrument, Instrument):
        raise TypeError(
            f"Got instrument of type {type(instrument).__name__}, but expected a "
            "persona.Instrument (build one with Instrument.from_dict or from_file)."
        )
    if not _is_whole(max_items) or max_items < 1:
        raise ValueError(f"Got max_items={max_items!r}, but expected a whole number >= 1.")
    if not _is_whole(cv) or cv < 2:
        raise ValueError(f"Got cv={cv!r}, but expected a whole number >= 2.")
    if target_accuracy is not None and (
        isinstance(target_accuracy, bool)
        or not isinstance(target_accuracy, Real)
        or not 0.0 < float(target_accuracy) <= 1.0
    ):
        raise ValueError(
            f"Got target_accuracy={target_accuracy!r}, but expected None or a number in (0, 1]."
        )
    if (
        isinstance(C, bool)
        or not isinstance(C, Real)
        or not np.isfinite(float(C))
        or not float(C) > 0
    ):
        raise ValueError(f"Got C={C!r}, but expected a positive number.")
    if random_state is not None and not _is_whole(random_state):
        raise ValueError(f"Got random_state={random_state!r}, but expected a whole number or None.")


def _is_whole(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _by_customer(frame: object, what: str) -> pd.DataFrame:
    """``frame`` indexed by ``customer_id`` (from its column or its index), ids unique."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"Got {what} of type {type(frame).__name__}, but expected a DataFrame.")
    if _ID in frame.columns:
        frame = frame.set_index(_ID)
    elif frame.index.name != _ID:
        raise ValueError(f"Got {what} without a '{_ID}' column or index; say whose rows they are.")
    duplicated = frame.index.duplicated()
    if duplicated.any():
        shown = list(dict.fromkeys(frame.index[duplicated]))[:_SHOWN]
        raise ValueError(f"Got {what} with repeated customer_id(s) {shown}; give one row each.")
    return frame


def _keyed(
    frame: object,
    items: tuple[str, ...],
    low: np.ndarray,
    high: np.ndarray,
    reverse: np.ndarray,
    what: str,
) -> pd.DataFrame:
    """The items' answers of ``frame``, checked and keyed, by customer_id."""
    table = _by_customer(frame, what)
    missing = [i for i in items if i not in table.columns]
    if missing:
        raise ValueError(
            f"Got {what} without the item column(s) {missing}; give one column per item "
            "(NaN where skipped)."
        )
    raw = table[list(items)].apply(pd.to_numeric, errors="coerce")
    not_number = (raw.isna() & table[list(items)].notna()).to_numpy()
    values = raw.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        off_scale = ~np.isnan(values) & (
            (values < low) | (values > high) | (values != np.round(values))
        )
    bad = not_number | off_scale
    if bad.any():
        column = int(np.flatnonzero(bad.any(axis=0))[0])
        rows = np.flatnonzero(bad[:, column])[:_SHOWN]
        shown = table[items[column]].iloc[rows].tolist()
        raise ValueError(
            f"Got {what} answers {shown} to item '{items[column]}' (customer_id "
            f"{table.index[rows].tolist()}), but expected whole numbers from "
            f"{low[column]:g} to {high[column]:g}, NaN where skipped."
        )
    keyed = np.where(reverse, low + high - values, values)
    return pd.DataFrame(keyed, index=table.index, columns=list(items), dtype="float64")


def _behaviour_table(behaviour: object, columns: tuple[str, ...] | None) -> pd.DataFrame:
    """Behaviour features by customer_id, as float64 (``columns``: those, in that order)."""
    table = _by_customer(behaviour, "behaviour")
    if columns is None:
        if table.shape[1] == 0:
            raise ValueError("Got behaviour without any column.")
    else:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(
                f"Got behaviour without the column(s) {missing[:10]} the golden questions "
                "were selected with."
            )
        table = table[list(columns)]
    try:
        values = table.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Got behaviour columns that are not all numeric: {error}") from None
    if np.isinf(values).any():
        column = table.columns[np.isinf(values).any(axis=0)][0]
        raise ValueError(f"Got an infinite behaviour value in '{column}'; leave it NaN if unknown.")
    return pd.DataFrame(values, index=table.index, columns=table.columns)


def _respondents(
    survey_ids: pd.Index, labels: object, cv: int
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Labelled respondents (survey order), their persona codes and the persona ids."""
    if not isinstance(labels, pd.Series):
        raise TypeError(
            f"Got labels of type {type(labels).__name__}, but expected a Series of persona "
            "ids by customer_id (e.g. PersonaModel.labels_)."
        )
    if labels.index.duplicated().any():
        raise ValueError("Got labels with repeated customer_ids; give one persona id each.")
    values = pd.to_numeric(labels, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(values).any() or (values != np.round(values)).any():
        raise ValueError(
            "Got labels that are not all whole numbers; expected persona ids (-1: unassigned)."
        )
    known = pd.Series(values.astype(np.int64), index=labels.index)
    known = known[known != -1]
    ids = survey_ids[survey_ids.isin(known.index)]
    y_ids = known.reindex(ids).to_numpy()
    persona_ids, y = np.unique(y_ids, return_inverse=True)
    if len(ids) < 2 * cv:
        raise ValueError(
            f"Got {len(ids)} respondent(s) with a persona (in both survey and labels, label "
            f"!= -1), but expected at least {2 * cv} (2 * cv) to cross-validate with cv={cv}."
        )
    if len(persona_ids) < 2:
        raise ValueError(
            f"Got respondents of {len(persona_ids)} persona ({persona_ids.tolist()}), but "
            "expected at least 2 personas to tell apart."
        )
    counts = np.bincount(y)
    if counts.min() < cv:
        small = persona_ids[counts < cv].tolist()
        raise ValueError(
            f"Got persona(s) {small} with fewer than cv={cv} respondents, but stratified "
            "cross-validation needs cv of each; lower cv or set their labels to -1."
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


def _probabilities(
    values: np.ndarray,
    median: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> np.ndarray:
    """Softmax of the logistic scores, row by row exact (no matrix product)."""
    out = np.empty((len(values), len(intercept)))
    for start in range(0, len(values), _CHUNK_ROWS):
        chunk = values[start : start + _CHUNK_ROWS]
        z = (np.where(np.isnan(chunk), median, chunk) - mean) / scale
        # Broadcast-and-sum rather than a matrix product: BLAS may round a row
        # differently depending on how many rows it is given, and a customer's
        # probabilities must not depend on the batch they are scored in.
        logits = (z[:, None, :] * coef[None]).sum(axis=2) + intercept
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        out[start : start + len(chunk)] = weights / weights.sum(axis=1, keepdims=True)
    return out


def _path_frame(
    steps: Sequence[int], items: Sequence[str], dimensions: Sequence[str], accuracy: Sequence
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": np.asarray(steps, dtype="int64"),
            "item": pd.Series(list(items), dtype=object),
            "dimension": pd.Series(list(dimensions), dtype=object),
            "accuracy": np.asarray(accuracy, dtype="float64"),
        }
    )
