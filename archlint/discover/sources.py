"""Which files discovery reads, under the rules check's discovery follows: inside a git work tree
the files git tracks (submodules included) plus untracked files it does not ignore, and a git
failure is an error, never a fallback walk; nothing outside the repository is read, and a
symbolic link that leads out of it is not followed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..errors import UsageError
from ..paths import git_root

PYTHON = (".py",)
JAVASCRIPT = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
YAML = (".yaml", ".yml")
MAX_BYTES = 2_000_000  # a larger source file is a bundle or generated data, not code someone wrote


class Repository(NamedTuple):
    root: str  # absolute, symbolic links resolved
    files: tuple[str, ...]  # every file, relative to root with forward slashes, sorted
    in_git: bool


def inside(path: str, root: str) -> bool:
    """`path` (absolute, resolved) is `root` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def open_repository(paths: Sequence[str]) -> tuple[Repository, tuple[str, ...]]:
    """The repository the paths lie in and the paths as prefixes relative to its root ("" for all)."""
    absolute = [os.path.realpath(path) for path in paths]
    for given, path in zip(paths, absolute, strict=True):
        if not os.path.exists(path):
            raise UsageError("no such file or directory", given)
    first = absolute[0] if os.path.isdir(absolute[0]) else os.path.dirname(absolute[0])
    root = git_root(first)
    in_git = root is not None
    if root is None:
        root = os.path.commonpath([p if os.path.isdir(p) else os.path.dirname(p) for p in absolute])
    root = os.path.realpath(root)
    prefixes = []
    for given, path in zip(paths, absolute, strict=True):
        if not inside(path, root):
            raise UsageError("outside the repository being scanned", given)
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        prefixes.append("" if relative == "." else relative)
    files = _git_files(root) if in_git else _walk(root)
    return Repository(root, tuple(sorted(set(files))), in_git), tuple(prefixes)


def selected(files: Iterable[str], prefixes: Sequence[str]) -> list[str]:
    """The files at or under one of the prefixes."""
    if "" in prefixes:
        return list(files)
    return [f for f in files if any(f == p or f.startswith(p + "/") for p in prefixes)]


def vendored(file: str, names: frozenset[str]) -> bool:
    """A folder on the file's path is one of the vendored names (case-insensitively), or the
    file is minified or a type declaration."""
    parts = file.lower().split("/")
    name = parts[-1]
    return any(part in names for part in parts[:-1]) or name.endswith(
        (".min.js", ".d.ts", ".d.mts", ".d.cts")
    )


def language_of(file: str) -> str | None:
    lower = file.lower()
    if lower.endswith(PYTHON):
        return "python"
    if lower.endswith(JAVASCRIPT):
        return "javascript"
    if lower.endswith(YAML):
        return "yaml"
    return None


def read(root: str, file: str) -> bytes | None:
    """The file's bytes, or None when it is a link out of the repository, not a regular file,
    too large, or unreadable."""
    path = os.path.join(root, file)
    try:
        if os.path.islink(path) and not inside(os.path.realpath(path), root):
            return None
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError:
        return None
    return None if len(data) > MAX_BYTES else data


def _git_files(root: str) -> list[str]:
    import subprocess

    names: list[str] = []
    for arguments in (
        ["ls-files", "-z", "--cached", "--recurse-submodules"],
        ["ls-files", "-z", "--others", "--exclude-standard"],
    ):
        try:
            completed = subprocess.run(
                ["git", *arguments], cwd=root, capture_output=True, check=False, timeout=120
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise UsageError(f"cannot list the repository's files with git: {exc}", root) from None
        if completed.returncode != 0:
            reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(f"git ls-files failed: {reason[-1] if reason else completed.returncode}", root)
        names.extend(completed.stdout.decode("utf-8", "surrogateescape").split("\0"))
    kept = []
    for name in names:
        if not name:
            continue
        path = os.path.join(root, name)
        try:
            mode = os.lstat(path).st_mode
            # A link out of the repository is never followed; a deleted file drops out.
            if stat.S_ISLNK(mode):
                if not inside(os.path.realpath(path), root):
                    continue
                mode = os.stat(path).st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode):
            kept.append(name)
    return kept


def _walk(root: str) -> list[str]:
    found = []

    def fail(error: OSError) -> None:
        raise UsageError(f"cannot read directory: {error.strerror}", error.filename or "")

    for directory, dirnames, filenames in os.walk(root, onerror=fail):  # links to folders not followed
        dirnames[:] = [name for name in dirnames if name.lower() not in (".git", ".hg", ".svn")]
        relative = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in filenames:
            path = os.path.join(directory, name)
            if os.path.islink(path) and not inside(os.path.realpath(path), root):
                continue
            found.append(name if relative == "." else f"{relative}/{name}")
    return found
