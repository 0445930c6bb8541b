"""libyaml through ruamel.yaml.clib: composing nodes and constructing numbers.

Imported lazily by `loader`, the only module that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from _ruamel_yaml import CParser
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import NodeEvent
from ruamel.yaml.nodes import ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

from .loader import MAX_NODES, YamlError


def _implicit_tags() -> dict[str, list[tuple[Tag, Callable[[str], Any]]]]:
    """ruamel's YAML 1.2 implicit resolvers by first character: (tag, its pattern's match)."""
    table: dict[str, list[tuple[Tag, Callable[[str], Any]]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            # ruamel's own compiled pattern (its lazy wrapper passes attributes through),
            # so no regex is compiled twice.
            match = regexp.match
            for character in first:
                table.setdefault(character, []).append((Tag(suffix=tag), match))
    return table


_IMPLICIT = _implicit_tags()
# The Tag objects `resolve` hands out, by identity, with their names: reading
# node.tag builds the name anew through three properties on every call.
_NAMES = {
    id(tag): str(tag)
    for tag in [
        *(tag for tags in _IMPLICIT.values() for tag, _ in tags),
        VersionedResolver.DEFAULT_SCALAR_TAG,
        VersionedResolver.DEFAULT_SEQUENCE_TAG,
        VersionedResolver.DEFAULT_MAPPING_TAG,
    ]
}


def tag_of(node: Any) -> str:
    """The node's tag (as `node.tag`), quickly for the tags resolution gives."""
    name = _NAMES.get(id(node.ctag))
    return name if name is not None else str(node.tag)


class _Composer(CParser, SafeConstructor, VersionedResolver):  # type: ignore[misc]
    """The C parser with YAML 1.2 core-schema tag resolution (as CSafeLoader, pinned to 1.2)."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        self._parser = self._composer = self
        SafeConstructor.__init__(self, loader=self)
        VersionedResolver.__init__(self, version=(1, 2), loader=self)

    # VersionedResolver.resolve, minus what never applies here (version lookup
    # per scalar, path resolvers): the same tags, several times faster. A test
    # compares the two on every kind of scalar.
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, match in _IMPLICIT.get(value[:1], ()):
                    if match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_numbers = _Composer("")


def compose_all(text: str) -> Iterator[Any]:
    """Yield the node tree of each document (None for an empty one)."""
    _refuse_too_many_nodes(text)
    composer = _Composer(text)
    try:
        while composer.check_node():
            node = composer.get_node()
            yield None if _is_empty(node) else node
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
        composer.dispose()


def _refuse_too_many_nodes(text: str) -> None:
    """Refuse a file of more than MAX_NODES nodes before composing any of it.

    Composing builds Python objects (seconds for a 1 MiB file of one-character
    items); libyaml's raw parse counts events in C first, and only a file over
    the budget is walked event by event to locate the node that passes it.
    """
    try:
        if CParser(text).raw_parse() <= MAX_NODES:
            return
    except YAMLError:
        pass  # a syntax error: still count the nodes before it, below
    parser = CParser(text)
    nodes = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    mark = event.start_mark
                    raise YamlError(
                        f"the file holds more than {MAX_NODES:,} YAML nodes, the limit for one file",
                        mark.line + 1,
                        mark.column + 1,
                    )
    except YAMLError:
        return  # composing reports it with its position


# What libyaml counts as a line break.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _position(text: str, mark: Any) -> tuple[int, int]:
    """The 1-based line and column of a mark, inside the text: at the end of a file that
    lacks a final line break, libyaml reports a line that does not exist."""
    if mark is None:
        return 1, 1
    starts = [match.end() for match in _BREAK.finditer(text)]
    if mark.line > len(starts):
        return len(starts) + 1, len(text) - (starts[-1] if starts else 0) + 1
    return mark.line + 1, mark.column + 1


def _character_at(text: str, line: int, column: int) -> str:
    lines = _BREAK.split(text, maxsplit=line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _is_empty(node: Any) -> bool:
    return bool(node.id == "scalar" and node.tag.endswith(":null") and node.value in ("", "~"))


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


def construct_int(node: Any) -> int:
    value: str = node.value
    if value.isascii() and value.isdigit():
        return int(value)  # what ruamel returns for plain decimals, without its version checks
    return int(_numbers.construct_yaml_int(node))


def construct_float(node: Any) -> float:
    return float(_numbers.construct_yaml_float(node))
