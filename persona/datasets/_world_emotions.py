"""A world's emotion readings: scores and short English / Italian comments.

Readings tied to the customers' own touchpoints, their valence and arousal
from the customer's mood and the moment, given as scores, as comments whose
sign is the reading's, or a mix. Draws from the generator it is handed and
touches nothing else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.contract import MOMENTS
from persona.datasets._world_draws import tilts, timestamps

__all__ = ["draw_emotions"]

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


def draw_emotions(spec, vocabulary, drivers, touchpoints, ids, rng) -> pd.DataFrame | None:
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
            "timestamp": timestamps(seconds),
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
    mood = 0.55 * np.tanh(tilts(drivers.profiles, 1, 1.0, rng)[:, 0])
    energy = 0.2 * np.tanh(tilts(drivers.profiles, 1, 1.0, rng)[:, 0])
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
