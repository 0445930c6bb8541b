"""Output that a repository's text cannot turn against its reader.

Reports print file names, finding messages (with values from the document) and waiver
reasons, all written by whoever wrote the pull request. Printed raw, an ANSI escape rewrites
the terminal, a carriage return hides a line, and a line starting with `::` is a GitHub Actions
workflow command (`::add-mask::`, `::stop-commands::`, a forged `::error`). Every reporter
that writes plain lines passes such text through here (the github, JUnit, SARIF and JSON
reporters escape for their own formats), and so does every command's text output, through
`InertLines`. Only modules a run has already loaded are imported: the text reporter imports
this one on every run.
"""

import io
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from types import TracebackType

# Output lines a CI runner reads as commands: GitHub Actions workflow commands (`::error ...`,
# `::add-mask::`, `::stop-commands::`) and their older `##[...]` form.
_COMMAND_STARTS = ("::", "##[")


def inert(text: str) -> str:
    """Text from a repository (a file name, a message with document values, a waiver reason)
    made safe to print inside one output line: every character that is not printable (ANSI
    escapes, CR, newlines, other line and paragraph separators, non-UTF-8 bytes kept as
    surrogates) is written as its Python escape, so it can neither move the cursor, recolour
    the terminal nor start a line of its own."""
    if text.isprintable():
        return text  # the usual case: nothing to do
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def inert_line(text: str) -> str:
    """`inert(text)` that may also start an output line: a line that starts (after blanks)
    with `::` or `##[` is a CI runner's command, so its first character is escaped. Only
    archlint's own annotations (the github reporter) start a line that way."""
    text = inert(text)
    stripped = text.lstrip()
    if stripped.startswith(_COMMAND_STARTS):
        at = len(text) - len(stripped)
        text = f"{text[:at]}\\x{ord(text[at]):02x}{text[at + 1 :]}"
    return text


class InertLines(io.TextIOBase, TextIO):
    """A text stream for a command's plain output, written to `stream` one `inert_line` per
    line: whatever a value from a repository holds (a newline, an escape, a leading `::`), no
    line printed starts a CI runner's command nor sends the terminal a control character. Use it
    as a context manager (`with InertLines(sys.stdout) as out:`): leaving writes the last line
    if it has no newline, and leaves `stream` open."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self._line = ""  # the start of a line whose newline has not been written yet

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # Only "\n" ends a line: every other line break inside a value is escaped by `inert`.
        *lines, self._line = (self._line + text).split("\n")
        if lines:
            self._stream.write("".join(f"{inert_line(line)}\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def close(self) -> None:
        if not self.closed:
            if self._line:
                self._stream.write(inert_line(self._line))
                self._line = ""
            self._stream.flush()
        super().close()

    def __enter__(self) -> "InertLines":
        return self

    def __exit__(
        self,
        kind: "type[BaseException] | None",
        value: "BaseException | None",
        traceback: "TracebackType | None",
    ) -> None:
        self.close()
