"""A zoo of synthetic worlds with known personas, to measure discovery on data it was not tuned on.

:func:`~persona.datasets.make_customers` is the customer base persona's
defaults grew up on, so how well persona recovers its personas says little
about other data. The zoo is a family of customer bases drawn from
assumptions of their own. Each :class:`WorldSpec` says how many personas there
are and how far apart their need profiles sit (some pairs differing on one
need dimension only), what the survey instrument looks like (2 to 6 items per
need dimension, on 1..5, 1..7 or 0..10, reverse-keyed and shuffled items,
acquiescence, straight-liners, skipped items), which vocabulary the
touchpoints speak (persona's default one, or a retailer's own that its
taxonomy maps fully, partly or not at all), how strongly personas drive the
journey (channels, event types, moments of truth, dayparts) and the emotions,
and how the tables come (rows shuffled, no session ids, emotions as scores or
as short English / Italian comments). Four null worlds have no personas at
all, so a method that finds some there is caught.

:func:`world_zoo` lists the worlds and :func:`make_world` draws one as a
:class:`~persona.datasets.CustomerData` carrying its ground truth.
Demographics drive activity volume and the channel / device mix, never the
personas. Everything is drawn with numpy over whole arrays from one seeded
generator: loops run over personas, need dimensions, items and vocabulary
entries, never over customers or touchpoints.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from persona.contract._instrument import Instrument
from persona.contract._journey import CHANNELS, DEVICES, MOMENTS
from persona.datasets._base import CustomerData
from persona.features.touchpoints import JourneySettings

__all__ = ["WorldSpec", "make_world", "world_zoo"]

_WINDOW_START = pd.Timestamp("2025-03-03")  # a Monday
_WEEKS = 52
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

# --------------------------------------------------------------------------- vocabularies

# Both vocabularies list channels by kind, in this order, and devices by role, so one
# device table and one age gradient serve both.
_CHANNEL_KINDS = ("site", "app", "shop", "mail", "social", "voice", "messaging")
_OWN_CHANNELS = ("website", "mobile_app", "boutique", "newsletter", "instagram", "hotline",
                 "whatsapp")  # fmt: skip
_OWN_DEVICES = ("smartphone", "laptop", "ipad", "pos_terminal", "landline")
_CHANNEL_BASE = np.array([0.30, 0.26, 0.17, 0.08, 0.09, 0.04, 0.06])
_CHANNEL_BY_AGE = np.array([0.0, 0.7, -0.3, -0.5, 0.9, -0.8, 0.4])  # per SD of age, younger +
_CHANNEL_BY_INCOME = np.array([0.0, 0.1, 0.35, 0.0, -0.1, -0.1, 0.0])
_STAFFED_KINDS = (2, 5)  # shop and voice channels keep opening hours
# Device roles: handheld, computer, tablet, in place, voice; rows by channel kind.
_DEVICE_YOUNG = np.array([
    [55, 35, 10, 0, 0],  # site
    [92, 0, 8, 0, 0],  # app
    [0, 0, 0, 1, 0],  # shop
    [60, 30, 10, 0, 0],  # mail
    [85, 10, 5, 0, 0],  # social
    [0, 0, 0, 0, 1],  # voice
    [90, 8, 2, 0, 0],  # messaging
], dtype=float)  # fmt: skip
_DEVICE_OLD = np.array([
    [25, 55, 20, 0, 0],
    [80, 0, 20, 0, 0],
    [0, 0, 0, 1, 0],
    [30, 50, 20, 0, 0],
    [60, 25, 15, 0, 0],
    [0, 0, 0, 0, 1],
    [75, 15, 10, 0, 0],
], dtype=float)  # fmt: skip

# Event type -> (moment of truth, base weight, channels that carry it).
_DEFAULT_EVENTS = {
    "search": ("ZMOT", 3.0, "web app"),
    "read_review": ("ZMOT", 1.5, "web app social"),
    "compare_products": ("ZMOT", 1.0, "web app"),
    "watch_video": ("ZMOT", 0.8, "social web app"),
    "ask_advice": ("ZMOT", 0.6, "store chat call_center social"),
    "newsletter_open": ("ZMOT", 2.0, "email"),
    "ad_click": ("ZMOT", 1.0, "social web email"),
    "product_view": ("FMOT", 4.0, "web app"),
    "store_visit": ("FMOT", 3.0, "store"),
    "try_product": ("FMOT", 1.0, "store"),
    "add_to_cart": ("FMOT", 1.5, "web app"),
    "wishlist_add": ("FMOT", 0.6, "web app"),
    "purchase": ("SMOT", 1.6, "web app store call_center"),
    "delivery_tracking": ("SMOT", 0.8, "web app email"),
    "support_contact": ("SMOT", 0.5, "chat call_center email store"),
    "return": ("SMOT", 0.25, "store web"),
    "product_use": ("SMOT", 0.8, "app"),
    "write_review": ("UMOT", 0.4, "web app"),
    "share": ("UMOT", 0.4, "social app chat"),
    "social_post": ("UMOT", 0.6, "social"),
    "refer_friend": ("UMOT", 0.2, "app email social chat"),
}
# A retailer's own names, none of them in persona's defaults. Listed taking turns
# across the moments: a world whose taxonomy covers a share of them maps the first ones.
_OWN_EVENTS = {
    "order_placed": ("SMOT", 1.6, "website mobile_app boutique hotline whatsapp"),
    "google_search": ("ZMOT", 3.0, "website mobile_app"),
    "lookbook_view": ("FMOT", 4.0, "website mobile_app instagram"),
    "instagram_post": ("UMOT", 0.6, "instagram"),
    "review_read": ("ZMOT", 1.5, "website mobile_app instagram"),
    "boutique_visit": ("FMOT", 3.0, "boutique"),
    "parcel_tracking": ("SMOT", 0.8, "website mobile_app whatsapp newsletter"),
    "star_rating": ("UMOT", 0.4, "website mobile_app"),
    "price_compare": ("ZMOT", 1.0, "website mobile_app"),
    "basket_add": ("FMOT", 1.5, "website mobile_app"),
    "chat_support": ("SMOT", 0.5, "whatsapp mobile_app hotline"),
    "referral_share": ("UMOT", 0.2, "whatsapp mobile_app"),
    "unboxing_video": ("ZMOT", 0.8, "instagram"),
    "fitting_room": ("FMOT", 1.0, "boutique"),
    "coupon_redeem": ("SMOT", 0.5, "boutique website mobile_app"),
    "review_posted": ("UMOT", 0.4, "website"),
    "stylist_question": ("ZMOT", 0.6, "whatsapp boutique hotline"),
    "wishlist_save": ("FMOT", 0.6, "website mobile_app"),
    "refund_request": ("SMOT", 0.25, "website boutique hotline"),
    "newsletter_click": ("ZMOT", 2.0, "newsletter"),
    "click_collect": ("SMOT", 0.5, "boutique"),
}
# Which event types are purchases, support contacts and refunds, per vocabulary.
_SERVICE_TYPES = {
    "default": ("purchase", "support_contact", "return"),
    "own": ("order_placed", "chat_support", "refund_request"),
}


@dataclass(frozen=True)
class _Vocabulary:
    """Names a world's touchpoints use, and which channel carries which event type."""

    channels: tuple[str, ...]
    devices: tuple[str, ...]
    events: tuple[str, ...]
    moment: np.ndarray  # moment index of each event type
    base: np.ndarray  # base weight of each event type
    carries: np.ndarray  # (channel, event type): 1 where the channel carries it
    purchase: int
    support: int
    refund: int


def _vocabulary(name: str) -> _Vocabulary:
    own = name == "own"
    channels = _OWN_CHANNELS if own else CHANNELS
    table = _OWN_EVENTS if own else _DEFAULT_EVENTS
    events = tuple(table)
    carries = np.zeros((len(channels), len(events)))
    for e, (_, _, carriers) in enumerate(table.values()):
        carries[[channels.index(c) for c in carriers.split()], e] = 1.0
    purchase, support, refund = (events.index(e) for e in _SERVICE_TYPES[name])
    return _Vocabulary(
        channels=channels,
        devices=_OWN_DEVICES if own else DEVICES,
        events=events,
        moment=np.array([MOMENTS.index(m) for m, _, _ in table.values()]),
        base=np.array([w for _, w, _ in table.values()]),
        carries=carries,
        purchase=purchase,
        support=support,
        refund=refund,
    )


# --------------------------------------------------------------------------- comments

# Short comments, as head + tail; every combination reads with its tone's sign (pinned
# in the tests against persona's default scorer).
_COMMENTS = {
    ("en", "positive"): (
        ("great service", "the delivery was fast", "love the new collection",
         "really helpful staff", "easy returns, very happy", "excellent quality",
         "friendly staff", "happy with my order"),
        ("", ", thank you!", ", will buy again"),
    ),
    ("en", "negative"): (
        ("the delivery was late", "terrible customer service", "the parcel arrived broken",
         "very disappointed", "rude staff", "the app keeps crashing, awful", "poor quality",
         "slow and unhelpful support"),
        ("", ", never again", ", not happy"),
    ),
    ("it", "positive"): (
        ("consegna veloce, molto soddisfatta", "servizio ottimo", "personale gentilissimo",
         "prodotto bellissimo", "tutto perfetto, grazie", "qualità eccellente",
         "commessa cortese e simpatica", "sono felice dell'acquisto"),
        ("", ", grazie!", ", tornerò di sicuro"),
    ),
    ("it", "negative"): (
        ("che delusione", "il pacco è arrivato rotto", "la consegna è in ritardo",
         "servizio pessimo", "prodotto difettoso", "personale maleducato",
         "esperienza terribile", "app inaffidabile, che schifo"),
        ("", ", mai più", ", non sono contenta"),
    ),
}  # fmt: skip


# --------------------------------------------------------------------------- the spec


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
            raise ValueError(f"Got name={self.name!r}, but expected a non-empty string.")
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
            raise ValueError(
                f"Got taxonomy_coverage={self.taxonomy_coverage!r} with vocabulary='default', "
                "but persona's default taxonomy maps every default event type: use 1.0, or "
                "vocabulary='own'."
            )
        for name in ("behaviour_signal", "emotion_signal", "emotion_coverage"):
            _check_share(name, getattr(self, name), 1.0)
        for name in ("shuffle_items", "sorted_rows", "session_ids"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"Got {name}={getattr(self, name)!r}, but expected True or False.")
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
        return (per,) * self.n_dimensions if isinstance(per, (int, np.integer)) else tuple(per)

    @property
    def persona_shares(self) -> np.ndarray:
        """The share of each persona (one share of 1.0 in a world without personas)."""
        if not self.has_personas:
            return np.ones(1)
        if self.shares is not None:
            return np.asarray(self.shares, dtype=float)
        return _default_shares(self.n_personas)


def _check_whole(name: str, value, low: int, high: int | None) -> None:
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"from {low} to {high}"
        raise ValueError(f"Got {name}={value!r}, but expected a whole number {span}.")


def _check_share(name: str, value, high: float) -> None:
    number = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not number or not 0.0 <= value <= high:
        raise ValueError(f"Got {name}={value!r}, but expected a number in [0, {high:g}].")


def _check_positive(name: str, value) -> None:
    number = isinstance(value, (int, float, np.floating)) and not isinstance(value, bool)
    if not number or not 0.0 < value < math.inf:
        raise ValueError(f"Got {name}={value!r}, but expected a positive finite number.")


def _check_choice(name: str, value, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"Got {name}={value!r}, but expected one of {list(choices)}.")


def _check_personas(spec: WorldSpec) -> None:
    if spec.has_personas:
        _check_whole("n_personas", spec.n_personas, 3, 12)
    elif spec.n_personas not in (0, 1):
        raise ValueError(
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
        raise ValueError(
            f"Got shares={spec.shares!r}, but expected {spec.n_personas} shares of at least "
            "0.03 that sum to 1 (or None for the default spread)."
        )


def _check_survey(spec: WorldSpec) -> None:
    _check_share("survey_coverage", spec.survey_coverage, 1.0)
    scale = spec.scale
    if tuple(scale) not in _SCALES:
        raise ValueError(f"Got scale={scale!r}, but expected one of {list(_SCALES)}.")
    counts = spec.item_counts
    if len(counts) != spec.n_dimensions:
        raise ValueError(
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
        raise ValueError(f"Got scale={scale!r}, but expected a positive finite number.")
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


# --------------------------------------------------------------------------- drawing a world


def make_world(spec: WorldSpec, random_state: int | np.random.Generator | None = None):
    """Draw one world of the zoo: its input tables and its ground truth.

    Parameters
    ----------
    spec : WorldSpec
        The world to draw (see :func:`world_zoo`).
    random_state : int, numpy Generator or None
        Seed; the same spec and seed give the same tables.

    Returns
    -------
    CustomerData
        ``events`` (customer_id, timestamp, channel, device, event_type, value,
        and session_id when the spec asks), ``survey`` (customer_id + the
        items, NaN where skipped), ``emotions`` (customer_id, timestamp,
        event_type, and valence / arousal and / or text), ``demographics``
        (customer_id, age, age_band, region, gender, income), ``instrument``,
        ``journey`` (the JourneySettings of an own vocabulary, else None),
        ``truth`` (true persona id by customer_id; 0 throughout a null world),
        ``personas`` (name, share, size, close_to, need profile) and
        ``notes`` (``spec``, ``close_pairs`` as (persona, persona, dimension),
        ``dimensions``).

    Examples
    --------
    >>> from persona.datasets import WorldSpec, make_world
    >>> spec = WorldSpec("tiny", n_customers=500, n_personas=4, vocabulary="own")
    >>> data = make_world(spec, random_state=0)
    >>> data.events["customer_id"].nunique(), len(data.survey)
    (500, 150)
    >>> data.journey.purchase_types, "session_id" in data.events
    (('order_placed',), True)
    """
    if not isinstance(spec, WorldSpec):
        raise TypeError(f"Got spec={spec!r}, but expected a WorldSpec (see world_zoo()).")
    rng = np.random.default_rng(random_state)
    n = spec.n_customers
    ids = 1_000_000 + np.cumsum(1 + rng.geometric(0.4, n)).astype(np.int64)
    people = _demographics(n, rng)
    shares = spec.persona_shares
    profiles, pairs = _need_profiles(spec, shares, rng)
    persona = _draw(shares[None, :], np.zeros(n, dtype=np.int64), rng)
    needs = _needs(spec, profiles, persona, people, rng)
    drivers = _drivers(spec, profiles, persona, needs, people, rng)
    vocabulary = _vocabulary(spec.vocabulary)
    touchpoints = _journeys(spec, vocabulary, drivers, people, rng)
    instrument, layout = _instrument(spec, rng)
    activity = np.bincount(touchpoints["customer"], minlength=n)
    survey = _survey(spec, layout, needs, activity, ids, rng)
    emotions = _emotions(spec, vocabulary, drivers, touchpoints, ids, rng)
    truth = persona if spec.null is None else np.zeros(n, dtype=np.int64)
    dimensions = tuple(NEED_DIMENSIONS)[: spec.n_dimensions]
    return CustomerData(
        events=_events_table(spec, vocabulary, touchpoints, ids, rng),
        survey=survey,
        emotions=emotions,
        demographics=_shuffled(spec, _people_table(people, ids), rng),
        instrument=instrument,
        journey=_journey_settings(spec, vocabulary),
        truth=pd.Series(truth, index=pd.Index(ids, name="customer_id"), name="persona"),
        personas=_persona_table(spec, profiles, shares, truth, pairs, dimensions),
        observation_end=_WINDOW_START + pd.Timedelta(weeks=_WEEKS),
        description=f"world {spec.name} ({n:,} customers, seed {random_state})",
        source="persona.datasets.make_world",
        licence="BSD-3-Clause (generated by persona)",
        notes={
            "spec": spec,
            "close_pairs": pairs if spec.null is None else (),
            "dimensions": dimensions,
        },
    )


def _draw(weights: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category per entry of ``rows``, from the row of ``weights`` it points at.

    The rows' cumulative shares are laid end to end (row ``r`` spans ``[r, r + 1)``)
    so a single ``searchsorted`` inverts every row's distribution at once.
    """
    n_rows, n_categories = weights.shape
    cumulative = np.cumsum(weights, axis=1)
    cumulative = cumulative / cumulative[:, -1:] + np.arange(n_rows)[:, None]
    picks = np.searchsorted(cumulative.ravel(), rows + rng.random(len(rows)), side="right")
    return np.clip(picks - rows * n_categories, 0, n_categories - 1)


def _shuffled(spec: WorldSpec, table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    if spec.sorted_rows:
        return table
    return table.iloc[rng.permutation(len(table))].reset_index(drop=True)


# --------------------------------------------------------------------------- customers and needs

_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_EDGES = np.array([18, 25, 35, 45, 55, 65, 86])
_AGE_SHARE = np.array([0.13, 0.20, 0.20, 0.18, 0.15, 0.14])
_ACTIVITY_BY_AGE = np.array([1.30, 1.20, 1.05, 0.95, 0.80, 0.65])


def _demographics(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Who the customers are; drawn before, and apart from, their personas."""
    zeros = np.zeros(n, dtype=np.int64)
    band = _draw(_AGE_SHARE[None, :], zeros, rng)
    age = rng.integers(_AGE_EDGES[band], _AGE_EDGES[band + 1])
    log_income = 10.1 + 0.12 * np.minimum(band, 3) + rng.normal(0.0, 0.5, n)
    income = np.round(np.exp(log_income), -2).astype(np.int64)
    rich = (income > 30_000).astype(int) + (income > 55_000)
    regions = np.array(["north", "centre", "south", "islands"])
    genders = np.array(["female", "male", "non-binary"])
    return {
        "age": age,
        "age_band": band,
        "age_z": (age - 46.0) / 16.0,
        "income": income,
        "income_z": (log_income - 10.4) / 0.5,
        "region": regions[_draw(np.array([[0.44, 0.21, 0.23, 0.12]]), zeros, rng)],
        "gender": genders[_draw(np.array([[0.52, 0.46, 0.02]]), zeros, rng)],
        "activity": _ACTIVITY_BY_AGE[band] * np.array([0.9, 1.0, 1.15])[rich],
    }


def _people_table(people: dict[str, np.ndarray], ids: np.ndarray) -> pd.DataFrame:
    band = pd.Categorical.from_codes(people["age_band"], _AGE_BANDS, ordered=True)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "age": people["age"],
            "age_band": band,
            "region": people["region"],
            "gender": people["gender"],
            "income": people["income"],
        }
    )


def _need_profiles(
    spec: WorldSpec, shares: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[tuple[int, int, int], ...]]:
    """Personas' need profiles (rows, centred on the customer base) and close pairs.

    Anchor personas are spread as far apart as a greedy farthest-point pick
    allows, then scaled so the closest two are ``separation`` apart. Each close
    pair adds a partner to an anchor, ``close_gap`` away along one need
    dimension, in the direction that keeps it farthest from everyone else.
    """
    if not spec.has_personas:
        return np.zeros((1, spec.n_dimensions)), ()
    n_anchors = spec.n_personas - spec.close_pairs
    profiles = _spread_apart(n_anchors, spec.n_dimensions, spec.separation, rng)
    pairs = []
    for anchor in rng.choice(n_anchors, spec.close_pairs, replace=False):
        partner, dimension = _close_partner(profiles, int(anchor), spec.close_gap)
        pairs.append((int(anchor), len(profiles), dimension))
        profiles = np.vstack([profiles, partner])
    # Persona ids in random order, so partners are not always the smallest personas.
    order = rng.permutation(spec.n_personas)
    new_id = np.argsort(order)
    profiles = profiles[order]
    profiles = profiles - shares @ profiles
    pairs = tuple((int(new_id[a]), int(new_id[b]), d) for a, b, d in pairs)
    return profiles, pairs


def _spread_apart(k: int, d: int, separation: float, rng: np.random.Generator) -> np.ndarray:
    candidates = rng.normal(size=(max(64 * k, 512), d))
    chosen = [0]
    nearest = np.linalg.norm(candidates - candidates[0], axis=1)
    for _ in range(1, k):
        chosen.append(int(nearest.argmax()))
        nearest = np.minimum(nearest, np.linalg.norm(candidates - candidates[chosen[-1]], axis=1))
    points = candidates[chosen] - candidates[chosen].mean(axis=0)
    gaps = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    return points * (separation / gaps[np.triu_indices(k, 1)].min())


def _close_partner(profiles: np.ndarray, anchor: int, gap: float) -> tuple[np.ndarray, int]:
    d = profiles.shape[1]
    options = profiles[anchor] + gap * np.vstack([np.eye(d), -np.eye(d)])
    others = np.delete(profiles, anchor, axis=0)
    room = np.linalg.norm(options[:, None, :] - others[None, :, :], axis=2).min(axis=1)
    best = int(room.argmax())
    return options[best], best % d


def _needs(spec, profiles, persona, people, rng) -> np.ndarray:
    """Each customer's needs: the persona's profile plus their own spread of 1."""
    n, d = len(persona), spec.n_dimensions
    spread = rng.normal(size=(n, d))
    if spec.null == "noise":
        factors = rng.normal(0.0, 0.7, (d, 2))
        covariance = factors @ factors.T + np.eye(d)
        scale = np.sqrt(np.diag(covariance))
        return spread @ np.linalg.cholesky(covariance / np.outer(scale, scale)).T
    if spec.null == "demographic":
        direction = rng.normal(size=d)
        return spread + 0.5 * people["age_z"][:, None] * direction / np.linalg.norm(direction)
    return profiles[persona] + spread


@dataclass(frozen=True)
class _Drivers:
    """What shapes a world's journeys and feelings, by behaviour group."""

    group: np.ndarray  # each customer's behaviour group
    profiles: np.ndarray  # (groups, need dimensions): the needs that shape each group
    channel_needs: np.ndarray  # (customers, need dimensions): needs that tilt channel habits
    volume: np.ndarray  # activity multiplier of each group
    behaviour: float
    emotion: float


def _drivers(spec, profiles, persona, needs, people, rng) -> _Drivers:
    n, d = needs.shape
    if spec.null == "demographic":
        group = np.minimum(people["age_band"] // 2 + (people["age_band"] == 5), 3)
        shapes = rng.normal(0.0, 1.5, (4, d))
        volume = np.array([1.5, 1.1, 0.8, 0.6])
        return _Drivers(group, shapes, shapes[group], volume, spec.behaviour_signal, 0.0)
    nobody = np.zeros(n, dtype=np.int64)
    if spec.null in ("independent", "permuted"):
        return _Drivers(nobody, np.zeros((1, d)), np.zeros((n, d)), np.ones(1), 0.0, 0.0)
    if spec.null == "noise":
        return _Drivers(nobody, np.zeros((1, d)), needs, np.ones(1), spec.behaviour_signal, 0.0)
    return _Drivers(
        persona, profiles, needs, np.ones(len(profiles)), spec.behaviour_signal,
        spec.emotion_signal,
    )  # fmt: skip


def _tilts(needs: np.ndarray, n_out: int, strength: float, rng) -> np.ndarray:
    """Logits that needs give ``n_out`` options, through a random loading.

    Scaled so that needs one unit from the centre on every dimension move the
    logits by about ``strength``: needs farther apart (a larger separation)
    behave more differently.
    """
    loading = rng.normal(size=(needs.shape[1], n_out))
    return strength * needs @ loading / np.sqrt(needs.shape[1])


# --------------------------------------------------------------------------- journeys

_SESSIONS = 7.0  # sessions in a year of an average customer
_TOUCHES = 2.8  # touchpoints per session of an average customer
_TILT = 1.0  # spread of need-driven logits at a signal of 1
_DAYPART_BASE = np.array([0.05, 0.35, 0.33, 0.27])  # night, morning, afternoon, evening


def _journeys(spec, vocabulary, drivers, people, rng) -> dict[str, np.ndarray]:
    """Sessions and their touchpoints, as arrays in customer order."""
    signal = drivers.behaviour * _TILT
    events = _event_table(vocabulary, drivers.profiles, signal, rng)
    touches = 1.6 + 2.4 / (1.0 + np.exp(-_tilts(drivers.profiles, 1, signal, rng)[:, 0]))
    sessions = _sessions(drivers, people, touches, signal, rng)
    n_touches = 1 + rng.poisson(touches[drivers.group[sessions["customer"]]] - 1.0)
    session = np.repeat(np.arange(len(n_touches)), n_touches)
    customer = sessions["customer"][session]
    channel = sessions["channel"][session]
    event = _draw(events, drivers.group[customer] * len(vocabulary.channels) + channel, rng)
    # A session runs, by and large, from research to expression.
    order = np.lexsort((vocabulary.moment[event] + rng.normal(0.0, 0.8, len(event)), session))
    event = event[order]
    basket = _baskets(drivers, people, signal, rng)[customer]
    return {
        "customer": customer,
        "seconds": sessions["start"][session] + _offsets(n_touches, rng),
        "session_id": _session_ids(sessions["start"])[session],
        "channel": channel,
        "device": sessions["device"][session],
        "event_type": event,
        "value": _values(event, vocabulary, basket, rng),
    }


def _event_table(vocabulary, profiles, signal, rng) -> np.ndarray:
    """Weights of each event type, by (behaviour group, channel) row.

    Needs tilt the moments of truth a group lives in and, less, the event
    types within them; a channel only carries its own event types.
    """
    moment_tilt = _tilts(profiles, len(MOMENTS), signal, rng)[:, vocabulary.moment]
    event_tilt = _tilts(profiles, len(vocabulary.events), 0.6 * signal, rng)
    weights = vocabulary.base * np.exp(moment_tilt + event_tilt)
    table = weights[:, None, :] * vocabulary.carries[None, :, :]
    return table.reshape(-1, len(vocabulary.events))


def _sessions(drivers, people, touches, signal, rng) -> dict[str, np.ndarray]:
    n = len(drivers.group)
    joined = np.where(rng.random(n) < 0.3, rng.integers(0, _WEEKS - 8, n), 0)
    # Volume follows demographics and habit; a group with longer sessions comes back less
    # often, so the number of touchpoints does not tell the personas apart.
    rate = _SESSIONS * people["activity"] * drivers.volume[drivers.group]
    rate *= (_WEEKS - joined) / _WEEKS * _TOUCHES / touches[drivers.group]
    rate *= rng.lognormal(-0.2, 0.65, n)
    n_sessions = 1 + rng.poisson(np.maximum(rate - 1.0, 0.0))
    customer = np.repeat(np.arange(n), n_sessions)
    channel = _draw(_channel_habits(drivers, people, signal, rng), customer, rng)
    # Device by channel kind, blending young and old habits by age band.
    older = (np.arange(len(_AGE_BANDS)) / (len(_AGE_BANDS) - 1))[None, :, None]
    devices = _DEVICE_YOUNG[:, None, :] * (1.0 - older) + _DEVICE_OLD[:, None, :] * older
    band = people["age_band"][customer]
    device = _draw(devices.reshape(-1, 5), channel * len(_AGE_BANDS) + band, rng)
    start = _session_starts(drivers, channel, joined[customer], customer, signal, rng)
    return {"customer": customer, "channel": channel, "device": device, "start": start}


def _channel_habits(drivers, people, signal, rng) -> np.ndarray:
    """Each customer's channel weights: age, income, needs and a personal twist."""
    logits = np.log(_CHANNEL_BASE) - np.outer(people["age_z"], _CHANNEL_BY_AGE)
    logits += np.outer(people["income_z"], _CHANNEL_BY_INCOME)
    logits += _tilts(drivers.channel_needs, len(_CHANNEL_BASE), signal, rng)
    logits += rng.normal(0.0, 0.4, logits.shape)
    return np.exp(logits - logits.max(axis=1, keepdims=True))


def _session_starts(drivers, channel, joined, customer, signal, rng) -> np.ndarray:
    """Seconds from the window's start: week, weekday or weekend, daypart, hour."""
    n = len(customer)
    group = drivers.group[customer]
    week = joined + np.floor(rng.random(n) * (_WEEKS - joined)).astype(np.int64)
    weekend_logit = np.log(2 / 5) + _tilts(drivers.profiles, 1, signal, rng)[:, 0]
    weekend = rng.random(n) < 1.0 / (1.0 + np.exp(-weekend_logit))[group]
    day = np.where(weekend, 5 + rng.integers(0, 2, n), rng.integers(0, 5, n))
    dayparts = _DAYPART_BASE * np.exp(_tilts(drivers.profiles, 4, signal, rng))
    hour = _draw(dayparts, group, rng) * 6 + rng.integers(0, 6, n)
    closed = np.isin(channel, _STAFFED_KINDS) & ((hour < 9) | (hour >= 20))
    hour[closed] = rng.integers(9, 20, int(closed.sum()))
    return ((week * 7 + day) * 24 + hour) * 3_600 + rng.integers(0, 3_600, n)


def _offsets(n_touches: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seconds from its session's start to each touchpoint: quick taps, capped gaps."""
    gap = np.minimum(rng.exponential(70.0, int(n_touches.sum())), 900.0)
    first = np.cumsum(n_touches) - n_touches
    gap[first] = 0.0
    elapsed = np.cumsum(gap)
    return np.round(elapsed - np.repeat(elapsed[first], n_touches)).astype(np.int64)


def _session_ids(start: np.ndarray) -> np.ndarray:
    """Session ids numbered in time order, as a web analytics export numbers them."""
    ids = np.empty(len(start), dtype=np.int64)
    ids[np.argsort(start, kind="stable")] = np.arange(1, len(start) + 1)
    return ids


def _baskets(drivers, people, signal, rng) -> np.ndarray:
    """Each customer's typical basket: income, and how the group's needs spend."""
    spend = _tilts(drivers.profiles, 1, 0.4 * signal, rng)[:, 0]
    return 38.0 * np.exp(0.3 * people["income_z"] + spend[drivers.group])


def _values(event, vocabulary, basket, rng) -> np.ndarray:
    """Money on purchases (positive) and on some refunds (negative, as exports write them)."""
    value = np.full(len(event), np.nan)
    bought = np.flatnonzero(event == vocabulary.purchase)
    amount = np.round(basket[bought] * rng.lognormal(0.0, 0.55, len(bought)), 2)
    value[bought] = np.maximum(amount, 0.01)
    refunded = np.flatnonzero((event == vocabulary.refund) & (rng.random(len(event)) < 0.6))
    amount = np.round(basket[refunded] * rng.lognormal(-0.3, 0.5, len(refunded)), 2)
    value[refunded] = -np.maximum(amount, 0.01)
    return value


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the window's start as tz-naive datetime64[us]."""
    start = np.datetime64(_WINDOW_START.to_datetime64(), "s")
    return (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]")


def _events_table(spec, vocabulary, touchpoints, ids, rng) -> pd.DataFrame:
    """The touchpoints as an event log: in time order, or shuffled."""
    n = len(touchpoints["seconds"])
    order = (
        np.argsort(touchpoints["seconds"], kind="stable")
        if spec.sorted_rows
        else rng.permutation(n)
    )
    columns = {
        "customer_id": ids[touchpoints["customer"][order]],
        "timestamp": _timestamps(touchpoints["seconds"][order]),
    }
    if spec.session_ids:
        columns["session_id"] = touchpoints["session_id"][order]
    labels = {"channel": vocabulary.channels, "device": vocabulary.devices,
              "event_type": vocabulary.events}  # fmt: skip
    for column, names in labels.items():
        columns[column] = pd.Categorical.from_codes(touchpoints[column][order], names)
    columns["value"] = touchpoints["value"][order]
    return pd.DataFrame(columns)


def _journey_settings(spec: WorldSpec, vocabulary: _Vocabulary) -> JourneySettings | None:
    """How to read an own vocabulary: its (partial) taxonomy and service event types."""
    if spec.vocabulary == "default":
        return None
    mapped = round(spec.taxonomy_coverage * len(vocabulary.events))
    taxonomy = {
        event: MOMENTS[moment]
        for event, moment in zip(
            vocabulary.events[:mapped], vocabulary.moment[:mapped], strict=True
        )
    }
    purchase, support, refund = _SERVICE_TYPES["own"]
    return JourneySettings(
        taxonomy=taxonomy,
        purchase_types=(purchase,),
        support_types=(support,),
        return_types=(refund,),
    )


# --------------------------------------------------------------------------- survey

_ITEM_NOISE = 0.6  # an item's own noise, in need units


@dataclass(frozen=True)
class _Layout:
    """How each survey item, in instrument order, answers to the needs."""

    names: tuple[str, ...]
    dimension: np.ndarray
    sign: np.ndarray  # -1 for reverse-keyed items
    loading: np.ndarray
    difficulty: np.ndarray


def _instrument(spec: WorldSpec, rng: np.random.Generator) -> tuple[Instrument, _Layout]:
    """The world's instrument: items per need dimension, keyed, named and ordered."""
    dimensions = tuple(NEED_DIMENSIONS)[: spec.n_dimensions]
    counts = np.array(spec.item_counts)
    dimension = np.repeat(np.arange(len(counts)), counts)
    position = np.arange(len(dimension)) - np.repeat(np.cumsum(counts) - counts, counts)
    reverse = np.zeros(len(dimension), dtype=bool)
    # The first item of every dimension stays keyed forward.
    candidates = np.flatnonzero(position > 0)
    n_reverse = min(round(spec.reverse_share * len(dimension)), len(candidates))
    reverse[rng.choice(candidates, n_reverse, replace=False)] = True
    order = rng.permutation(len(dimension)) if spec.shuffle_items else np.arange(len(dimension))
    names = tuple(
        f"q{i + 1:02d}"
        if spec.shuffle_items
        else f"{dimensions[dimension[o]][:3]}{position[o] + 1}"
        for i, o in enumerate(order)
    )
    items = [
        {
            "item": name,
            "dimension": dimensions[dimension[o]],
            "scale": list(spec.scale),
            "reverse": bool(reverse[o]),
            "text": _item_text(dimensions[dimension[o]], reverse[o]),
        }
        for name, o in zip(names, order, strict=True)
    ]
    instrument = Instrument(
        f"{spec.name}-needs", items, {d: NEED_DIMENSIONS[d] for d in dimensions}
    )
    layout = _Layout(
        names=names,
        dimension=dimension[order],
        sign=np.where(reverse[order], -1.0, 1.0),
        loading=rng.uniform(0.7, 1.0, len(order)),
        difficulty=rng.uniform(-0.3, 0.3, len(order)),
    )
    return instrument, layout


def _item_text(dimension: str, reverse: bool) -> str:
    about = NEED_DIMENSIONS[dimension]
    return f"When I shop, {about} {'hardly matters' if reverse else 'matters'} to me."


def _survey(spec, layout, needs, activity, ids, rng) -> pd.DataFrame | None:
    """Answers of the respondents (busier customers answer more often)."""
    n = len(ids)
    k = round(spec.survey_coverage * n)
    if k == 0:
        return None
    keys = 0.5 * np.log1p(activity) + rng.gumbel(size=n)
    respondents = np.sort(np.argpartition(-keys, k - 1)[:k]) if k < n else np.arange(n)
    answers = _answers(spec, layout, needs, respondents, rng)
    survey = pd.DataFrame(answers, columns=list(layout.names))
    survey.insert(0, "customer_id", ids[respondents])
    return _shuffled(spec, survey, rng)


def _answers(spec, layout, needs, respondents, rng) -> np.ndarray:
    """Likert answers: need x loading + noise, standardised over the customer base, plus
    the respondent's acquiescence, cut into the scale's steps."""
    k, m = len(respondents), len(layout.names)
    spread = needs.std(axis=0)[layout.dimension] * layout.loading
    item_sd = np.sqrt(spread**2 + _ITEM_NOISE**2)
    latent = layout.sign * layout.loading * needs[respondents][:, layout.dimension]
    latent += rng.normal(0.0, _ITEM_NOISE, (k, m))
    latent = latent / item_sd + layout.difficulty + rng.normal(0.0, spec.acquiescence, (k, 1))
    low, high = spec.scale
    answers = np.clip(np.round((low + high) / 2 + latent * (high - low) / 4), low, high) + 0.0
    if spec.null == "permuted":
        answers = rng.permuted(answers, axis=0)  # each item's answers shuffled on its own
    straight = rng.random(k) < spec.straightliner_share
    answers[straight] = rng.integers((low + high) // 2, high + 1, (int(straight.sum()), 1))
    skipped = rng.random((k, m)) < spec.item_nonresponse
    skipped[skipped.all(axis=1), 0] = False  # every respondent answers at least one item
    answers[skipped] = np.nan
    return answers


# --------------------------------------------------------------------------- emotions


def _emotions(spec, vocabulary, drivers, touchpoints, ids, rng) -> pd.DataFrame | None:
    """Readings tied to the customers' own touchpoints, as scores and / or comments."""
    n = len(ids)
    k = round(spec.emotion_coverage * n)
    if spec.emotions == "none" or k == 0:
        return None
    covered = np.sort(rng.permutation(n)[:k])
    who = np.repeat(covered, 1 + rng.poisson(2.0, k))
    # A customer's touchpoints sit side by side, in customer order.
    counts = np.bincount(touchpoints["customer"], minlength=n)
    first = np.cumsum(counts) - counts
    touch = first[who] + np.floor(rng.random(len(who)) * counts[who]).astype(np.int64)
    event = touchpoints["event_type"][touch]
    valence, arousal = _feelings(vocabulary, drivers, who, event, rng)
    italian = {"en": np.zeros(n, bool), "it": np.ones(n, bool)}.get(spec.text_language)
    if italian is None:
        italian = rng.random(n) < 0.5
    seconds = touchpoints["seconds"][touch] + rng.integers(60, 7_200, len(who))
    table = pd.DataFrame(
        {
            "customer_id": ids[who],
            "timestamp": _timestamps(seconds),
            "event_type": pd.Categorical.from_codes(event, vocabulary.events),
            **_readings(spec, valence, arousal, italian[who], rng),
        }
    )
    if not spec.sorted_rows:
        return table.iloc[rng.permutation(len(table))].reset_index(drop=True)
    return table.iloc[np.argsort(seconds, kind="stable")].reset_index(drop=True)


def _feelings(vocabulary, drivers, who, event, rng) -> tuple[np.ndarray, np.ndarray]:
    """Valence and arousal of each reading: the customer's mood (their group's, as far as
    ``emotion_signal`` says, and their own), the moment, and the reading's noise."""
    mood = 0.55 * np.tanh(_tilts(drivers.profiles, 1, 1.0, rng)[:, 0])
    energy = 0.2 * np.tanh(_tilts(drivers.profiles, 1, 1.0, rng)[:, 0])
    group = drivers.group
    latent = 0.1 + drivers.emotion * mood[group] + rng.normal(0.0, 0.2, len(group))
    moment = np.where(vocabulary.moment == MOMENTS.index("UMOT"), 0.1, 0.0)
    moment[[vocabulary.support, vocabulary.refund, vocabulary.purchase]] = (-0.35, -0.45, 0.15)
    valence = latent[who] + moment[event] + rng.normal(0.0, 0.2, len(who))
    valence = np.clip(valence, -1.0, 1.0).round(3)
    arousal = 0.45 + drivers.emotion * energy[group[who]] + 0.3 * np.abs(valence)
    arousal = np.clip(arousal + rng.normal(0.0, 0.1, len(who)), 0.0, 1.0).round(3)
    return valence, arousal


def _readings(spec, valence, arousal, italian, rng) -> dict[str, np.ndarray]:
    """The signal columns: scores, comments whose sign is the reading's, or a mix."""
    m = len(valence)
    as_text = (
        rng.random(m) < 0.4 if spec.emotions == "both" else np.full(m, spec.emotions == "text")
    )
    columns = {}
    if spec.emotions != "text":
        columns["valence"] = np.where(as_text, np.nan, valence)
        columns["arousal"] = np.where(as_text, np.nan, arousal)
    if spec.emotions != "scores":
        text = np.full(m, None, dtype=object)
        rows = np.flatnonzero(as_text)
        text[rows] = _comments(valence[rows] >= 0.0, italian[rows], rng)
        columns["text"] = text
    return columns


def _comments(positive: np.ndarray, italian: np.ndarray, rng) -> np.ndarray:
    """One comment per reading, from the templates of its language and tone."""
    text = np.empty(len(positive), dtype=object)
    for (language, tone), (heads, tails) in _COMMENTS.items():
        rows = np.flatnonzero((italian == (language == "it")) & (positive == (tone == "positive")))
        options = np.array([head + tail for head in heads for tail in tails], dtype=object)
        text[rows] = options[rng.integers(0, len(options), len(rows))]
    return text


# --------------------------------------------------------------------------- ground truth


def _persona_table(spec, profiles, shares, truth, pairs, dimensions) -> pd.DataFrame:
    """One row per true persona: name, share asked, size drawn, close partner, needs.

    A null world has a single row, "no personas", with a flat profile.
    """
    if spec.null is not None:
        profiles, shares, pairs = np.zeros((1, len(dimensions))), np.ones(1), ()
    k = len(profiles)
    close_to = np.full(k, -1)
    for one, other, _ in pairs:
        close_to[one], close_to[other] = other, one
    table = pd.DataFrame(
        {
            "name": _persona_names(profiles, dimensions) if spec.null is None else ["no personas"],
            "share": shares,
            "size": np.bincount(truth, minlength=k),
            "close_to": close_to,
        },
        index=pd.RangeIndex(k, name="persona"),
    )
    needs = pd.DataFrame(profiles, columns=[f"need_{d}" for d in dimensions], index=table.index)
    return table.join(needs)


def _persona_names(profiles: np.ndarray, dimensions: tuple[str, ...]) -> list[str]:
    """'P03 high novelty, low security': the persona's two most distinct needs."""
    names = []
    for persona, profile in enumerate(profiles):
        top = np.argsort(-np.abs(profile), kind="stable")[:2]
        words = ", ".join(f"{'high' if profile[d] > 0 else 'low'} {dimensions[d]}" for d in top)
        names.append(f"P{persona:02d} {words}")
    return names
