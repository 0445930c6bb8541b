"""Output that a repository's text cannot turn against its reader.

Reports print file names, finding messages (with values from the document) and waiver
reasons, all written by whoever wrote the pull request. Printed raw, an ANSI escape rewrites
the terminal, a carriage return hides a line, and a line starting with `::` is a GitHub Actions
workflow command (`::add-mask::`, `::stop-commands::`, a forged `::error`). Every reporter
that writes plain lines passes such text through here (the github, JUnit, SARIF and JSON
reporters escape for their own formats). No imports: the text reporter loads it on every run.
"""

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
