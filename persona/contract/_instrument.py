"""Psychographic instruments: which survey item measures which need or desire.

An :class:`Instrument` lists a survey's Likert items, each with the need /
desire dimension it measures, its scale, whether it is reverse-keyed and its
text. It loads from a dict, a JSON file or a YAML file, and is checked when it
is built: an unknown scale, an item without a dimension, a declared dimension
without items or a duplicated item fail with :class:`persona.InputError`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from persona._validate import is_whole
from persona.contract._tables import read_settings
from persona.errors import ConfigError, InputError

if TYPE_CHECKING:
    from persona.contract._tables import TableLike
    from persona.features.exploratory import Suggestion

__all__ = ["Instrument", "Item"]

_TABLE = "instrument"
_ITEM_KEYS = {"item", "dimension", "scale", "reverse", "text"}
_NAMED_SCALE = re.compile(r"^likert-?(\d+)$")


@dataclass(frozen=True)
class Item:
    """One survey item: its name, dimension, scale, keying and text."""

    item: str
    dimension: str
    scale: tuple[int, int]
    reverse: bool = False
    text: str = ""

    @property
    def low(self) -> int:
        return self.scale[0]

    @property
    def high(self) -> int:
        return self.scale[1]


class Instrument:
    """A survey instrument measuring need and desire dimensions.

    Parameters
    ----------
    name : str
        The instrument's name, e.g. ``"needs-v1"``.
    items : sequence of Item or mapping
        The items, each with ``item``, ``dimension``, ``scale`` (``[low,
        high]`` whole numbers, or ``"likert5"``-style names), and optionally
        ``reverse`` (bool) and ``text``.
    dimensions : mapping of str to str, optional
        Dimension names with a description each, in the order to report them.
        By default the dimensions are those of the items, in order of first
        appearance.

    Examples
    --------
    >>> instrument = Instrument.from_dict({"name": "needs-v1", "items": [
    ...     {"item": "thr1", "dimension": "thrift", "scale": [1, 5],
    ...      "text": "I compare prices before I buy."},
    ...     {"item": "thr4", "dimension": "thrift", "scale": [1, 5], "reverse": True,
    ...      "text": "I rarely look for discounts."}]})
    >>> instrument.dimensions
    ('thrift',)
    >>> instrument.items_of("thrift")
    ('thr1', 'thr4')
    >>> instrument.reverse_keyed
    ('thr4',)
    """

    def __init__(
        self,
        name: str,
        items: Sequence[Item | Mapping[str, Any]],
        dimensions: Mapping[str, str] | Sequence[str] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InputError(
                _TABLE, f"needs a name, got {name!r}.", column="name", fix="give it a name."
            )
        if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
            raise InputError(
                _TABLE,
                f"items must be a list of items, got {type(items).__name__}.",
                column="items",
                fix="give items as a list of {'item', 'dimension', 'scale', ...} entries.",
            )
        if not items:
            raise InputError(_TABLE, "has no items.", column="items", fix="list at least one item.")
        self.name = name
        self._items = tuple(_parse_item(entry, i) for i, entry in enumerate(items))
        self._by_name = {}
        for position, item in enumerate(self._items):
            if item.item in self._by_name:
                raise InputError(
                    _TABLE,
                    f"lists the item '{item.item}' twice.",
                    column=f"items[{position}].item",
                    fix="give every item a unique name.",
                )
            self._by_name[item.item] = item
        self._descriptions = _parse_dimensions(dimensions, self._items)

    # ----------------------------------------------------------------- loading

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Instrument:
        """Build an instrument from ``{"name", "items", "dimensions"?}``."""
        if not isinstance(spec, Mapping):
            raise InputError(
                _TABLE,
                f"must be a mapping with 'name' and 'items', got {type(spec).__name__}.",
                fix="see Instrument's docstring for the shape.",
            )
        unknown = set(spec) - {"name", "items", "dimensions", "description"}
        if unknown:
            raise InputError(
                _TABLE,
                f"has unknown key(s) {sorted(unknown)}.",
                fix="use only 'name', 'items', 'dimensions' and 'description'.",
            )
        missing = [k for k in ("name", "items") if k not in spec]
        if missing:
            raise InputError(
                _TABLE, f"lacks {missing}.", column=missing[0], fix="add the missing key(s)."
            )
        return cls(spec["name"], spec["items"], spec.get("dimensions"))

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> Instrument:
        """Load an instrument from a ``.json``, ``.yaml`` or ``.yml`` file."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".json", ".yaml", ".yml"):
            raise InputError(
                _TABLE,
                f"cannot read '{path}': unknown file type '{suffix}'.",
                fix="save the instrument as .json, .yaml or .yml.",
            )
        try:
            spec = read_settings(path)
        except ValueError as error:
            raise InputError(_TABLE, str(error), fix="repair it.") from error
        return cls.from_dict(spec)

    @classmethod
    def suggest(
        cls, survey: TableLike, n_dimensions: int | None = None, **options: Any
    ) -> Suggestion:
        """Propose an instrument for items that come without a dimension map.

        An exploratory factor analysis (parallel analysis, minres, oblimin)
        puts each item on a dimension and proposes reverse keys; see
        :func:`persona.features.exploratory.suggest_instrument` for the
        steps and ``options``. Returns a ``Suggestion``: ``.instrument`` to
        name and confirm, with the loadings and the confirmatory fit behind it.
        """
        from persona.features.exploratory import suggest_instrument  # features build on this

        return suggest_instrument(survey, n_dimensions, **options)

    def to_dict(self) -> dict[str, Any]:
        """The instrument as plain data; ``Instrument.from_dict`` reads it back."""
        return {
            "name": self.name,
            "dimensions": dict(self._descriptions),
            "items": [{**asdict(item), "scale": list(item.scale)} for item in self._items],
        }

    def to_file(self, path: str | os.PathLike) -> None:
        """Write the instrument as JSON or YAML, by the file's suffix."""
        path = Path(path)
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")
        elif path.suffix.lower() in (".yaml", ".yml"):
            path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True))
        else:
            raise ConfigError(f"Got path={str(path)!r}, but expected a .json, .yaml or .yml file.")

    # ----------------------------------------------------------------- reading

    @property
    def items(self) -> tuple[Item, ...]:
        """All items, in instrument order."""
        return self._items

    @property
    def item_names(self) -> tuple[str, ...]:
        return tuple(item.item for item in self._items)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The need / desire dimensions measured, in reporting order."""
        return tuple(self._descriptions)

    @property
    def reverse_keyed(self) -> tuple[str, ...]:
        """Names of the reverse-keyed items."""
        return tuple(item.item for item in self._items if item.reverse)

    def describe(self, dimension: str) -> str:
        """The description given for ``dimension`` ('' when none was given)."""
        self._check_dimension(dimension)
        return self._descriptions[dimension]

    def items_of(self, dimension: str) -> tuple[str, ...]:
        """Names of the items measuring ``dimension``."""
        self._check_dimension(dimension)
        return tuple(item.item for item in self._items if item.dimension == dimension)

    def item(self, name: str) -> Item:
        """The item called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"Got item={name!r}, but instrument '{self.name}' has no such item; "
                f"it has {list(self._by_name)[:10]}..."
            ) from None

    def scale_of(self, name: str) -> tuple[int, int]:
        """``(low, high)`` of the item called ``name``."""
        return self.item(name).scale

    def _check_dimension(self, dimension: str) -> None:
        if dimension not in self._descriptions:
            raise KeyError(
                f"Got dimension={dimension!r}, but instrument '{self.name}' measures "
                f"{list(self._descriptions)}."
            )

    # ----------------------------------------------------------------- protocol

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instrument) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.name, self._items))

    def __repr__(self) -> str:
        return (
            f"Instrument(name={self.name!r}, {len(self._items)} items, "
            f"dimensions={list(self.dimensions)})"
        )


def _parse_item(entry: Item | Mapping[str, Any], position: int) -> Item:
    where = f"items[{position}]"
    if isinstance(entry, Item):
        entry = asdict(entry)
    if not isinstance(entry, Mapping):
        raise InputError(
            _TABLE,
            f"item {position} is a {type(entry).__name__}, not a mapping.",
            column=where,
            fix="write each item as {'item': ..., 'dimension': ..., 'scale': [1, 5]}.",
        )
    unknown = set(entry) - _ITEM_KEYS
    if unknown:
        raise InputError(
            _TABLE,
            f"item {position} has unknown key(s) {sorted(unknown)}.",
            column=where,
            fix=f"use only {sorted(_ITEM_KEYS)}.",
        )
    name = entry.get("item")
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            _TABLE,
            f"item {position} has no name (got {name!r}).",
            column=f"{where}.item",
            fix="give every item a non-empty 'item' name, the survey column that holds it.",
        )
    if name == "customer_id":
        raise InputError(
            _TABLE,
            "an item cannot be called 'customer_id'; that name is the survey's key.",
            column=f"{where}.item",
            fix="rename the item.",
        )
    dimension = entry.get("dimension")
    if not isinstance(dimension, str) or not dimension.strip():
        raise InputError(
            _TABLE,
            f"item '{name}' has an empty dimension (got {dimension!r}).",
            column=f"{where}.dimension",
            fix="say which need or desire the item measures, e.g. 'dimension': 'thrift'.",
        )
    reverse = entry.get("reverse", False)
    if not isinstance(reverse, bool):
        raise InputError(
            _TABLE,
            f"item '{name}' has reverse={reverse!r}; it must be true or false.",
            column=f"{where}.reverse",
            fix="write reverse: true for reverse-keyed items, false (or nothing) otherwise.",
        )
    text = entry.get("text", "") or ""
    if not isinstance(text, str):
        raise InputError(
            _TABLE,
            f"item '{name}' has a text that is not a string.",
            column=f"{where}.text",
            fix="give the item's wording as a string.",
        )
    return Item(name, dimension, _parse_scale(entry.get("scale"), name, where), reverse, text)


def _parse_scale(scale: Any, name: str, where: str) -> tuple[int, int]:
    if isinstance(scale, str):
        named = _NAMED_SCALE.match(scale.strip().lower())
        if named and int(named.group(1)) >= 2:
            return (1, int(named.group(1)))
    elif (
        isinstance(scale, Sequence)
        and len(scale) == 2
        and all(is_whole(v) for v in scale)
        and scale[0] < scale[1]
    ):
        return (int(scale[0]), int(scale[1]))
    raise InputError(
        _TABLE,
        f"item '{name}' has an unknown scale {scale!r}.",
        column=f"{where}.scale",
        fix="give the scale as [low, high] whole numbers with low < high, e.g. [1, 5], "
        "or as 'likert5' / 'likert7'.",
    )


def _parse_dimensions(
    dimensions: Mapping[str, str] | Sequence[str] | None, items: tuple[Item, ...]
) -> dict[str, str]:
    used = list(dict.fromkeys(item.dimension for item in items))
    if dimensions is None:
        return {d: "" for d in used}
    if isinstance(dimensions, Mapping):
        declared = {str(k): ("" if v is None else str(v)) for k, v in dimensions.items()}
    elif isinstance(dimensions, Sequence) and not isinstance(dimensions, str):
        declared = {str(d): "" for d in dimensions}
    else:
        raise InputError(
            _TABLE,
            f"dimensions must be a mapping of name to description, got {dimensions!r}.",
            column="dimensions",
            fix="write dimensions as {'thrift': 'getting good value', ...}.",
        )
    empty = [d for d in declared if d not in used]
    if empty:
        raise InputError(
            _TABLE,
            f"declares dimension(s) {empty} that no item measures (an empty dimension).",
            column="dimensions",
            fix="add items for them or remove them from 'dimensions'.",
        )
    undeclared = [d for d in used if d not in declared]
    if undeclared:
        raise InputError(
            _TABLE,
            f"has items measuring dimension(s) {undeclared} missing from 'dimensions'.",
            column="dimensions",
            fix="declare every dimension the items use, or leave 'dimensions' out.",
        )
    return declared
