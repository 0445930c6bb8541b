"""The text form records are compared in, and the 64-bit key of that form.

Normalised text is Unicode NFC, case-folded, with every run of whitespace
collapsed to one space and none at either end: "  Reset my\\nPASSWORD " and
"reset my password" are the same input. Keys are the first 8 bytes of a
BLAKE2b hash of the normalised text: stable across runs (they are cached),
with collisions between different texts at about one in 10^19 per pair.
"""

from __future__ import annotations

import unicodedata

try:  # hashlib would load OpenSSL first; BLAKE2 is built in
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

_SPACES = frozenset(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0")


def normalise(text: str) -> str:
    """NFC, case-folded, whitespace collapsed."""
    if text.isascii():
        # The common case, and a cheaper one: ASCII is NFC already, and casefold is lower.
        text = text.lower()
        if "  " in text or "\n" in text or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text:
            return " ".join(text.split())
        if text[:1] in _SPACES or text[-1:] in _SPACES or "\x1c" in text or "\x1d" in text:
            return " ".join(text.split())
        if "\x1e" in text or "\x1f" in text:
            return " ".join(text.split())
        return text
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def key(text: str) -> int:
    """The 64-bit key of already normalised text."""
    data = text.encode("utf-8", "surrogatepass")  # JSON may hold a lone surrogate (\\ud800)
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "little")


def record_key(parts: list[str]) -> int:
    """The key of a record given as its texts: each normalised on its own, joined by NUL."""
    return key("\0".join([normalise(part) for part in parts]))
