"""The text form records are compared in, and the 64-bit key of that form.

Normalised text is Unicode NFC, case-folded, with every run of whitespace
collapsed to one space and none at either end: "  Reset my\\nPASSWORD " and
"reset my password" are the same input.

A key is the CRC-32 and the Adler-32 of the normalised text's UTF-8 bytes as
one 64-bit integer: stable across runs (keys are cached), and cheap enough to
compute for every record of a gigabyte file (a cryptographic hash costs
several times more per call). Two different natural texts of some length
share a key with a probability near 2^-64 (Adler-32 is weaker on texts of a
few bytes); a crafted collision can only produce a false EVD003 or EVD006
finding, never hide one.

`keys` works on a block of texts at once: ASCII texts whose only whitespace
problems are newlines, tabs and carriage returns (the common case) are
normalised with a handful of C-level string operations over the whole block.
"""

from __future__ import annotations

import sys
import unicodedata
from array import array
from zlib import adler32, crc32

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
    return (crc32(data) << 32) | adler32(data)


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


def keys(texts: list[str]) -> array[int]:
    """The key of each text, normalised. The common case (ASCII with no run of spaces) runs
    without a Python step per text: the block is encoded once, split, and hashed by `map`."""
    if texts:
        block = "\x00".join(texts)
        if block.isascii() and block.count("\x00") == len(texts) - 1:
            low = block.lower()
            for space in ("\n", "\r", "\t"):
                if space in low:
                    low = low.replace(space, " ")
            if "  " not in low and not any(space in low for space in _RARE_SPACES):
                pieces = list(map(bytes.strip, low.encode("ascii").split(b"\x00")))
                return _combine(array("I", map(crc32, pieces)), array("I", map(adler32, pieces)))
    return keys_of(normalise_all(texts))


def keys_of(normalised: list[str]) -> array[int]:
    """The keys of texts already normalised."""
    data = [text.encode("utf-8", "surrogatepass") for text in normalised]
    return _combine(array("I", map(crc32, data)), array("I", map(adler32, data)))


def _combine(high: array[int], low: array[int]) -> array[int]:
    """(high << 32) | low for each pair, as 64-bit integers: interleaved in C on a
    little-endian machine, one by one elsewhere."""
    combined = array("Q")
    if sys.byteorder == "little" and high.itemsize == 4 and combined.itemsize == 8:
        buffer = bytearray(8 * len(high))
        view = memoryview(buffer).cast("I")
        view[0::2] = low
        view[1::2] = high
        combined.frombytes(buffer)
        return combined
    combined.extend((first << 32) | second for first, second in zip(high, low, strict=True))
    return combined


def record_keys(records: list[list[str]]) -> array[int]:
    """The key of each record given as its texts, each normalised on its own, in order."""
    low = normalise_all(["\x01".join(parts) for parts in records])
    block = "\x00".join(low)
    if " \x01" in block or "\x01 " in block:  # a part with a space at an edge: one by one
        low = ["\x01".join(normalise(part) for part in parts) for parts in records]
    return keys_of(low)


def record_key(parts: list[str]) -> int:
    """The key of one record given as its texts."""
    return record_keys([parts])[0]
