"""Message templates: `{spec.x.y}`, `{params.NAME}`, `{variables.NAME}`, with `{path|fallback}`.

One syntax for finding messages and decision-gate notes. An absent value
renders as its fallback, or, when the template gives none, as "not set" where
the template states a value ("rag.reranker is not set", "per_user_permissions:
not set") and "(not set)" anywhere else ("retrieves with top_k (not set) but",
"the index refreshes (not set)"), so every template reads with any field absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

ABSENT = "not set"
# Text before a placeholder that states its value: there the bare words read right.
_STATES = (" is ", " are ", " was ", " were ", ": ", "= ")
_PLACEHOLDER = r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?:\|([^{}]*))?\}"

Lookup = Callable[[tuple[str, ...]], Any]  # raises KeyError/IndexError when absent


def references(template: str) -> Iterator[str]:
    """The dotted paths a template reads, for checking at load time."""
    for match in re.finditer(_PLACEHOLDER, template):
        yield match.group(1)


def render(template: str, lookup: Lookup) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return words(lookup(tuple(match.group(1).split("."))))
        except (KeyError, IndexError):
            fallback = match.group(2)
            if fallback is not None:
                return fallback
            stated = template[: match.start()].endswith(_STATES)
            return ABSENT if stated else f"({ABSENT})"

    # re caches the compiled pattern: compiled on first use, not when `plural` is all a run needs.
    return re.sub(_PLACEHOLDER, replace, template)


def one_line(text: str, limit: int) -> str:
    """Text from a document inside a one-line message: control characters escaped (a newline
    could forge another finding), anything longer than `limit` cut."""
    if not text.isprintable():
        text = repr(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def words(value: Any) -> str:
    """A value as a person reads it in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, list):
        return ", ".join(words(item) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {words(v)}" for k, v in value.items()) + "}"
    return "null" if value is None else str(value)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`1 warning`, `2 warnings`, `0 errors`: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"
