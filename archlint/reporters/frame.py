"""Code frames for `--show-source`: the line a finding points at, with a caret under the key."""

from __future__ import annotations

import re
from collections.abc import Sequence

# What a caret run covers from the finding's column: a key or a plain scalar up to `:` or a space.
_TOKEN = re.compile(r"""[^\s:#,\[\]{}]+|"[^"]*"|'[^']*'""")


def frame(lines: Sequence[str], line: int, column: int) -> list[str]:
    """The source line `line` (1-based) with its number, and carets under the token at `column`;
    [] when the line is not in `lines` (a file that changed since it was checked)."""
    if not 1 <= line <= len(lines):
        return []
    text = lines[line - 1].rstrip("\r\n").expandtabs(1)
    if not text.isprintable():
        text = "".join(char if char.isprintable() else "?" for char in text)
    start = min(max(column - 1, 0), len(text))
    match = _TOKEN.match(text, start)
    width = len(match.group()) if match else 1
    number = str(line)
    gutter = " " * len(number)
    return [
        f"{gutter} |",
        f"{number} | {text}",
        f"{gutter} | {' ' * start}{'^' * max(width, 1)}",
    ]
