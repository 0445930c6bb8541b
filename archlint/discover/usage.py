"""The record every scanner produces: one piece of AI usage evidence in one file."""

from __future__ import annotations

from typing import NamedTuple

UNRESOLVED = "unresolved"  # a dynamic import whose module is not a literal: noted, never a finding


def printable(name: str) -> str:
    """A name as reports show it: bytes that are not UTF-8 and control characters (a newline
    could forge an output line) escaped."""
    if name.isprintable():
        return name
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in name)


class Usage(NamedTuple):
    """`file` is the display path (relative to the repository root, forward slashes); `line` and
    `column` are 1-based; `kind` is a catalogue kind or "unresolved"; `entry` the catalogue id."""

    file: str
    line: int
    column: int
    kind: str
    library: str
    symbol: str
    entry: str

    def to_json(self) -> dict[str, object]:
        return dict(self._asdict())
