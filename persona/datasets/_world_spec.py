"""The worlds of the zoo: what a :class:`WorldSpec` may say, and the 32 worlds themselves.

A spec is checked when it is built (every error names the parameter and what
it expects); :func:`world_zoo` lists the structured worlds and the null ones.
Plain data: nothing here draws. Drawing a world is :func:`persona.datasets.make_world`'s.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from persona._validate import check_flag, is_whole
from persona.errors import ConfigError

__all__ = ["NEED_DIMENSIONS", "WorldSpec", "world_zoo"]

_NULLS = ("independent", "demographic", "noise", "permuted")
_SCALES = ((1, 5), (1, 7), (0, 10))

#: Need dimensions a world measures (its first ``n_dimensions``), with what each is about.
NEED_DIMENSIONS = MappingProxyType(
    {
        "value_seeking": "getting good value for money",
        "convenience": "saving time and effort",
        "social_recognition": "being seen and admired by others",
        "security": "feeling safe and reassured",
        "novelty": "discovering new things",
        "sustainability": "buying responsibly",
        "craftsmanship": "quality and expert making",
        "wellbeing": "looking after oneself",
    }
)


@dataclass(frozen=True)
class WorldSpec:
    """One world of the zoo: who the customers are and how their data comes.

    Needs are in units of the within-persona spread: a persona's members
    scatter around its need profile with standard deviation 1 on every need
    dimension.

    Parameters
    ----------
    name : str
        A readable name, e.g. ``"w20-own-vocab-no-taxonomy"``.
    n_customers : int, default=6000
        Customers; each has at least one touchpoint (about 20 on average,
        heavy-tailed).
    n_personas : int, default=6
        True personas, 3 to 12. Null worlds have none (0 or 1), except
        ``null="permuted"``, whose hidden personas (3 to 12) the permutation
        destroys.
    shares : tuple of float, optional
        Each persona's share of customers (sum 1, each at least 3 %). By
        default a spread falling geometrically from 35 % to 3 % above a floor
        of 3 %.
    n_dimensions : int, default=6
        Need dimensions the survey measures, 2 to 8 (see ``NEED_DIMENSIONS``).
    separation : float, default=3.0
        Smallest distance between the need profiles of two personas that are
        not a close pair (about 3 is easy, 1.5 hard).
    close_pairs : int, default=0
        Pairs of personas whose profiles differ on one need dimension only,
        by ``close_gap``; at most ``n_personas // 2``.
    close_gap : float, default=1.5
        How far apart the two personas of a close pair are, on their one
        dimension.
    survey_coverage : float, default=0.3
        Share of customers who answered the survey, 0 to 1 (the busier a
        customer, the likelier to answer).
    scale : (int, int), default=(1, 5)
        The answer scale of every item: ``(1, 5)``, ``(1, 7)`` or ``(0, 10)``.
    items_per_dimension : int or tuple of int, default=4
        Items measuring each need dimension, 2 to 6; a tuple gives one count
        per dimension.
    reverse_share : float, default=0.25
        Share of reverse-keyed items, 0 to 0.5 (every dimension keeps one item
        keyed forward).
    shuffle_items : bool, default=False
        Name the items q01, q02, ... in an order that mixes the dimensions,
        instead of grouping them under their dimension's name.
    acquiescence : float, default=0.3
        Standard deviation of each respondent's own shift of every answer
        (agreeing whatever the item says), in units of an item's spread
        (about one step of a 1..5 scale).
    straightliner_share : float, default=0.02
        Share of respondents who give one answer to every item, 0 to 0.5.
    item_nonresponse : float, default=0.03
        Share of answers left empty, 0 to 0.5 (every respondent answers at
        least one item).
    vocabulary : {"default", "own"}, default="default"
        ``"default"`` speaks persona's channels, devices and event types
        (:mod:`persona.contract._journey`); ``"own"`` a retailer's own names
        (mobile_app, boutique, whatsapp, order_placed, refund_request, ...),
        none of them in persona's defaults.
    taxonomy_coverage : float, default=1.0
        Share of the own event types that the world's taxonomy maps to a
        moment of truth, 0 to 1; must be 1 with the default vocabulary.
    behaviour_signal : float, default=0.5
        How strongly needs drive the channel, event type, moment and daypart
        mix, 0 (not at all) to 1 (strongly).
    emotion_signal : float, default=0.5
        How strongly needs drive how customers feel, 0 to 1.
    sorted_rows : bool, default=True
        Tables in the order a log comes (events and emotions by time, others
        by customer); False shuffles the rows of every table.
    session_ids : bool, default=True
        Whether events carry a ``session_id``.
    emotions : {"scores", "text", "both", "none"}, default="both"
        Emotion readings as valence / arousal scores, as comments to score,
        a mix of both (about 40 % comments), or no emotions table.
    emotion_coverage : float, default=0.4
        Share of customers with emotion readings, 0 to 1.
    text_language : {"en", "it", "mixed"}, default="en"
        Language of the comments; ``"mixed"`` gives each customer English or
        Italian.
    null : {None, "independent", "demographic", "noise", "permuted"}, default=None
        A world without personas. ``"independent"``: needs independent of
        each other and of everything else. ``"demographic"``: structure only
        in demographics (age groups drive volume, channel and event mix; needs
        shift smoothly with age and stay unimodal). ``"noise"``: one
        correlated Gaussian cloud of needs that tilts the channel mix
        continuously. ``"permuted"``: a structured world whose survey columns
        are permuted independently across respondents, with behaviour and
        emotions driven by no persona. The truth of a null world is 0 for
        every customer.
    """

    name: str
    n_customers: int = 6_000
    n_personas: int = 6
    shares: tuple[float, ...] | None = None
    n_dimensions: int = 6
    separation: float = 3.0
    close_pairs: int = 0
    close_gap: float = 1.5
    survey_coverage: float = 0.3
    scale: tuple[int, int] = (1, 5)
    items_per_dimension: int | tuple[int, ...] = 4
    reverse_share: float = 0.25
    shuffle_items: bool = False
    acquiescence: float = 0.3
    straightliner_share: float = 0.02
    item_nonresponse: float = 0.03
    vocabulary: str = "default"
    taxonomy_coverage: float = 1.0
    behaviour_signal: float = 0.5
    emotion_signal: float = 0.5
    sorted_rows: bool = True
    session_ids: bool = True
    emotions: str = "both"
    emotion_coverage: float = 0.4
    text_language: str = "en"
    null: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(f"Got name={self.name!r}, but expected a non-empty string.")
        _check_whole("n_customers", self.n_customers, 1, None)
        _check_choice("null", self.null, (None, *_NULLS))
        _check_personas(self)
        _check_whole("n_dimensions", self.n_dimensions, 2, len(NEED_DIMENSIONS))
        _check_positive("separation", self.separation)
        _check_positive("close_gap", self.close_gap)
        _check_whole("close_pairs", self.close_pairs, 0, self.n_personas // 2)
        _check_survey(self)
        _check_choice("vocabulary", self.vocabulary, ("default", "own"))
        _check_share("taxonomy_coverage", self.taxonomy_coverage, 1.0)
        if self.vocabulary == "default" and self.taxonomy_coverage != 1.0:
            raise ConfigError(
                f"Got taxonomy_coverage={self.taxonomy_coverage!r} with vocabulary='default', "
                "but persona's default taxonomy maps every default event type: use 1.0, or "
                "vocabulary='own'."
            )
        for name in ("behaviour_signal", "emotion_signal", "emotion_coverage"):
            _check_share(name, getattr(self, name), 1.0)
        for name in ("shuffle_items", "sorted_rows", "session_ids"):
            check_flag(name, getattr(self, name))
        _check_choice("emotions", self.emotions, ("scores", "text", "both", "none"))
        _check_choice("text_language", self.text_language, ("en", "it", "mixed"))

    @property
    def has_personas(self) -> bool:
        """Whether customers belong to personas (structured and permuted worlds)."""
        return self.null in (None, "permuted")

    @property
    def item_counts(self) -> tuple[int, ...]:
        """Items per need dimension, one count per dimension."""
        per = self.items_per_dimension
        if isinstance(per, Iterable) and not isinstance(per, str):
            return tuple(per)
        return (per,) * self.n_dimensions  # a count that is no whole number is refused by name

    @property
    def persona_shares(self) -> np.ndarray:
        """The share of each persona (one share of 1.0 in a world without personas)."""
        if not self.has_personas:
            return np.ones(1)
        if self.shares is not None:
            return np.asarray(self.shares, dtype=float)
        return _default_shares(self.n_personas)


def _check_whole(name: str, value, low: int, high: int | None) -> None:
    if not is_whole(value) or value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"from {low} to {high}"
        raise ConfigError(f"Got {name}={value!r}, but expected a whole number {span}.")


def _check_share(name: str, value, high: float) -> None:
    number = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not number or not 0.0 <= value <= high:
        raise ConfigError(f"Got {name}={value!r}, but expected a number in [0, {high:g}].")


def _check_positive(name: str, value) -> None:
    number = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not number or not 0.0 < value < math.inf:
        raise ConfigError(f"Got {name}={value!r}, but expected a positive finite number.")


def _check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ConfigError(f"Got {name}={value!r}, but expected one of {list(choices)}.")


def _check_personas(spec: WorldSpec) -> None:
    if spec.has_personas:
        _check_whole("n_personas", spec.n_personas, 3, 12)
    elif spec.n_personas not in (0, 1):
        raise ConfigError(
            f"Got n_personas={spec.n_personas!r} with null={spec.null!r}, but a null world has "
            "no personas: expected 0 or 1."
        )
    if spec.shares is None:
        return
    shares = np.asarray(spec.shares, dtype=float)
    if (
        not spec.has_personas
        or shares.shape != (spec.n_personas,)
        or not abs(shares.sum() - 1.0) < 1e-9
        or shares.min() < 0.03
    ):
        raise ConfigError(
            f"Got shares={spec.shares!r}, but expected {spec.n_personas} shares of at least "
            "0.03 that sum to 1 (or None for the default spread)."
        )


def _check_survey(spec: WorldSpec) -> None:
    _check_share("survey_coverage", spec.survey_coverage, 1.0)
    scale = spec.scale
    if tuple(scale) not in _SCALES:
        raise ConfigError(f"Got scale={scale!r}, but expected one of {list(_SCALES)}.")
    counts = spec.item_counts
    if len(counts) != spec.n_dimensions:
        raise ConfigError(
            f"Got items_per_dimension={spec.items_per_dimension!r}, but expected one count "
            f"per need dimension ({spec.n_dimensions})."
        )
    for count in counts:
        _check_whole("items_per_dimension", count, 2, 6)
    _check_share("reverse_share", spec.reverse_share, 0.5)
    _check_share("straightliner_share", spec.straightliner_share, 0.5)
    _check_share("item_nonresponse", spec.item_nonresponse, 0.5)
    _check_positive("acquiescence", spec.acquiescence + 1.0)  # 0 allowed, negative not


def _default_shares(n_personas: int, largest: float = 0.35, floor: float = 0.03) -> np.ndarray:
    """Shares falling geometrically from ``largest`` down to about ``floor``, on a ``floor``.

    Every persona gets ``floor`` plus a geometric part of the rest; the ratio
    is found by bisection so that the largest share is ``largest``.
    """
    rest = 1.0 - floor * n_personas
    target = (largest - floor) / rest  # the largest geometric part
    low, high = 1e-6, 1.0 - 1e-9
    for _ in range(100):
        ratio = (low + high) / 2
        first = (1.0 - ratio) / (1.0 - ratio**n_personas)
        low, high = (ratio, high) if first > target else (low, ratio)
    parts = ratio ** np.arange(n_personas)
    return floor + rest * parts / parts.sum()


# --------------------------------------------------------------------------- the zoo


def world_zoo(scale: float = 1.0) -> list[WorldSpec]:
    """The worlds of the zoo: 28 structured worlds, then the 4 null worlds.

    Parameters
    ----------
    scale : float, default=1.0
        Multiplies every world's ``n_customers`` (6,000 at 1.0); 0.1 gives
        quick worlds of 600 customers for tests.

    Returns
    -------
    list of WorldSpec
        Always the same worlds, in the same order, named ``wNN-...`` and
        ``nNN-null-...``.

    Examples
    --------
    >>> zoo = world_zoo(scale=0.1)
    >>> len(zoo), zoo[0].name, zoo[0].n_customers
    (32, 'w01-easy-3', 600)
    >>> [spec.null for spec in zoo[-4:]]
    ['independent', 'demographic', 'noise', 'permuted']
    """
    if not isinstance(scale, (int, float, np.floating)) or not 0.0 < scale < math.inf:
        raise ConfigError(f"Got scale={scale!r}, but expected a positive finite number.")
    return [
        dataclasses.replace(spec, n_customers=max(1, round(spec.n_customers * scale)))
        for spec in (*_STRUCTURED, *_NULL_WORLDS)
    ]


W = WorldSpec
_STRUCTURED = (
    W("w01-easy-3", n_personas=3, n_dimensions=4, separation=3.5, survey_coverage=0.4),
    W("w02-easy-5", n_personas=5, n_dimensions=5, separation=3.5, survey_coverage=0.4),
    W("w03-easy-8", n_personas=8, separation=3.5, survey_coverage=0.4),
    W("w04-twelve-personas", n_personas=12, n_dimensions=8, separation=3.0, survey_coverage=0.5),
    W("w05-hard-separation", separation=1.5),
    W("w06-medium-separation", separation=2.2),
    W("w07-small-shares", shares=(0.40, 0.25, 0.15, 0.10, 0.07, 0.03)),
    W("w08-close-pairs", close_pairs=2),
    W("w09-close-pair-narrow", n_personas=5, close_pairs=1, close_gap=1.0),
    W("w10-low-coverage", survey_coverage=0.10),
    W("w11-high-coverage", survey_coverage=0.60, emotions="scores"),
    W("w12-likert7", scale=(1, 7)),
    W("w13-scale-0-10", scale=(0, 10), items_per_dimension=3),
    W("w14-reverse-shuffled", reverse_share=0.5, shuffle_items=True),
    W("w15-two-items", items_per_dimension=2),
    W("w16-uneven-items", items_per_dimension=(2, 3, 4, 5, 6, 3)),
    W("w17-answer-styles", acquiescence=0.8, straightliner_share=0.08, item_nonresponse=0.10),
    W("w18-own-vocab-full-taxonomy", vocabulary="own"),
    W("w19-own-vocab-partial-taxonomy", vocabulary="own", taxonomy_coverage=0.5),
    W("w20-own-vocab-no-taxonomy", vocabulary="own", taxonomy_coverage=0.0),
    W("w21-behaviour-strong", behaviour_signal=1.0, emotion_signal=1.0),
    W("w22-behaviour-none", behaviour_signal=0.0, emotion_signal=0.0),
    W("w23-comments-en", emotions="text", emotion_coverage=0.6),
    W("w24-comments-it", emotions="text", text_language="it", emotion_coverage=0.6),
    W("w25-emotions-mixed-language", text_language="mixed"),
    W("w26-no-emotions", emotions="none"),
    W("w27-unsorted-no-sessions", sorted_rows=False, session_ids=False),
    W("w28-everything-messy", n_personas=9, close_pairs=1, n_dimensions=7, separation=2.5,
      survey_coverage=0.15, scale=(0, 10), items_per_dimension=(3, 2, 4, 3, 5, 2, 3),
      reverse_share=0.4, shuffle_items=True, acquiescence=0.6, straightliner_share=0.05,
      item_nonresponse=0.08, vocabulary="own", taxonomy_coverage=0.6, sorted_rows=False,
      session_ids=False, text_language="mixed"),
)  # fmt: skip
_NULL_WORLDS = (
    W("n01-null-independent", n_personas=0, null="independent"),
    W("n02-null-demographic", n_personas=0, null="demographic", behaviour_signal=1.0),
    W("n03-null-noise", n_personas=0, null="noise"),
    W("n04-null-permuted", null="permuted", separation=3.5),
)
del W
