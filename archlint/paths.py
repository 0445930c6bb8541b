"""Display paths: relative to the repository root (or the current directory), with forward slashes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache


@cache
def project_root(cwd: str) -> str:
    """The nearest folder at or above `cwd` holding `.git`, else `cwd` itself."""
    return git_root(cwd) or cwd


def git_root(start: str) -> str | None:
    """The nearest folder at or above `start` holding `.git` (a folder, or the file of a
    linked work tree or submodule); None when there is none."""
    return next((folder for folder in ancestors(start) if os.path.exists(os.path.join(folder, ".git"))), None)


def ancestors(start: str) -> Iterator[str]:
    """`start` and every folder above it, nearest first, up to the root."""
    directory = start
    while True:
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return
        directory = parent


def display(path: str, cwd: str | None = None) -> str:
    """How a file is named in every report."""
    here = cwd or os.getcwd()
    root = project_root(here)
    absolute = os.path.abspath(os.path.join(here, path))
    # Inside the root (the usual case) the name is what follows it: relpath, minus its cost
    # on every file of a large run.
    inside = root if root.endswith(os.sep) else root + os.sep
    if absolute.startswith(inside):
        relative = absolute[len(inside) :]
    else:
        try:
            relative = os.path.relpath(absolute, root)
        except ValueError:  # another drive on Windows
            relative = absolute
        if relative.startswith(".."):
            relative = absolute
    return relative.replace(os.sep, "/")


def inside(root: str, path: str) -> bool:
    """Whether `path`, after following symbolic links, is `root` or lies under it."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    try:
        return os.path.commonpath([real_root, real]) == real_root
    except ValueError:  # another drive on Windows, or a mix of absolute and relative
        return False
