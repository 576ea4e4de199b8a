"""Text scoring: turn what customers write into emotion scores, offline.

An emotion reading may come as text ("The delivery was late again.") instead
of numbers. A *scorer* turns texts into the scores of the ``emotions``
contract, so scored text flows through the same features as numeric readings.
Scorers are pluggable: anything with a ``score(texts, languages)`` method that
returns one row of scores per text is an :class:`EmotionScorer`.

The default, :class:`LexiconScorer`, reads English and Italian comments word
by word (no network, no model weights) and gives valence, arousal and the
eight emotions; :func:`comment_scores` is its one-text form, which the
one-record path (``persona.features.record``) calls, so both paths give the
same numbers. Its lexicons (VADER's for English, Pattern's for Italian,
persona's own emotion word lists: ``persona/features/lexicons``) are loaded
once per process, when a text in their language is first read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from persona.contract._schema import EMOTIONS

__all__ = [
    "SUPPORTED_LANGUAGES",
    "EmotionScorer",
    "LexiconScorer",
    "detect_language",
    "score_texts",
]

#: Languages the default :class:`LexiconScorer` can score.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "it")

_SCORE_RANGES = {"valence": (-1.0, 1.0), "arousal": (0.0, 1.0), **{e: (0.0, 1.0) for e in EMOTIONS}}


@runtime_checkable
class EmotionScorer(Protocol):
    """Anything that scores a batch of texts: the interface persona calls.

    ``score(texts, languages=None)`` gets a sequence of texts and, optionally,
    one language code per text (``"en"``, ``"it"``, ...; ``None`` where
    unknown). It returns a DataFrame with one row per text, in the order
    given, and a ``valence`` column in [-1, 1]; it may add ``arousal`` and any
    of the eight emotions (``joy``, ``trust``, ``fear``, ``surprise``,
    ``sadness``, ``disgust``, ``anger``, ``anticipation``), each in [0, 1].
    NaN means the scorer cannot say. Other columns are ignored. persona calls
    it once per batch, with each distinct text once.

    Examples
    --------
    >>> import pandas as pd
    >>> class Exclamations:
    ...     def score(self, texts, languages=None):
    ...         return pd.DataFrame({"valence": [0.5 if t.endswith("!") else 0.0 for t in texts]})
    >>> isinstance(Exclamations(), EmotionScorer)
    True
    >>> score_texts(["Great!", "Ok."], scorer=Exclamations())["valence"].tolist()
    [0.5, 0.0]
    """

    def score(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> pd.DataFrame: ...


def score_texts(
    texts: Sequence[str],
    languages: Sequence[str | None] | None = None,
    *,
    scorer: EmotionScorer | None = None,
) -> pd.DataFrame:
    """Score texts with ``scorer`` (default :class:`LexiconScorer`) and check the result.

    Returns one row per text (a fresh ``RangeIndex``) with the score columns
    the scorer gave among ``valence``, ``arousal`` and the eight emotions, as
    float64. A scorer that breaks the :class:`EmotionScorer` contract (wrong
    number of rows, no ``valence``, a score out of range) raises ValueError
    naming the scorer.

    Examples
    --------
    >>> scores = score_texts(["I love this shop!", "Servizio pessimo."])
    >>> (scores["valence"] > 0).tolist()
    [True, False]
    """
    texts = list(texts)
    if languages is not None:
        languages = list(languages)
        if len(languages) != len(texts):
            raise ValueError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
    if scorer is None:
        scorer = LexiconScorer()
    elif not isinstance(scorer, EmotionScorer):
        raise TypeError(
            f"Got scorer={scorer!r}, but expected an object with a method "
            "score(texts, languages=None) returning a DataFrame (see EmotionScorer)."
        )
    scores = scorer.score(texts, languages)
    return _checked_scores(scores, len(texts), type(scorer).__name__)


def _checked_scores(scores: Any, n_texts: int, name: str) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(
            f"The scorer {name} returned {type(scores).__name__}, but a scorer must return a "
            "pandas DataFrame with one row per text."
        )
    if len(scores) != n_texts:
        raise ValueError(
            f"The scorer {name} returned {len(scores)} rows for {n_texts} texts, but a scorer "
            "must return one row per text, in the order given."
        )
    if "valence" not in scores.columns:
        raise ValueError(
            f"The scorer {name} returned the columns {list(scores.columns)[:10]}, but a scorer "
            "must return at least 'valence' (in [-1, 1], NaN where it cannot say)."
        )
    checked = {}
    for column, (low, high) in _SCORE_RANGES.items():
        if column not in scores.columns:
            continue
        values = pd.to_numeric(scores[column], errors="coerce").to_numpy(dtype="float64")
        outside = ~np.isnan(values) & ((values < low) | (values > high))
        if outside.any():
            first = values[outside][:3].tolist()
            raise ValueError(
                f"The scorer {name} returned {column} {first}, but expected values in "
                f"[{low:g}, {high:g}] (NaN where it cannot say)."
            )
        checked[column] = values
    return pd.DataFrame(checked)


# --------------------------------------------------------------------------- language

_TOKEN = re.compile(r"[^\W\d_]+")

# Frequent function words of one language and not the other. Words both use
# ("a", "i", "in", "no", "come", "me") are left out so they cannot vote.
_STOP_WORDS = {
    "en": frozenset(
        "the and is was were are it this that my to of with for not very so but have has "
        "had be been at on you they we what after too an our your their from by".split()
    ),
    "it": frozenset(
        "il lo la gli le un una uno di del della dei delle che è e non per con sono ho ha "
        "mi molto questo questa ma al alla nel nella più anche mio mia perché sempre tutto "
        "da dal si ci sei era".split()
    ),
}
_VOWELS = frozenset("aeiouàèéìíòóù")


def detect_language(text: str) -> str:
    """Guess whether ``text`` is English or Italian, offline, by a vote of its words.

    A frequent function word of one language and not the other ("the",
    "was"; "il", "è", "che", "non") is two votes; a word that only one
    language's sentiment lexicon holds ("terrible"; "terribile") is one. The
    language with more votes wins. On a tie (often: no such word), a text
    whose words mostly (more than 3 in 4) end in a vowel, as Italian words
    do, is Italian, and any other English. Deterministic and crude by
    design: pass ``languages`` to a scorer (or a ``language`` column in
    ``emotions``) when the language is known.

    Examples
    --------
    >>> detect_language("Servizio pessimo, il pacco è arrivato rotto.")
    'it'
    >>> detect_language("The parcel arrived broken.")
    'en'
    >>> detect_language("Esperienza terribile, prodotto difettoso.")
    'it'
    >>> detect_language("TERRIBLE service")
    'en'
    """
    tokens = _tokens(text)
    votes = _language_votes()
    english = italian = 0
    for token in tokens:
        vote = votes.get(token)
        if vote is not None:
            english += vote[0]
            italian += vote[1]
    if english != italian:
        return "it" if italian > english else "en"
    vowel_ends = sum(t[-1] in _VOWELS for t in tokens)
    return "it" if tokens and vowel_ends > 0.75 * len(tokens) else "en"


@lru_cache(maxsize=1)
def _language_votes() -> dict[str, tuple[int, int]]:
    """Each word that votes in :func:`detect_language`, with its (English, Italian) votes."""
    english, italian = _lexicon("en").words, _lexicon("it").words
    votes = {}
    for token in english.keys() ^ italian.keys():
        votes[token] = (1, 0) if token in english else (0, 1)
    en_stops, it_stops = _STOP_WORDS["en"], _STOP_WORDS["it"]
    for token in en_stops | it_stops:
        en, it = votes.get(token, (0, 0))
        votes[token] = (en + 2 * (token in en_stops), it + 2 * (token in it_stops))
    return votes


def _tokens(text: str) -> list[str]:
    """Lower-case words; apostrophes and punctuation split ("l'ordine" -> l, ordine)."""
    return _TOKEN.findall(text.lower())


def _language_code(language: Any) -> str | None:
    """'en-GB' -> 'en'; None for a missing or blank language (then it is detected)."""
    if not isinstance(language, str) or not language.strip():
        return None
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


# --------------------------------------------------------------------------- reading a text

# One pass of one regular expression finds every unit a comment is read in: emoticons,
# words (an apostrophe inside a word is kept: "don't", "l'ordine"), emoji, "!" runs and
# clause ends. Everything else (digits, spaces, other symbols) is skipped.
_UNITS = re.compile(
    r"(?P<emoticon>(?<![^\s(])(?:[:;=8][-'^o]?[()\[\]DPp/\\|*3O]+|<3+|[xX][Dd]+)(?![^\s.,!?)]))"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*['’]?)"
    r"|(?P<emoji>[\U0001F000-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF\u203C\u2049])"
    r"|(?P<stop>[.;?!\n]*[.;?\n][.;?!\n]*)"
    r"|(?P<bang>!+)"
    r"|(?P<comma>,)"
)
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_ACCENTS = str.maketrans("àáèéìíòóùú", "aaeeiioouu")
_NEGATION_REACH = 3  # words after a negation that it still reaches
_NEGATED = -0.6  # "not good" is mildly bad, "not bad" mildly good (VADER: -0.74)
_BOOST = 0.3  # what an intensifier adds to the size of the next sentiment (VADER: 0.293)
_CAPS = 0.7  # what SHOUTING a sentiment word adds to its size (VADER: 0.733)
_STRETCH = 0.4  # what an elongated word ("sooo", "bellissimooo") adds
_BEFORE, _AFTER = 0.5, 1.5  # weights of what comes before and after "but" / "ma"
_QUESTION = 1 / 3  # what a plain question's sentiment counts for
_BANG = 0.3  # what each "!" adds to the size of the valence, up to three (VADER: 0.292)
_ALPHA = 15.0  # VADER's normalisation: valence = s / sqrt(s^2 + 15)
_EMOTION_FLOOR = 0.25  # an emotion score below this is no dominant emotion
_EMOTION_INDEX = {e: i for i, e in enumerate(EMOTIONS)}
# How calm (0) or excited (1) each emotion reads, for arousal (after Russell's circumplex:
# anger, fear and surprise high; sadness and trust low).
_EMOTION_AROUSAL = (0.75, 0.35, 0.8, 0.85, 0.25, 0.6, 0.9, 0.65)
_GOOD = frozenset({_EMOTION_INDEX["joy"], _EMOTION_INDEX["trust"]})
_SADNESS, _SURPRISE = _EMOTION_INDEX["sadness"], _EMOTION_INDEX["surprise"]
_TRUST = _EMOTION_INDEX["trust"]

# Words that steer the words around them, per language. Negations flip what follows
# within three words; intensifiers and diminishers scale the next sentiment word;
# contrast words weigh what follows more than what came before.
_CUES = {
    "en": {
        "negation": "not no never none nothing nobody nowhere neither nor without cannot cant "
        "dont didnt doesnt isnt wasnt werent arent wont wouldnt couldnt shouldnt havent hasnt "
        "hadnt aint",
        "hedge": "hardly barely could should",
        "boost": "very so really extremely super totally absolutely incredibly truly "
        "completely utterly too such highly most damn bloody insanely seriously",
        "damp": "slightly somewhat little bit kinda kind sort fairly rather almost partly "
        "quite pretty",
        "contrast": "but however",
        "reliable": "never",
        "concession": "although albeit",
    },
    "it": {
        "negation": "non mai no né ne nessuno nessuna nessun niente nulla senza nn mica "
        "neanche nemmeno neppure",
        "hedge": "poco potrebbe poteva potevano dovrebbe doveva avrebbe",
        "boost": "molto davvero veramente troppo super proprio tanto tantissimo "
        "assolutamente estremamente completamente totalmente altamente parecchio così cosi "
        "talmente stra",
        "damp": "abbastanza piuttosto po leggermente quasi appena",
        "contrast": "ma però pero tuttavia eppure peccato invece",
        "reliable": "mai",
        "concession": "sebbene benché benche nonostante malgrado seppure seppur",
    },
}
_CONCESSION_PAIRS = {
    "en": frozenset({("even", "though"), ("even", "if")}),
    "it": frozenset({("anche", "se"), ("anche", "quando"), ("pur", "essendo")}),
}
# Pairs read as one: the second word's entry, with the pair's emotions and valence, and a
# negation before the first word does not flip it ("never again" is not a negated "again").
_PAIRS = {
    "en": {
        ("never", "again"): ("anger:1,sadness:0.4", -2.5),
        ("buy", "again"): ("trust:1", 1.8),
        ("order", "again"): ("trust:1", 1.8),
        ("shop", "again"): ("trust:1", 1.8),
        ("come", "back"): ("trust:0.8", 1.2),
        ("looking", "forward"): ("anticipation:1.2", 1.5),
        ("look", "forward"): ("anticipation:1.2", 1.5),
        ("cant", "wait"): ("anticipation:1.3", 1.6),
        ("can't", "wait"): ("anticipation:1.3", 1.6),
        ("cannot", "wait"): ("anticipation:1.3", 1.6),
        ("let", "down"): ("sadness:1", -1.8),
        ("me", "down"): ("sadness:1", -1.8),
        ("count", "on"): ("trust:1.2", 1.8),
        ("going", "back"): ("trust:0.6", 1.0),
        ("took", "forever"): ("anger:1", -1.8),
        ("takes", "forever"): ("anger:1", -1.8),
        ("fingers", "crossed"): ("fear:0.8,anticipation:0.5", 0.0),
        ("counting", "down"): ("anticipation:1.2", 1.0),
        ("ready", "to"): ("anticipation:0.8", 0.5),
        ("spot", "on"): ("trust:1", 2.0),
        ("no", "reply"): ("anger:1", -1.5),
        ("no", "response"): ("anger:1", -1.5),
        ("no", "answer"): ("anger:1", -1.5),
        ("gone", "downhill"): ("sadness:1", -2.0),
        ("fell", "apart"): ("sadness:0.6,disgust:0.5", -2.0),
        ("falling", "apart"): ("sadness:0.6,disgust:0.5", -2.0),
        ("fed", "up"): ("anger:1", -2.0),
        ("rip", "off"): ("anger:1", -2.2),
        ("no", "problem"): ("trust:0.4", 1.0),
        ("no", "issues"): ("trust:0.5", 1.0),
        ("as", "described"): ("trust:0.8", 1.3),
        ("well", "done"): ("joy:0.6,trust:0.4", 2.0),
        ("thank", "you"): ("trust:0.4,joy:0.4", 1.8),
        ("what", "a"): ("-", 0.0),
        ("where", "is"): ("fear:0.3,anger:0.2", -0.3),
        ("still", "waiting"): ("anger:1", -1.5),
        ("than", "expected"): ("surprise:1", 1.0),
        ("didnt", "know"): ("surprise:0.8", 0.0),
        ("cant", "believe"): ("surprise:1", 0.5),
        ("can't", "believe"): ("surprise:1", 0.5),
        ("who", "knew"): ("surprise:1", 0.8),
        ("since", "when"): ("surprise:0.8", -0.3),
        ("see", "that", "coming"): ("surprise:1", 0.0),
        ("cant", "fault"): ("trust:1", 2.0),
        ("never", "been"): ("-", 0.0),  # "never been so insulted": no negation
        ("dead", "easy"): ("joy:0.5", 2.0),
        ("nothing", "special"): ("-", -0.5),
        ("nothing", "amazing"): ("-", -0.5),
        ("nothing", "more"): ("-", 0.0),
        ("losing", "faith"): ("sadness:1", -1.8),
        ("oh", "great"): ("anger:0.6", -1.0),  # "Oh great, another missed delivery"
        ("over", "the", "moon"): ("joy:1.2", 3.0),
        ("daylight", "robbery"): ("anger:1", -2.4),
        ("blown", "away"): ("surprise:1,joy:0.5", 2.0),
        ("left", "out"): ("sadness:1", -1.5),
        ("how", "dare"): ("anger:1.2", -2.4),
        ("counting", "the", "days"): ("anticipation:1.2", 1.5),
        ("cheers", "for", "nothing"): ("anger:1", -2.0),
        ("given", "up"): ("sadness:1", -1.8),
        ("gave", "up"): ("sadness:1", -1.8),
        ("hit", "and", "miss"): ("-", -0.5),
        ("just", "great"): ("anger:0.8", -1.5),
        ("lost", "faith"): ("sadness:1", -1.8),
        ("can't", "fault"): ("trust:1", 2.0),
    },
    "it": {
        ("mai", "più"): ("anger:1,sadness:0.4", -2.5),
        ("mai", "piu"): ("anger:1,sadness:0.4", -2.5),
        ("vedo", "ora"): ("anticipation:1.3", 1.6),
        ("presa", "giro"): ("anger:1", -2.2),
        ("presi", "giro"): ("anger:1", -2.2),
        ("nessun", "problema"): ("trust:0.4", 1.0),
        ("nessuna", "problema"): ("trust:0.4", 1.0),
        ("come", "descritto"): ("trust:0.8", 1.3),
        ("fa", "schifo"): ("disgust:1.2", -3.0),
        ("fanno", "schifo"): ("disgust:1.2", -3.0),
        ("mi", "fido"): ("trust:1.2", 1.8),
        ("ci", "fido"): ("trust:1.2", 1.8),
        ("tornerò", "sicuramente"): ("trust:1", 2.0),
        ("di", "nuovo"): ("anger:0.4", 0.0),
        ("ancora", "niente"): ("anger:1", -1.5),
        ("dove", "è"): ("fear:0.3,anger:0.2", -0.3),
        ("oltre", "aspettative"): ("surprise:1,joy:0.6", 2.2),
        ("che", "bello"): ("joy:1", 2.4),
        ("mamma", "mia"): ("surprise:1", 0.0),
        ("per", "fortuna"): ("joy:0.4", 1.2),
        ("non", "vedo"): ("-", 0.0),
        ("mi", "fa"): ("-", 0.0),
        ("non", "risponde"): ("anger:1", -1.6),
        ("nessuna", "risposta"): ("anger:1", -1.6),
        ("ci", "conto"): ("trust:1", 1.5),
        ("dita", "incrociate"): ("fear:0.8,anticipation:0.5", 0.0),
        ("non", "funziona"): ("anger:0.6", -1.5),
        ("va", "bene"): ("-", 0.8),
        ("così", "così"): ("-", -0.3),
        ("cosi", "cosi"): ("-", -0.3),
        ("presa", "in", "giro"): ("anger:1", -2.2),
        ("preso", "in", "giro"): ("anger:1", -2.2),
        ("presi", "in", "giro"): ("anger:1", -2.2),
        ("prese", "in", "giro"): ("anger:1", -2.2),
        ("prendete", "in", "giro"): ("anger:1", -2.2),
        ("non", "ci", "credo"): ("surprise:1", 0.5),
        ("non", "lo", "sapevo"): ("surprise:0.8", 0.0),
        ("bocca", "aperta"): ("surprise:1.1", 0.8),
        ("non", "ne", "posso"): ("anger:1", -2.0),
        ("nn", "ne", "posso"): ("anger:1", -2.0),
        ("che", "palle"): ("anger:1", -2.0),
        ("mi", "girano"): ("anger:1", -2.0),
        ("le", "braccia"): ("sadness:1", -2.0),  # "mi cascano le braccia"
        ("da", "matti"): ("anger:1", -2.0),  # "roba da matti"
        ("dalla", "voglia"): ("anticipation:1.2", 1.5),  # "muoio dalla voglia"
        ("siete", "seri"): ("anger:1", -1.8),  # "ma siete seri?"
        ("niente", "di", "che"): ("-", -0.8),
        ("senza", "storie"): ("trust:0.6", 1.2),
        ("prendendo", "in", "giro"): ("anger:1", -2.2),
        ("per", "scemi"): ("anger:1", -2.0),
        ("per", "stupidi"): ("anger:1", -2.0),
        ("per", "fessi"): ("anger:1", -2.0),
        ("a", "piedi"): ("sadness:0.6,anger:0.4", -1.8),  # "lasciato a piedi"
        ("perdendo", "la", "fiducia"): ("sadness:1", -1.8),
        ("perso", "la", "fiducia"): ("sadness:1", -1.8),
        ("può", "contare"): ("trust:1", 1.8),
        ("puo", "contare"): ("trust:1", 1.8),
        ("può", "fidare"): ("trust:1.2", 1.8),
        ("puo", "fidare"): ("trust:1.2", 1.8),
        ("grazie", "eh"): ("anger:1", -1.8),  # thanks said through the teeth
        ("tante", "eh"): ("anger:1", -1.8),
        ("comodo", "eh"): ("anger:1", -1.8),
        ("niente", "di", "speciale"): ("-", -0.5),
        ("niente", "di", "eccezionale"): ("-", -0.5),
    },
}
# Emoji and emoticons, whatever the language: emotions and valence (VADER's scale).
_EMOJI = {
    "😀": ("joy:1", 2.3), "😃": ("joy:1", 2.3), "😄": ("joy:1", 2.4), "😁": ("joy:1", 2.3),
    "😆": ("joy:1", 2.2), "😊": ("joy:1", 2.3), "☺": ("joy:1", 2.2), "🙂": ("joy:0.6", 1.5),
    "😍": ("joy:1.2", 2.8), "🥰": ("joy:1.2", 2.8), "😘": ("joy:1", 2.4), "😻": ("joy:1.1", 2.6),
    "🤩": ("joy:1,surprise:0.5", 2.7), "🎉": ("joy:1", 2.3), "🥳": ("joy:1", 2.4),
    "❤": ("joy:1", 2.7), "💕": ("joy:1", 2.6), "💖": ("joy:1", 2.6), "💗": ("joy:1", 2.6),
    "💓": ("joy:1", 2.5), "💞": ("joy:1", 2.5), "💯": ("joy:0.6,trust:0.5", 2.2),
    "👏": ("joy:0.7,trust:0.4", 2.0), "🙌": ("joy:1", 2.2), "✨": ("joy:0.7", 1.6),
    "🔥": ("joy:0.7", 1.8), "😂": ("joy:0.9", 1.5), "🤣": ("joy:0.9", 1.5), "🌟": ("joy:0.7", 1.8),
    "⭐": ("joy:0.5", 1.2), "😎": ("joy:0.7", 1.6), "💙": ("joy:1", 2.5), "💚": ("joy:1", 2.5),
    "🧡": ("joy:1", 2.5), "💜": ("joy:1", 2.5), "🖤": ("joy:0.8", 2.0),
    "👍": ("trust:0.8", 2.0), "👌": ("trust:0.8", 1.8), "🙏": ("trust:0.6", 1.5),
    "✅": ("trust:0.9", 1.5), "🤝": ("trust:1", 1.8), "💪": ("trust:0.6,joy:0.3", 1.5),
    "😡": ("anger:1.3", -3.0), "😠": ("anger:1.2", -2.7), "🤬": ("anger:1.4", -3.2),
    "👿": ("anger:1.1", -2.5), "💢": ("anger:1.1", -2.3), "🖕": ("anger:1.2", -3.0),
    "😤": ("anger:1.1", -2.2), "🙃": ("anger:0.4,disgust:0.4", -1.2),
    "🤮": ("disgust:1.4", -3.0), "🤢": ("disgust:1.3", -2.7), "💩": ("disgust:1.1", -2.5),
    "🙄": ("disgust:0.8,anger:0.4", -1.6), "😒": ("disgust:0.7,anger:0.4", -1.6),
    "😢": ("sadness:1.2", -2.2), "😭": ("sadness:1.3", -2.5), "😞": ("sadness:1.1", -2.0),
    "😔": ("sadness:1", -1.8), "😟": ("sadness:0.6,fear:0.5", -1.6), "☹": ("sadness:1", -1.9),
    "🙁": ("sadness:0.9", -1.7), "💔": ("sadness:1.2", -2.4), "😩": ("sadness:0.8,anger:0.3", -2.0),
    "😫": ("sadness:0.8,anger:0.3", -2.0), "😿": ("sadness:1", -2.0), "😕": ("sadness:0.6", -1.2),
    "😱": ("fear:1.2,surprise:0.5", -2.0), "😨": ("fear:1.2", -2.0), "😰": ("fear:1.2", -2.0),
    "😧": ("fear:0.9", -1.5), "😬": ("fear:0.7", -1.0), "😥": ("fear:0.6,sadness:0.6", -1.5),
    "😮": ("surprise:1.2", 0.5), "😲": ("surprise:1.2", 0.5), "🤯": ("surprise:1.3", 0.3),
    "😯": ("surprise:1.1", 0.3), "😳": ("surprise:1", 0.0), "‼": ("surprise:0.5", 0.0),
    "⏳": ("anticipation:1", 0.0), "🤞": ("anticipation:1.1", 0.8), "👀": ("anticipation:0.8", 0.3),
    "👎": ("-", -2.5), "😐": ("-", -0.3), "😑": ("-", -0.5), "🤔": ("-", 0.0),
    ":)": ("joy:0.8", 2.0), ":-)": ("joy:0.8", 2.0), "=)": ("joy:0.8", 2.0),
    ":d": ("joy:1", 2.3), ":-d": ("joy:1", 2.3), "xd": ("joy:0.8", 1.8), ";)": ("joy:0.6", 1.5),
    ":p": ("joy:0.5", 1.2), "<3": ("joy:1", 2.5), ":(": ("sadness:1", -1.9),
    ":-(": ("sadness:1", -1.9), ":'(": ("sadness:1.2", -2.2), ":/": ("sadness:0.5", -1.0),
    ":-/": ("sadness:0.5", -1.0), ":|": ("-", -0.5), ":o": ("surprise:1", 0.3),
}  # fmt: skip


@dataclass(frozen=True)
class _Entry:
    """What one word says: its valence (VADER's scale) and its emotions."""

    valence: float
    emotions: tuple[tuple[int, float], ...]  # (index into EMOTIONS, weight), sparse
    steady: bool = False  # not flipped by a negation ("didn't expect", "non vedo l'ora")


@dataclass
class _Language:
    """The words of one language and how they steer each other."""

    words: dict[str, _Entry]
    negation: frozenset[str]
    hedge: frozenset[str]
    boost: frozenset[str]
    damp: frozenset[str]
    contrast: frozenset[str]
    reliable: frozenset[str]  # a negation that makes a bad word a promise kept: "never"
    concession: frozenset[str]  # "although", "sebbene": the clause they open weighs less
    pairs: dict[tuple[str, ...], _Entry]  # two or three words read as one
    concession_pairs: frozenset[tuple[str, str]]  # "even though", "anche se"
    inflects: bool = False  # Italian: look unknown forms up by their regular endings
    # What each written form read as: (word, entry, stretched, cue, shouted). Comments
    # repeat words, so most forms are read once per process; bounded by _MEMO forms.
    memo: dict[str, tuple] = field(default_factory=dict, repr=False)

    def look_up(self, unit: str) -> tuple[str, _Entry | None, bool, str | None, bool]:
        """A written word as read: its lexicon form, entry, whether it was stretched,
        the cue it is (negation, contrast, hedge, boost, damp) and whether it is shouted."""
        known = self.memo.get(unit)
        if known is None:
            known = self._look_up(unit)
            if len(unit) <= _MEMO_LENGTH:  # a 100 KB "word" is read, not remembered
                if len(self.memo) >= _MEMO:
                    self.memo.clear()
                self.memo[unit] = known
        return known

    def _look_up(self, unit: str) -> tuple[str, _Entry | None, bool, str | None, bool]:
        word = unit.replace("’", "'").lower()
        if "'" in word:  # "don't" -> "dont"; "l'ordine" -> "ordine"; "po'" -> "po"
            head, _, tail = word.rstrip("'").rpartition("'")
            word = head + tail if tail == "t" and head.endswith("n") else (tail or head)
        stretched = _ELONGATED.search(word) is not None
        if stretched:
            word = self.unstretched(word)
        entry = self.words.get(word)
        if entry is None and "'" not in word:
            entry = self.words.get(word.translate(_ACCENTS))
            if entry is None and self.inflects:
                entry = self.inflected(word)
        cue = next((name for name in _CUE_ORDER if word in getattr(self, name)), None)
        return word, entry, stretched, cue, unit.isupper() and len(unit) > 1

    def inflected(self, word: str) -> _Entry | None:
        """An Italian form the lexicon lacks, by its regular ending: a superlative
        (buonissima -> buono), a feminine or plural (rotte -> rotto)."""
        stem, last = word[:-1], word[-1:]
        if last not in "oaie" or len(word) < 5:
            return None
        if stem.endswith("issim"):
            stem = stem[:-5]
        return self.words.get(stem + "o") or self.words.get(stem + "e")

    def unstretched(self, word: str) -> str:
        """A stretched word as the lexicon knows it: "sooo" -> "soo", then "so"."""
        twice = _ELONGATED.sub(r"\1\1", word)
        if twice in self.words or any(twice == p[-1] for p in self.pairs):
            return twice
        return _ELONGATED.sub(r"\1", word)


_CUE_ORDER = ("negation", "contrast", "hedge", "boost", "damp")
_MEMO, _MEMO_LENGTH = 1 << 18, 40  # forms remembered per language, of up to 40 characters


def _emotions_of(spec: str) -> tuple[tuple[int, float], ...]:
    """``"anger:1,fear:0.3"`` as ((6, 1.0), (2, 0.3)); ``"-"`` as ()."""
    if spec == "-":
        return ()
    pairs = (part.split(":") for part in spec.split(","))
    return tuple((_EMOTION_INDEX[name], float(weight)) for name, weight in pairs)


def _weight(emotions: tuple[tuple[int, float], ...], name: str) -> float:
    return sum(w for j, w in emotions if j == _EMOTION_INDEX[name])


def _steady(emotions: tuple[tuple[int, float], ...], valence: float) -> bool:
    """Surprise is not undone by a negation: "didn't expect it", "non ci credevo",
    "did not see that coming"."""
    return _weight(emotions, "surprise") >= 0.5 and abs(valence) <= 1.0


def _entry(spec: str, valence: float) -> _Entry:
    emotions = _emotions_of(spec)
    return _Entry(valence, emotions, _steady(emotions, valence))


def _entries(table: Mapping[Any, tuple[str, float]]) -> dict:
    """A table of ``key: (emotions, valence)`` (phrases, emoji) as entries."""
    return {key: _entry(spec, valence) for key, (spec, valence) in table.items()}


_EMOJI_ENTRIES = _entries(_EMOJI)
# What "??" or "?!" adds to its clause: frustration, as in "Where is my order??".
_FRUSTRATED = _entry("anger:0.6", -1.2)
# ... unless the clause praised or marvelled: "here by lunch?!", "così poco??".
_AMAZED = _entry("surprise:0.6", 0.0)
_VARIATION = str.maketrans("", "", "\ufe0f\u200d")  # emoji variation selectors and joiners


# --------------------------------------------------------------------------- scoring

# One comment's scores: valence, arousal and the eight emotions, in the emotions
# contract's order.
_SCORE_NAMES = ("valence", "arousal", *EMOTIONS)


def comment_scores(text: Any, language: str | None = None) -> tuple[tuple[float, ...], str | None]:
    """:class:`LexiconScorer`'s scores of one text and the language it was read in.

    The scores are valence, arousal and the eight emotions, in that order; all
    NaN for an empty text or one in a language other than English or Italian.
    Linear in the text's length: one pass finds the words, one pass reads them.
    """
    code = _language_code(language)
    if not isinstance(text, str) or not text.strip():
        return _MISSING, code
    code = code or detect_language(text)
    if code not in SUPPORTED_LANGUAGES:
        return _MISSING, code
    return _read(text, _lexicon(code)), code


_MISSING = (math.nan,) * len(_SCORE_NAMES)


def _read(text: str, lexicon: _Language) -> tuple[float, ...]:
    text = text.translate(_VARIATION)
    # In a comment written all in capitals, capitals are no emphasis (VADER's rule).
    all_caps = text == text.upper() and text != text.lower()
    reading = _Reading()
    negation = hedge = 0  # words a negation / a hedge still reaches
    boost = 0.0
    previous = earlier = negator = ""  # the two words before, the last negation
    memo, pairs = lexicon.memo, lexicon.pairs
    for emoticon, unit, emoji, stop, bang, comma in _units(text):
        if unit:  # a word
            known = memo.get(unit) or lexicon.look_up(unit)
            word, entry, stretched, cue, shouted = known
            pair = pairs.get((previous, word)) or pairs.get((earlier, previous, word))
            negated_pair = pair is not None and (
                previous in lexicon.negation or earlier in lexicon.negation
            )
            if word in lexicon.concession or (previous, word) in lexicon.concession_pairs:
                reading.conceding = True  # "although", "anche se": what follows weighs less
            earlier, previous = previous, word
            if pair is not None:
                entry = pair
            elif cue is not None:
                if cue == "negation":
                    negation, hedge, boost, negator = _NEGATION_REACH, 0, 0.0, word
                    continue
                if cue == "contrast":
                    reading.contrast()
                    negation = hedge = 0
                    if entry is None:
                        continue
                elif cue == "hedge":
                    hedge = _NEGATION_REACH
                    continue
                else:
                    boost += _BOOST if cue == "boost" else -_BOOST
                    continue
            if entry is None:
                if (negation or hedge) and len(word) > 2:  # "a", "il", "mi" use up none
                    negation, hedge = max(negation - 1, 0), max(hedge - 1, 0)
                continue
            size = 1.0 + boost
            if shouted and not all_caps:
                size += _CAPS
            if stretched:
                size += _STRETCH
            emotions = entry.emotions
            if (negation or hedge) and not (negated_pair or entry.steady):
                # "not good" is mildly bad; "not happy" is no joy but a let-down, and
                # "not worried" no fear ("never again", "no problem": the pair's own).
                if negation and negator in lexicon.reliable and entry.valence < 0:
                    size = -size  # "never let me down", "mai un problema": a promise kept
                    emotions = ((_TRUST, -1.0),)
                else:
                    size *= _NEGATED if negation else 0.5 * _NEGATED
                    let_down = -0.6 * sum(w for j, w in emotions if j in _GOOD)
                    emotions = ((_SADNESS, let_down),) if let_down else ()
            reading.add(entry.valence * size, emotions, size)
            negation, hedge, boost = 0, 0, 0.0
        elif emoji or emoticon:
            entry = _EMOJI_ENTRIES.get((emoji or emoticon).lower())
            if entry is not None:
                reading.add(entry.valence, entry.emotions, 1.0)
        elif bang:
            reading.bangs += len(bang)
            negation = hedge = 0
        elif comma:
            reading.conceding = False
        else:  # the end of a clause: a negation reaches no further
            reading.end_clause(stop)
            negation = hedge = 0
            boost = 0.0
            previous = earlier = ""
    return reading.scores(all_caps)


def _units(text: str) -> list[tuple[str, str, str, str, str, str]]:
    """``_UNITS.findall(text)``, faster: no unit spans a space, so a text is split at
    spaces and a token of letters only (most of them) is one word without the regular
    expression. A line break ends a clause, so a text with one is read whole."""
    if "\n" in text:
        return _UNITS.findall(text)
    units = []
    for token in text.split():
        if token.isalpha() and not (token[0] in "xX" and not token[1:].strip("dD")):
            units.append(("", token, "", "", "", ""))
        else:
            units += _UNITS.findall(token)
    return units


class _Reading:
    """What a comment said so far: sentiment and emotion evidence, by clause.

    A clause asked as a plain question ("Is the store open on Sunday?") says
    a third of what it would say as a statement; one that ends in "??" or
    "?!" is a frustrated one, and reads as a complaint (or, after praise or
    surprise, as amazement). What came before the last "but" / "ma" weighs a
    third of what follows, and what a concession says ("although ...", "anche
    se ...", up to a comma) a third of the rest. Plain Python floats: a comment holds a few
    sentiment words, and numpy's per-call cost would be most of the time.
    """

    def __init__(self) -> None:
        n = len(EMOTIONS)
        self.before, self.before_emotions = 0.0, [0.0] * n  # before the last contrast
        self.after, self.after_emotions = 0.0, [0.0] * n
        self.clause, self.clause_emotions = 0.0, [0.0] * n
        self.bangs = 0
        # What a concession says ("although the wait was long", "anche se costa"), up to
        # the next comma or clause end: the main clause decides, as after a contrast.
        self.conceding = False
        self.conceded, self.conceded_emotions = 0.0, [0.0] * n

    def add(self, valence: float, emotions: tuple, size: float) -> None:
        if self.conceding:
            self.conceded += valence
            for j, w in emotions:
                self.conceded_emotions[j] += w * size
            return
        self.clause += valence
        for j, w in emotions:
            self.clause_emotions[j] += w * size

    def end_clause(self, stop: str = ".") -> None:
        self.conceding = False
        asks = stop.count("?")
        self.bangs += stop.count("!")
        weight = 1.0
        if asks >= 2 or (asks and "!" in stop):
            amazed = self.clause > 0 or self.clause_emotions[_SURPRISE] > 0
            extra = _AMAZED if amazed else _FRUSTRATED
            self.add(extra.valence, extra.emotions, 1.0)
        elif asks:
            weight = _QUESTION
        self.after += weight * self.clause
        after = self.after_emotions
        for j, w in enumerate(self.clause_emotions):
            if w:
                after[j] += weight * w
        self.clause, self.clause_emotions = 0.0, [0.0] * len(EMOTIONS)

    def contrast(self) -> None:
        self.end_clause()
        self.before += self.after
        self.before_emotions = [
            a + b for a, b in zip(self.before_emotions, self.after_emotions, strict=True)
        ]
        self.after, self.after_emotions = 0.0, [0.0] * len(EMOTIONS)

    def scores(self, all_caps: bool) -> tuple[float, ...]:
        self.end_clause()
        contrasted = bool(self.before or any(self.before_emotions))
        first, then = (_BEFORE, _AFTER) if contrasted else (1.0, 1.0)
        total = first * self.before + then * self.after
        pairs = zip(self.before_emotions, self.after_emotions, strict=True)
        evidence = [first * b + then * a for b, a in pairs]
        if self.conceded or any(self.conceded_emotions):
            total = _AFTER * total + _BEFORE * self.conceded
            pairs = zip(evidence, self.conceded_emotions, strict=True)
            evidence = [_AFTER * e + _BEFORE * c for e, c in pairs]
        bangs = min(self.bangs, 3)
        if total:
            total += math.copysign(_BANG * bangs, total)
        valence = total / math.sqrt(total * total + _ALPHA)
        emotions = [1.0 - math.exp(-x) if x > 0 else 0.0 for x in evidence]
        strength = math.fsum(emotions)
        # Arousal: the mean arousal of the emotions read, pulled up by strong feeling, "!"
        # and shouting; a comment without feeling is calm-to-neutral (0.3).
        if strength > 0:
            tone = (
                math.fsum(e * a for e, a in zip(emotions, _EMOTION_AROUSAL, strict=True)) / strength
            )
        else:
            tone = 0.3
        lift = 0.15 * abs(valence) + 0.05 * bangs + (0.1 if all_caps else 0.0)
        arousal = min(max(0.75 * tone + 0.25 * min(strength, 1.0) * tone + lift, 0.0), 1.0)
        return (valence, arousal, *emotions)


def dominant_emotion(scores: pd.DataFrame) -> pd.Series:
    """The emotion with the highest score of each row, or ``"none"`` where no emotion
    reaches 0.25 (a comment of plain facts)."""
    values = scores[list(EMOTIONS)].to_numpy(dtype=np.float64)
    values = np.where(np.isnan(values), 0.0, values)
    best = values.argmax(axis=1)
    names = np.array(EMOTIONS, dtype=object)[best]
    return pd.Series(
        np.where(values.max(axis=1, initial=0.0) >= _EMOTION_FLOOR, names, "none"),
        index=scores.index,
        name="emotion",
    )


# --------------------------------------------------------------------------- default scorer


class LexiconScorer:
    """Valence, arousal and the eight emotions of short comments, in English and Italian.

    Offline and rule-based: each text is read once, word by word, in its
    language (the one given in ``languages``, else :func:`detect_language`),
    against lexicons whose licences allow redistribution:

    - **valence** from VADER's lexicon (Hutto and Gilbert, 2014; MIT) for
      English and Pattern's adjective lexicon (De Smedt and Daelemans, 2012;
      BSD) for Italian, with persona's own customer-service words on top;
    - **emotions** from persona's own word lists (``lexicons/emotions-en.tsv``,
      ``emotions-it.tsv``; how they were made: ``lexicons/README.md``), with
      emoji and emoticons read alike in both languages;
    - **arousal** from the emotions read (anger, fear and surprise are
      excited, sadness and trust calm), how strong the feeling is, "!" and
      shouting.

    The rules, after VADER's: a negation (not, never, n't, non, mai, per
    niente, mica, ...) flips the sentiment of the next three words to 0.6
    of its opposite ("not good" is mildly bad) and turns joy or trust into a
    let-down (sadness), but "never" and "mai" before a bad word make a
    promise kept ("never let me down", "mai un problema": good, and trust);
    "hardly" and "poco" flip it by half; a plain question says a third, and
    "??" or "?!" reads as frustration (or, after praise, amazement); intensifiers
    (very, so, molto, davvero, troppo) and diminishers (a bit, slightly, un
    po', abbastanza) scale the next sentiment word; after "but", "however",
    "ma", "però", what follows weighs three times what came before, and what
    "although", "even though", "anche se", "sebbene" open (up to a comma)
    weighs a third of the main clause; a word in
    capitals in a comment that is not all capitals, and a stretched word
    ("sooo", "bellissimooo"), count more; "!" adds to the valence's size. A
    few pairs and triples are read as one ("never again", "can't wait", "non
    vedo l'ora", "mai più", "fa schifo", "presa in giro"). Italian adjectives
    and participles are matched in every gender and number and in the
    superlative (deluso, delusa, delusi, soddisfattissima), and accents may
    be missing (perche, pero).

    Scores per text: ``valence`` in [-1, 1] (VADER's normalisation of the
    summed sentiment), ``arousal`` and the eight emotions (``1 - exp(-evidence)``)
    in [0, 1], and the ``language`` read in. A text in another language, or an
    empty one, gets NaN. Linear in a text's length; see
    ``benchmarks/text.py`` for accuracy on ``datasets/comments`` and speed.

    Examples
    --------
    >>> scorer = LexiconScorer()
    >>> scores = scorer.score(["Great service, thank you!", "Il pacco è arrivato rotto."])
    >>> scores["language"].tolist(), (scores["valence"] > 0).tolist()
    (['en', 'it'], [True, False])
    >>> dominant_emotion(scorer.score(["sono arrabbiatissima", "non vedo l'ora!"])).tolist()
    ['anger', 'anticipation']
    """

    def score(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> pd.DataFrame:
        texts = list(texts)
        if languages is None:
            languages = [None] * len(texts)
        elif len(languages) != len(texts):
            raise ValueError(
                f"Got {len(languages)} languages for {len(texts)} texts, but expected one "
                "language per text (None where unknown)."
            )
        scores = np.empty((len(texts), len(_SCORE_NAMES)))
        used: list[str | None] = []
        for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
            scores[i], code = comment_scores(text, language)
            used.append(code)
        frame = pd.DataFrame(scores, columns=list(_SCORE_NAMES))
        frame["language"] = pd.Series(used, dtype=object)
        return frame

    def __repr__(self) -> str:
        return "LexiconScorer()"


# --------------------------------------------------------------------------- lexicons

_LEXICONS = Path(__file__).parent / "lexicons"
# Italian endings derived from an entry's masculine singular: (ending, derived endings).
_INFLECTIONS = {"o": ("a", "i", "e"), "e": ("i",)}
_SUPERLATIVE = ("issimo", "issima", "issimi", "issime")
_PATTERN_TO_VADER = 3.0  # Pattern's polarity (-1..1) on VADER's scale ("ottimo" 1.0 ~ "great" 3.1)


def _word_list(name: str) -> list[tuple[str, np.ndarray, float | None]]:
    """persona's own list: (word, emotion weights, valence or None to keep the base lexicon's)."""
    rows = []
    for line in (_LEXICONS / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, emotions, valence = line.split("\t")
        rows.append((word, _emotions_of(emotions), None if valence == "." else float(valence)))
    return rows


def _language(code: str, base: dict[str, float], own: list, *, inflect: bool) -> _Language:
    words = {w: _Entry(v, ()) for w, v in base.items()}
    for word, emotions, valence in own:
        if valence is None:
            valence = base.get(word, _rating_of(emotions))
        steady = _steady(emotions, valence)
        forms = [word]
        if inflect and word[-1] in _INFLECTIONS and len(word) > 3:
            stem = word[:-1]
            forms += [stem + ending for ending in _INFLECTIONS[word[-1]]]
            forms += [stem.removesuffix("issim") + s for s in _SUPERLATIVE]
            if word.endswith(("co", "go")):  # vigliacco -> vigliacchi, lungo -> lunghe
                forms += [stem + "hi", stem + "he"]
            elif word.endswith("io"):  # vecchio -> vecchi
                forms.append(stem)
        for form in forms:
            if form == word or form not in words or not words[form].emotions:
                words[form] = _Entry(valence, emotions, steady)
    for form in list(words):  # "perché" is also written "perche"
        words.setdefault(form.translate(_ACCENTS), words[form])
    cues = {k: frozenset(v.split()) for k, v in _CUES[code].items()}
    cues["concession_pairs"] = _CONCESSION_PAIRS[code]
    return _Language(words=words, pairs=_entries(_PAIRS[code]), inflects=inflect, **cues)


def _rating_of(emotions: tuple[tuple[int, float], ...]) -> float:
    """A valence for an emotion word no lexicon rates: joy and trust good, anger, disgust,
    sadness and fear bad, on VADER's scale (1.8 per unit of weight, at most 2.5)."""
    good = _weight(emotions, "joy") + _weight(emotions, "trust")
    bad = sum(_weight(emotions, e) for e in ("anger", "disgust", "sadness", "fear"))
    return min(max(1.8 * (good - bad), -2.5), 2.5)


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES))
def _lexicon(code: str) -> _Language:
    """A language's lexicon, built once per process when a text in it is first read."""
    if code == "en":
        return _language("en", _vader_lexicon(), _word_list("emotions-en.tsv"), inflect=False)
    return _language("it", _pattern_lexicon(), _word_list("emotions-it.tsv"), inflect=True)


def _vader_lexicon() -> dict[str, float]:
    """VADER's English word ratings (-4..4), read from the file vaderSentiment ships."""
    import vaderSentiment  # a core dependency: only its data file is read

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    ratings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, mean, *_ = line.split("\t")
        ratings[word] = float(mean)
    return ratings


def _pattern_lexicon() -> dict[str, float]:
    """Pattern's Italian polarities on VADER's scale; like Pattern, the senses and parts
    of speech of a word form are averaged into one polarity."""
    entries: dict[str, dict[str, list[float]]] = {}
    path = _LEXICONS / "it-sentiment.xml"  # Pattern's file (BSD), shipped unchanged
    for element in ElementTree.parse(path).getroot().iter("word"):
        form = (element.get("form") or "").lower()
        if form:
            polarity = float(element.get("polarity", 0.0))
            entries.setdefault(form, {}).setdefault(element.get("pos") or "", []).append(polarity)
    return {
        form: _PATTERN_TO_VADER * float(np.mean([np.mean(p) for p in by_pos.values()]))
        for form, by_pos in entries.items()
    }
