"""Writing a command's `--output` file: the one way every command does it.

The file's folder must not lead out of the repository through a symbolic link (a pull request
could commit one), missing folders are created (`-o reports/archlint.sarif` in a fresh
checkout), and the content goes to a new file renamed over the name, so a link committed under
the report's name is replaced, never followed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from ..errors import UsageError


def must_stay_inside(path: str, option: str) -> None:
    """Refuse a file to write whose folder lies in the repository as written but leads out of
    it through a symbolic link (a folder link a pull request committed)."""
    from ..paths import escapes, project_root

    if escapes(os.path.dirname(os.path.abspath(path)), project_root(os.getcwd())):
        raise UsageError(f"{option}: the folder leads out of the repository through a symbolic link", path)


@contextmanager
def output_file(path: str, what: str = "the report", option: str = "--output") -> Iterator[TextIO]:
    """A text stream whose content becomes `path` when the block ends without an error.

    Usage errors (exit 2): `path` names a folder, its folder leads out of the repository, or it
    cannot be written (no permission, a file where a folder should be, a full disk).
    """
    if os.path.isdir(path) and not os.path.islink(path):
        raise UsageError(f"{option} names a directory", path)
    must_stay_inside(path, option)
    from ..files import Replacing

    try:
        folder = os.path.dirname(path)
        if folder and not os.path.isdir(folder):
            if os.path.lexists(folder):  # a file where the folder should be (makedirs: "File exists")
                raise NotADirectoryError(20, "Not a directory", folder)
            os.makedirs(folder, exist_ok=True)
        with Replacing(path) as stream:
            yield stream
    except OSError as exc:
        raise UsageError(f"cannot write {what}: {exc.strerror or exc}", path) from None
