"""Display paths: relative to the repository root (or the current directory), with forward slashes."""

from __future__ import annotations

import os
from functools import cache


@cache
def project_root(cwd: str) -> str:
    """The nearest folder at or above `cwd` holding `.git`, else `cwd` itself."""
    directory = cwd
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return cwd
        directory = parent


def display(path: str, cwd: str | None = None) -> str:
    """How a file is named in every report."""
    here = cwd or os.getcwd()
    root = project_root(here)
    absolute = os.path.abspath(os.path.join(here, path))
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = absolute
    if relative.startswith(".."):
        relative = absolute
    return relative.replace(os.sep, "/")
