"""The project file: where a customer base's tables are and how its journey reads.

One YAML file (``persona.yaml``) carries what a user would otherwise pass as
arguments in several places: the table paths, the instrument, the journey in
the user's own vocabulary (taxonomy, purchase, support and return types), the
CSV dialect and timestamp format, and the model settings. ``persona init``
writes a first one from the data (:func:`draft_project`), ``persona fit``,
``persona validate --config`` and ``persona score --config`` read it, and
:class:`Project` gives the same in Python::

    tables:                      # paths are relative to this file
      events: events.csv
      survey: survey.csv
    instrument: instrument.yaml  # or the instrument itself, as a mapping
    csv: {delimiter: ";", decimal: ","}
    timestamp_format: "%d/%m/%Y %H:%M"
    journey:
      taxonomy: {wishlist_add: FMOT, order_placed: SMOT, instagram_post: UMOT}
      purchase_types: [order_placed]
    model: {random_state: 0}

It reads files and builds settings; it fits nothing itself.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from persona.contract import DEFAULT_TAXONOMY, MOMENTS, Instrument
from persona.contract._tables import (
    ReadOptions,
    read_settings,
    read_table,
    table_format,
    table_path,
)
from persona.errors import InputError
from persona.features.touchpoints import JourneySettings, journey_settings, unmatched_types

__all__ = ["Project", "draft_project", "suggested_moment", "vocabulary_problems"]

_TABLES = ("events", "survey", "emotions", "demographics")
_KEYS = ("tables", "instrument", "csv", "timestamp_format", "journey", "model")
_CSV_KEYS = ("delimiter", "decimal", "encoding")
#: PersonaModel settings a project file may give.
MODEL_SETTINGS = ("random_state", "n_personas", "min_persona_share", "discovery_sample",
                  "max_distance", "audit_threshold", "careless", "n_jobs")  # fmt: skip
_TABLE = "persona.yaml"


@dataclass(frozen=True)
class Project:
    """A customer base as a project file describes it.

    Parameters
    ----------
    tables : mapping of str to path
        ``events``, ``survey``, ``emotions`` and ``demographics`` (any of them).
    instrument : Instrument, optional
    journey : JourneySettings
    read_options : ReadOptions
        The CSV files' dialect and timestamp format (unset parts are detected).
    model : mapping
        Keyword settings for :class:`persona.PersonaModel` (``random_state``,
        ``n_personas``, ``min_persona_share``, ...; ``careless`` as a mapping
        of :class:`~persona.features.careless.CarelessRules` settings, e.g.
        ``{duration_column: seconds}``).
    path : Path, optional
        The file it was read from.

    Examples
    --------
    >>> project = Project.from_dict({"tables": {"events": "events.csv"},
    ...                              "journey": {"purchase_types": ["order_placed"]}})
    >>> project.journey.purchase_types
    ('order_placed',)
    """

    tables: Mapping[str, Path]
    instrument: Instrument | None = None
    journey: JourneySettings = field(default_factory=JourneySettings)
    read_options: ReadOptions = field(default_factory=ReadOptions)
    model: Mapping[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Project:
        """Read a project file (YAML or JSON); its table paths are relative to its folder."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no project file at '{path}': write one with `persona init --events "
                "events.csv`, or give its path with --config."
            )
        try:
            spec = read_settings(path)
        except ValueError as error:
            raise InputError(_TABLE, str(error), fix="repair the line it names.") from error
        return cls.from_dict(spec, base=path.parent, path=path)

    @classmethod
    def from_dict(
        cls, spec: Mapping[str, Any], *, base: str | os.PathLike = ".", path: Path | None = None
    ) -> Project:
        """A project from plain data; relative table paths are resolved against ``base``."""
        if not isinstance(spec, Mapping):
            raise InputError(
                _TABLE,
                f"must be a mapping with keys such as 'tables', got {type(spec).__name__}.",
                fix="start from the file `persona init` writes.",
            )
        _known(spec, _KEYS, "")
        base = Path(base)
        tables = spec.get("tables") or {}
        if not isinstance(tables, Mapping) or not tables:
            raise InputError(
                _TABLE,
                "names no table.",
                column="tables",
                fix="add tables: {events: events.csv, survey: survey.csv, ...}.",
            )
        _known(tables, _TABLES, "tables.")
        paths = {name: base / str(tables[name]) for name in _TABLES if tables.get(name)}
        instrument = spec.get("instrument")
        if isinstance(instrument, str):
            instrument = Instrument.from_file(base / instrument)
        elif instrument is not None:
            instrument = Instrument.from_dict(instrument)
        csv = spec.get("csv") or {}
        if not isinstance(csv, Mapping):
            raise InputError(_TABLE, "csv must be a mapping.", column="csv",
                             fix="write csv: {delimiter: ';', decimal: ','}.")  # fmt: skip
        _known(csv, _CSV_KEYS, "csv.")
        try:
            options = ReadOptions(**csv, timestamp_format=spec.get("timestamp_format"))
            journey = journey_settings(spec.get("journey"))
        except (TypeError, ValueError) as error:
            raise InputError(_TABLE, str(error), fix="correct that setting.") from error
        model = spec.get("model") or {}
        if not isinstance(model, Mapping):
            raise InputError(_TABLE, "model must be a mapping.", column="model",
                             fix="write model: {random_state: 0}.")  # fmt: skip
        _known(model, MODEL_SETTINGS, "model.")
        model = dict(model)
        if model.get("careless") is not None:
            model["careless"] = _careless_rules(model["careless"])
        return cls(paths, instrument, journey, options, model, path)

    @property
    def careless(self):
        """The model's careless-respondent rules (the defaults when the file sets none)."""
        from persona.features.careless import CarelessRules

        return self.model.get("careless") or CarelessRules()

    def read(self) -> dict[str, pd.DataFrame]:
        """The tables as DataFrames, read with the project's dialect and timestamp format."""
        return {
            name: read_table(path, name, options=self.read_options)
            for name, path in self.tables.items()
        }

    def persona_model(self, **settings: Any):
        """A :class:`persona.PersonaModel` with the project's instrument, journey and
        model settings (``settings`` override those)."""
        from persona.model import PersonaModel

        return PersonaModel(self.instrument, journey=self.journey, **{**self.model, **settings})


def _careless_rules(spec: Any):
    from dataclasses import fields

    from persona.features.careless import CarelessRules

    keys = tuple(f.name for f in fields(CarelessRules))
    if not isinstance(spec, Mapping):
        raise InputError(_TABLE, "model.careless must be a mapping.", column="model.careless",
                         fix="write careless: {duration_column: seconds}.")  # fmt: skip
    _known(spec, keys, "model.careless.")
    try:
        return CarelessRules(**spec)
    except ValueError as error:
        raise InputError(_TABLE, str(error), column="model.careless",
                         fix="correct that setting.") from error  # fmt: skip


def _known(spec: Mapping, keys: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in spec if k not in keys)
    if unknown:
        raise InputError(
            _TABLE,
            f"has unknown setting(s) {[where + k for k in unknown]}.",
            fix=f"use only {[where + k for k in keys]}.",
        )


def vocabulary_problems(events: pd.DataFrame, journey: JourneySettings) -> list[str]:
    """What in an event log the journey settings do not read, one sentence each.

    Event types outside the taxonomy on rows without a ``moment`` (they count
    as moment "unknown"), and purchase, support or return types that match no
    row -- with the event types whose rows carry a ``value``, where purchases
    named otherwise would be. An empty list: the settings read the whole log.
    """
    problems = []
    types = events["event_type"].astype(str)
    unsaid = types if "moment" not in events else types[events["moment"].isna().to_numpy()]
    outside = unsaid[~unsaid.isin(list(journey.taxonomy))].value_counts()
    if len(outside):
        shown = ", ".join(f"'{name}' ({count:,})" for name, count in outside.head(10).items())
        problems.append(
            f"events: {outside.sum():,} of {len(types):,} rows have event types outside the "
            f"taxonomy and count as moment 'unknown': {shown}. Say their moments in "
            "persona.yaml under journey: taxonomy: (`persona init` drafts them), or give the "
            "events a 'moment' column."
        )
    for setting in unmatched_types(set(types.unique()), journey):
        names = list(getattr(journey, setting))
        line = f"events: {setting} {names} match no row, so every customer counts 0 of them"
        if setting == "purchase_types" and "value" in events:
            valued = types[events["value"].notna().to_numpy()].value_counts()
            if len(valued):
                shown = ", ".join(f"'{name}' ({count:,})" for name, count in valued.head(5).items())
                line += f" and spends 0, while these event types carry a value: {shown}"
        problems.append(
            f"{line}. Name yours in persona.yaml under journey: {setting}: [...], or in "
            f"Python as PersonaModel(journey={{'{setting}': [...]}})."
        )
    return problems


# --------------------------------------------------------------------------- drafting

# Name rules for a first guess of each event type's moment, English and Italian. A guess,
# written as one for the user to confirm: the first rule whose word the name holds wins.
_MOMENT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Reading and comparing come first: "leggi_recensioni" is research, not expression.
    ("ZMOT", ("search", "cerca", "ricerca", "compar", "confront", "read", "leggi", "watch",
              "guarda", "brows", "research")),
    ("UMOT", ("review", "recensi", "share", "condivi", "post", "rating", "comment", "referr",
              "invit", "unboxing", "story", "stories")),
    ("SMOT", ("order", "ordin", "purchase", "acquist", "buy", "compra", "checkout", "pay",
              "pagament", "deliver", "consegn", "spedizion", "ship", "support", "assist",
              "help", "chat", "call", "ticket", "reclam", "complain", "return", "reso", "resi",
              "refund", "rimbors", "redeem", "riscatt", "install", "onboard")),
    ("FMOT", ("view", "visit", "visita", "prova", "try", "demo", "cart", "carrello",
              "wishlist", "preferit", "add", "store", "negozio", "boutique", "detail",
              "product", "prodott", "click")),
    ("ZMOT", ("newsletter", "advert", "banner", "discover", "scopri", "guide", "guida",
              "blog")),
)  # fmt: skip
_SUPPORT = ("support", "assist", "help", "chat", "call", "ticket", "reclam", "complain")
_RETURN = ("return", "reso", "resi", "refund", "rimbors")
_WORDS = re.compile(r"[a-z]+")


def suggested_moment(event_type: str) -> str | None:
    """The moment of truth an event type's name suggests, or None.

    Examples
    --------
    >>> suggested_moment("cerca_prodotto"), suggested_moment("instagram_post")
    ('ZMOT', 'UMOT')
    """
    if event_type in DEFAULT_TAXONOMY:
        return DEFAULT_TAXONOMY[event_type]
    return next((moment for moment, stems in _MOMENT_RULES if _says(event_type, stems)), None)


def _says(name: str, stems: tuple[str, ...]) -> bool:
    """Whether a word of ``name`` starts with one of ``stems``."""
    return any(word.startswith(stems) for word in _WORDS.findall(str(name).lower()))


def _named(event_types: list[str], stems: tuple[str, ...]) -> list[str]:
    return [name for name in event_types if _says(name, stems)]


# The timestamp formats a draft tries when the timestamps are not ISO 8601.
_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y %H:%M",
            "%d.%m.%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%m/%d/%Y %H:%M",
            "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S")  # fmt: skip


def _timestamp_format(text: pd.Series) -> tuple[str | None, str]:
    """The format the timestamps are written in (None: ISO 8601), and a note on it."""
    sample = text.dropna().astype(str).head(5_000)
    if sample.empty or pd.to_datetime(sample, format="ISO8601", errors="coerce").notna().all():
        return None, "ISO 8601"
    fitting = [
        f for f in _FORMATS if pd.to_datetime(sample, format=f, errors="coerce").notna().all()
    ]
    if not fitting:
        return None, (
            "not ISO 8601 and no format tried fits every row: give yours as timestamp_format"
        )
    note = f"read off the first {len(sample):,} rows"
    if len(fitting) > 1:
        note += f"; {fitting[1]!r} fits them too: check which is meant"
    return fitting[0], note


def draft_project(
    events: str | os.PathLike,
    *,
    survey: str | os.PathLike | None = None,
    emotions: str | os.PathLike | None = None,
    demographics: str | os.PathLike | None = None,
    instrument: str | os.PathLike | None = None,
    folder: str | os.PathLike = ".",
) -> str:
    """The text of a first ``persona.yaml`` for the given files, to confirm and edit.

    It lists every event type and channel of the events with its count, a
    moment of truth suggested for each event type from its name (English and
    Italian rules, marked as suggestions), the purchase types guessed from the
    event types whose rows carry a ``value``, support and return types guessed
    from their names, the CSV dialect and the timestamp format found. Paths are
    written relative to ``folder``, where the file is to be saved.
    """
    folder = Path(folder)
    events = table_path(events, "events")
    kind = table_format(events, "events")
    found = None if kind == "parquet" else ReadOptions().for_file(events, kind)
    raw = read_table(events, "events", options=found,
                     columns=("event_type", "channel", "device", "value", "timestamp"))  # fmt: skip
    missing = [c for c in ("event_type", "channel", "timestamp") if c not in raw]
    if missing:
        raise InputError(
            "events", f"has no column {missing[0]!r}.", column=missing[0],
            fix="give the event log with customer_id, timestamp, channel and event_type columns.",
        )  # fmt: skip
    stamp_format, stamp_note = _timestamp_format(raw["timestamp"])
    types = raw["event_type"].astype(str).value_counts()
    channels = raw["channel"].astype(str).value_counts()
    valued = pd.Series(dtype=float)
    if "value" in raw:
        valued = raw["value"].notna().groupby(raw["event_type"].astype(str)).mean()
    returns = _named(list(types.index), _RETURN)  # returns carry a value too
    purchases = sorted(set(valued.index[valued >= 0.5]) - set(returns))
    if not purchases and "purchase" in types.index:
        purchases = ["purchase"]
    names = list(types.index)
    lines = [
        "# persona project file, drafted by `persona init`: confirm and edit it, then run",
        "#   persona validate --config persona.yaml",
        "#   persona fit --config persona.yaml --out models/v1",
        "# Paths are relative to this file.",
        "tables:",
    ]
    given = {"events": events, "survey": survey, "emotions": emotions,
             "demographics": demographics}  # fmt: skip
    for name, path in given.items():
        if path is not None:
            lines.append(f"  {name}: {_q(_relative(Path(path), folder))}")
    if instrument is not None:
        lines.append(f"instrument: {_q(_relative(Path(instrument), folder))}")
    else:
        lines.append("# instrument: instrument.yaml   # the survey's items and dimensions")
    if found is not None:
        lines += [
            "# Each CSV file's dialect is read off its first lines; the events' is below.",
            "# Uncomment to set it for every file.",
            f"# csv: {{delimiter: {_q(found.delimiter)}, decimal: {_q(found.decimal)}}}",
        ]
    if stamp_format:
        lines.append(f"timestamp_format: {_q(stamp_format)}   # {stamp_note}")
    else:
        lines.append(f"# timestamps: {stamp_note}")
    lines += [
        "journey:",
        f"  # The moment of truth of each event type ({', '.join(MOMENTS)}). Where the",
        "  # name suggested none, the event type is left commented out: say its moment.",
        "  taxonomy:",
    ]
    for name, count in types.items():
        moment = suggested_moment(name)
        how = "default taxonomy" if name in DEFAULT_TAXONOMY else "suggested from the name"
        if moment is None:
            lines.append(f"    # {_q(name)}: ZMOT|FMOT|SMOT|UMOT   # {count:,} rows: no suggestion")
        else:
            lines.append(f"    {_q(name)}: {moment}   # {count:,} rows; {how}")
    lines.append("  # Event types that are purchases (their value is the spend), support "
                 "contacts and returns.")  # fmt: skip
    lines.append(f"  purchase_types: {_list(purchases)}   # the types whose rows carry a value")
    lines.append(f"  support_types: {_list(_named(names, _SUPPORT))}   # suggested from the names")
    lines.append(f"  return_types: {_list(returns)}   # suggested from the names")
    lines.append("# Channels in the events (each gets a share feature):")
    for name, count in channels.items():
        lines.append(f"#   {name}: {count:,} rows")
    lines += ["model:", "  random_state: 0"]
    return "\n".join(lines) + "\n"


def _relative(path: Path, folder: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:  # another drive
        return str(path.resolve())


def _q(text: str) -> str:
    """A YAML scalar for ``text``: JSON's quoting, which YAML reads the same."""
    return json.dumps(str(text), ensure_ascii=False)


def _list(names: list[str]) -> str:
    return "[" + ", ".join(_q(n) for n in names) + "]"
