"""libyaml through ruamel.yaml.clib: parse events, tag resolution, numbers.

Imported lazily by `loader`, the only module that uses it (it builds data and
positions from the events in one pass: no node tree).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from _ruamel_yaml import CParser
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

from .loader import YamlError

__all__ = [
    "AliasEvent",
    "DocumentEndEvent",
    "DocumentStartEvent",
    "MappingEndEvent",
    "MappingStartEvent",
    "ScalarEvent",
    "SequenceEndEvent",
    "SequenceStartEvent",
    "StreamEndEvent",
    "StreamStartEvent",
    "construct_float",
    "construct_int",
    "events",
    "tag_name",
]


def _implicit_tags() -> dict[str, list[list[Any]]]:
    """ruamel's YAML 1.2 implicit resolvers by first character: [tag name, match or None, pattern].

    The patterns are ruamel's own, compiled on first use (its lazy wrapper
    compiles when an attribute is read): a file without dates or floats
    never compiles those, and no regex is compiled twice.
    """
    table: dict[str, list[list[Any]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            entry = [str(Tag(suffix=tag)), None, regexp]
            for character in first:
                table.setdefault(character, []).append(entry)
    return table


_IMPLICIT = _implicit_tags()
_STR = str(VersionedResolver.DEFAULT_SCALAR_TAG)


def tag_name(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of a scalar written without one, by the YAML 1.2 core schema.

    ruamel's VersionedResolver.resolve for version 1.2, minus what never applies
    here (a version lookup per scalar, path resolvers): the same tags, several
    times faster. A test compares the two on every kind of scalar.
    """
    if implicit[0]:  # plain, not quoted
        for entry in _IMPLICIT.get(value[:1], ()):
            match = entry[1]
            if match is None:
                match = entry[1] = entry[2].match
            if match(value):
                tag: str = entry[0]
                return tag
    return _STR


def events(text: str) -> Iterator[Any]:
    """libyaml's parse events for `text`, StreamEndEvent last; a syntax error is a YamlError."""
    parser = CParser(text)
    try:
        while True:
            event = parser.get_event()
            yield event
            if type(event) is StreamEndEvent:
                return
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        if mark and "tab" not in problem and _character_at(text, mark.line, mark.column) == "\t":
            problem += ": a tab; YAML indents with spaces only"
        raise YamlError(problem, *_position(text, mark)) from None
    except YAMLError as exc:  # ReaderError and friends: position is in the text
        raise YamlError(_reader_message(exc), *_reader_position(exc, text)) from None
    finally:
        parser.dispose()


# What libyaml counts as a line break (only an error's position needs it).
_BREAK = "\r\n|[\r\n\x85\u2028\u2029]"


def _position(text: str, mark: Any) -> tuple[int, int]:
    """The 1-based line and column of a mark, inside the text: at the end of a file that
    lacks a final line break, libyaml reports a line that does not exist."""
    if mark is None:
        return 1, 1
    starts = [match.end() for match in re.finditer(_BREAK, text)]
    if mark.line > len(starts):
        return len(starts) + 1, len(text) - (starts[-1] if starts else 0) + 1
    return mark.line + 1, mark.column + 1


def _character_at(text: str, line: int, column: int) -> str:
    lines = re.split(_BREAK, text, maxsplit=line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _reader_message(exc: Any) -> str:
    character = getattr(exc, "character", None)
    if isinstance(character, int):
        return f"special character #x{character:04x} is not allowed in YAML"
    return str(getattr(exc, "reason", None) or exc).strip().splitlines()[0]


def _reader_position(exc: Any, text: str) -> tuple[int, int]:
    position = getattr(exc, "position", None)
    if not isinstance(position, int):
        return 1, 1
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


class _Numbers(SafeConstructor, VersionedResolver):
    """ruamel's YAML 1.2 int and float constructors (hex, octal, 1_000, .inf...)."""

    def __init__(self) -> None:
        SafeConstructor.__init__(self, loader=self)
        VersionedResolver.__init__(self, version=(1, 2), loader=self)


_numbers = _Numbers()


def construct_int(value: str) -> int:
    if value.isascii() and value.isdigit():
        return int(value)  # what ruamel returns for plain decimals, without its version checks
    return int(_numbers.construct_yaml_int(ScalarNode("tag:yaml.org,2002:int", value)))


def construct_float(value: str) -> float:
    return float(_numbers.construct_yaml_float(ScalarNode("tag:yaml.org,2002:float", value)))
