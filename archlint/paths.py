"""Display paths: relative to the repository root (or the current directory), with forward slashes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from functools import cache
from typing import Any


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


def inside(path: str, root: str) -> bool:
    """Whether `path`, once every symbolic link in it is followed, is `root` or lies below it
    (`root` resolved the same way).

    The one containment test of archlint: anything a repository names (policy paths, feature
    files reached through links, the folder of a report or cache inside it) must pass it
    against the repository root before it is read or written. A path that does not exist
    resolves as far as it does.
    """
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base if base.endswith(os.sep) else base + os.sep)


def escapes(path: str, root: str) -> bool:
    """Whether `path` lies in `root` as written but leaves it once links are followed (a path
    written outside `root` does not escape it: it was never in it)."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    written_inside = absolute == base or absolute.startswith(base if base.endswith(os.sep) else base + os.sep)
    return written_inside and not inside(absolute, base)


def repository_root(path: str) -> str:
    """The root of the repository `path` (a file or folder) lies in: the nearest folder at or
    above it holding `.git`; a path outside any git work tree is its own root (its folder,
    for a file)."""
    absolute = os.path.abspath(path)
    start = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    return git_root(start) or start


def signature(paths: list[str]) -> list[list[Any]]:
    """The state of files a cached result depends on besides its own text (the evidence paths
    a feature resolved): [path, size, mtime, inode, type] each, or [path] when absent. Here,
    beside the other path helpers, so a warm run compares states without loading `evidence`."""
    rows: list[list[Any]] = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            rows.append([path])
            continue
        rows.append([path, status.st_size, status.st_mtime_ns, status.st_ino, stat.S_IFMT(status.st_mode)])
    return rows
