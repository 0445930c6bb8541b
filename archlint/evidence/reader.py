"""A data file as a stream of lines of bounded length.

The file is read in chunks of CHUNK bytes; a line longer than MAX_LINE
bytes ends the stream with a `TooLong` marker (a 10 GB line without a
newline costs MAX_LINE bytes of reading, not 10 GB of memory). The digest of
the bytes read is computed on the side, in a thread: hashlib releases the GIL
on large buffers, so the digest costs no time of the parsing thread.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import NamedTuple

CHUNK = 1 << 20
MAX_LINE = 8 << 20  # a chat record with a long document is a few hundred KiB


class TooLong(NamedTuple):
    """The line `number` is longer than `limit` bytes: nothing after it is read."""

    number: int
    limit: int


class NotAFile(OSError):
    """The path opened is not a regular file (a FIFO, a device swapped in after the check)."""


def open_regular(path: str) -> int:
    """A read-only descriptor of a regular file; NotAFile or another OSError otherwise."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotAFile(f"{path} is not a regular file")
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


class Digest:
    """SHA-256 of what `lines` read, computed in a worker thread, one chunk behind."""

    def __init__(self) -> None:
        import hashlib
        from concurrent.futures import ThreadPoolExecutor

        self._hash = hashlib.sha256()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: list[object] = []

    def update(self, chunk: bytes) -> None:
        # At most two chunks wait: memory stays bounded however fast the file is read.
        while len(self._pending) >= 2:
            self._pending.pop(0).result()  # type: ignore[attr-defined]
        self._pending.append(self._pool.submit(self._hash.update, chunk))

    def hexdigest(self) -> str:
        for future in self._pending:
            future.result()  # type: ignore[attr-defined]
        self._pool.shutdown()
        return self._hash.hexdigest()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


Block = tuple[int, bytes, int]  # number of the first line, whole lines each ending with "\n", how many


def blocks(
    descriptor: int, digest: Digest | None = None, limit: int | None = None, length: int | None = None
) -> Iterator[Block | TooLong]:
    """The file from its current offset (`length` bytes of it, or to the end) as blocks of
    whole lines of about CHUNK bytes, then a TooLong marker if a line is longer than `limit`:
    nothing after that line is read. A last line without a newline gets one. `limit` is
    MAX_LINE unless given."""
    limit = MAX_LINE if limit is None else limit
    rest = b""
    number = 1
    read = os.read
    left = length
    while True:
        if left is None:
            chunk = read(descriptor, CHUNK)
        else:
            chunk = read(descriptor, min(CHUNK, left)) if left > 0 else b""
            left -= len(chunk)
        if digest is not None and chunk:
            digest.update(chunk)
        if not chunk:
            if rest:
                yield from _checked(number, rest + b"\n", limit)
            return
        cut = chunk.rfind(b"\n")
        if cut < 0:
            rest += chunk
            if len(rest) > limit:
                yield TooLong(number, limit)
                return
            continue
        data = rest + chunk[: cut + 1] if rest else chunk[: cut + 1]
        rest = chunk[cut + 1 :]
        count = data.count(b"\n")
        if len(data) > limit:
            stopped = False
            for item in _checked(number, data, limit):
                stopped = type(item) is TooLong
                yield item
            if stopped:
                return
        else:
            yield number, data, count
        number += count
        if len(rest) > limit:
            yield TooLong(number, limit)
            return


def _checked(number: int, data: bytes, limit: int) -> Iterator[Block | TooLong]:
    """A block that may hold a line longer than `limit`: the lines before it, then TooLong."""
    start = 0
    for index, part in enumerate(data.split(b"\n")):
        if len(part) > limit:
            if start:
                yield number, data[:start], index
            yield TooLong(number + index, limit)
            return
        start += len(part) + 1
    yield number, data, data.count(b"\n")


def lines(
    descriptor: int, digest: Digest | None = None, limit: int | None = None
) -> Iterator[bytes | TooLong]:
    """Every line of the file (without its newline, "\\r" kept), then a TooLong marker if a line
    is longer than `limit`: nothing after that line is read."""
    for item in blocks(descriptor, digest, limit):
        if isinstance(item, TooLong):
            yield item
            return
        parts = item[1].split(b"\n")
        parts.pop()
        yield from parts


def file_digest(path: str) -> str:
    """SHA-256 of a regular file, read in chunks."""
    import hashlib

    descriptor = open_regular(path)
    try:
        hasher = hashlib.sha256()
        while True:
            chunk = os.read(descriptor, CHUNK)
            if not chunk:
                return hasher.hexdigest()
            hasher.update(chunk)
    finally:
        os.close(descriptor)
