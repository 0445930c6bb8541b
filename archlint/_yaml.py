"""libyaml through ruamel.yaml.clib: composing nodes and constructing numbers.

Imported lazily by `loader`, the only module that uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from _ruamel_yaml import CParser
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver

from .loader import YamlError


class _Composer(CParser, SafeConstructor, VersionedResolver):  # type: ignore[misc]
    """The C parser with YAML 1.2 core-schema tag resolution (as CSafeLoader, pinned to 1.2)."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        self._parser = self._composer = self
        SafeConstructor.__init__(self, loader=self)
        VersionedResolver.__init__(self, version=(1, 2), loader=self)


_numbers = _Composer("")


def compose_all(text: str) -> Iterator[Any]:
    """Yield the node tree of each document (None for an empty one)."""
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
        raise YamlError(problem, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1) from None
    except YAMLError as exc:  # ReaderError and friends: position is in the text
        raise YamlError(_reader_message(exc), *_reader_position(exc, text)) from None
    finally:
        composer.dispose()


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
    return int(_numbers.construct_yaml_int(node))


def construct_float(node: Any) -> float:
    return float(_numbers.construct_yaml_float(node))
