"""Writing a file whole without following a symbolic link: every file archlint writes (cache
entries, the cache folder's markers, reports, baselines) goes through here.

The data goes to a new temporary file beside the target, created exclusively (never an
existing file, never through a link), and is then renamed over the target's name. A rename
replaces the name itself: a link standing there is replaced, not followed, so a link committed
under the name of a report or a cache marker cannot make archlint write anywhere else. Readers
see the old file or the new one, whole, never half of one.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import TextIO

# O_NOFOLLOW beside O_EXCL: O_EXCL alone already refuses an existing link, this says it twice.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _temporary(path: str) -> tuple[str, int]:
    """A new file in the folder of `path`: (its name, an open descriptor)."""
    folder, name = os.path.split(path)
    while True:
        temporary = os.path.join(folder, f".{name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
        try:
            return temporary, os.open(temporary, _CREATE, 0o666)  # the umask applies
        except FileExistsError:
            continue  # 32 random bits taken: draw again


def replace(path: str, data: bytes) -> None:
    """Make `path` a regular file holding `data` (see the module's docstring).

    OSError propagates (the temporary file removed): a folder that cannot be
    written, a full disk, a folder in the way of the name.
    """
    temporary, descriptor = _temporary(path)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        _remove(temporary)
        raise


class Replacing:
    """A text stream whose content becomes the file `path` when the `with` block ends
    without an error (nothing is written to `path` otherwise)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.temporary = ""
        self.stream: TextIO | None = None

    def __enter__(self) -> TextIO:
        self.temporary, descriptor = _temporary(self.path)
        self.stream = os.fdopen(descriptor, "w", encoding="utf-8", newline="\n")
        return self.stream

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        assert self.stream is not None
        try:
            self.stream.close()
            if kind is None:
                os.replace(self.temporary, self.path)
        except BaseException:
            _remove(self.temporary)
            raise
        if kind is not None:
            _remove(self.temporary)


def _remove(path: str) -> None:
    try:  # noqa: SIM105 - contextlib is not otherwise loaded by a run
        os.unlink(path)
    except OSError:
        pass
