"""The text form records are compared in, and the 64-bit key of that form.

Normalised text is Unicode NFC, case-folded, with every run of whitespace
collapsed to one space and none at either end: "  Reset my\\nPASSWORD " and
"reset my password" are the same input.

A key is two CRC-32s of the normalised text's UTF-8 bytes, forwards and
backwards, as one 64-bit integer: stable across runs (keys are cached), and
cheap enough to compute for every record of a gigabyte file (a cryptographic
hash costs several times more per call). Two different natural texts share a
key with a probability of about 2^-64; a crafted collision can only produce a
false EVD003 or EVD006 finding, never hide one.

`keys` works on a block of texts at once: ASCII texts whose only whitespace
problems are newlines, tabs and carriage returns (the common case) are
normalised with a handful of C-level string operations over the whole block.
"""

from __future__ import annotations

import unicodedata
from zlib import crc32

# Whitespace str.split() knows besides space, newline, carriage return and tab (ASCII only).
_RARE_SPACES = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def normalise(text: str) -> str:
    """NFC, case-folded, whitespace collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())  # ASCII is NFC already, and casefold is lower
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def key(text: str) -> int:
    """The 64-bit key of already normalised text."""
    data = text.encode("utf-8", "surrogatepass")  # JSON may hold a lone surrogate (\\ud800)
    return (crc32(data) << 32) | crc32(data[::-1])


def normalise_all(texts: list[str], separator: str = "\x00") -> list[str]:
    """`normalise` of each text (texts holding `separator` are normalised one by one)."""
    if not texts:
        return []
    block = separator.join(texts)
    if block.isascii() and block.count(separator) == len(texts) - 1:
        low = block.lower()
        for space in ("\n", "\r", "\t"):
            if space in low:  # one memchr: cheap when absent
                low = low.replace(space, " ")
        # Only a run of spaces needs the slow path; spaces at the edges are stripped below.
        if "  " not in low and not any(space in low for space in _RARE_SPACES):
            return [piece.strip(" ") for piece in low.split(separator)]
    return [normalise(text) for text in texts]


def keys(texts: list[str]) -> list[int]:
    """The key of each text, normalised."""
    return keys_of(normalise_all(texts))


def keys_of(normalised: list[str]) -> list[int]:
    """The keys of texts already normalised."""
    return [
        (crc32(data) << 32) | crc32(data[::-1])
        for data in (text.encode("utf-8", "surrogatepass") for text in normalised)
    ]


def record_keys(records: list[list[str]]) -> list[int]:
    """The key of each record given as its texts, each normalised on its own, in order."""
    low = normalise_all(["\x01".join(parts) for parts in records])
    block = "\x00".join(low)
    if " \x01" in block or "\x01 " in block:  # a part with a space at an edge: one by one
        low = ["\x01".join(normalise(part) for part in parts) for parts in records]
    return keys_of(low)


def record_key(parts: list[str]) -> int:
    """The key of one record given as its texts."""
    return record_keys([parts])[0]
