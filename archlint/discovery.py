"""Find feature files under the paths given on the command line."""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Iterator, Sequence

from .errors import UsageError
from .paths import git_root

FEATURE_PATTERNS = ("ai-feature.yaml", "ai-feature.yml", "*.ai-feature.yaml", "*.ai-feature.yml")
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", "__pycache__", ".tox", ".nox", ".archlint_cache"}
)


# FEATURE_PATTERNS as plain string tests (fnmatch costs a few microseconds a name).
_FEATURE_NAMES = ("ai-feature.yaml", "ai-feature.yml")
_FEATURE_SUFFIXES = (".ai-feature.yaml", ".ai-feature.yml")


def is_feature_file(name: str) -> bool:
    """Whether a file name matches one of FEATURE_PATTERNS."""
    return name in _FEATURE_NAMES or name.endswith(_FEATURE_SUFFIXES)


def discover(paths: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[str]:
    """Yield feature files: named files as given, folders searched by file name.

    Folders skip version-control and tool folders, virtual environments and,
    inside a git work tree, whatever git ignores. `include` adds file-name
    globs; `exclude` drops paths matching a glob (files named explicitly too,
    as ruff's force-exclude does for pre-commit).
    """
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            candidates: Iterator[str] = _walk(given, include)
        else:
            _must_exist(given)
            candidates = iter([given])
        for path in candidates:
            normal = os.path.normpath(path)
            if normal in seen or _excluded(normal, exclude):
                continue
            seen.add(normal)
            yield normal


def _must_exist(path: str) -> None:
    """Refuse a named path that cannot be opened, saying why."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError("symbolic link loop", path) from None
        if exc.errno == errno.ENOENT:
            reason = "broken symbolic link" if os.path.lexists(path) else "no such file or directory"
            raise UsageError(reason, path) from None
        # Permission denied on a parent folder, a name too long, a file used as a folder...
        raise UsageError(f"cannot read: {exc.strerror or exc}", path) from None


def _excluded(path: str, exclude: Sequence[str]) -> bool:
    if not exclude:
        return False  # the usual case
    parts = [part for part in path.replace(os.sep, "/").split("/") if part not in ("", ".")]
    posix = ("/" if path.startswith(("/", os.sep)) else "") + "/".join(parts)
    for raw in exclude:
        pattern = raw.rstrip("/")  # "legacy/" names the folder, as in .gitignore
        if (
            fnmatch.fnmatchcase(posix, pattern)
            or fnmatch.fnmatchcase(posix, f"*/{pattern}")
            or fnmatch.fnmatchcase(posix, f"{pattern}/*")
            or fnmatch.fnmatchcase(posix, f"*/{pattern}/*")
            or any(fnmatch.fnmatchcase(part, pattern) for part in parts)
        ):
            return True
    return False


def _wanted(name: str, include: Sequence[str]) -> bool:
    return is_feature_file(name) or any(fnmatch.fnmatchcase(name, pattern) for pattern in include)


def _walk(root: str, include: Sequence[str]) -> Iterator[str]:
    tracked = _git_files(root)
    if tracked is not None:
        yield from sorted(path for path in tracked if _wanted(os.path.basename(path), include))
        return
    for directory, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in _SKIP_DIRS and not os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))
        )
        for name in sorted(filenames):
            if _wanted(name, include):
                yield os.path.join(directory, name)


def _raise(error: OSError) -> None:
    raise UsageError(f"cannot read directory: {error.strerror}", error.filename or "")


def _git_files(root: str) -> list[str] | None:
    """Files git tracks or would track under `root`; None outside a work tree."""
    named = "GIT_DIR" in os.environ or "GIT_WORK_TREE" in os.environ
    if not named and git_root(os.path.abspath(root)) is None:
        return None  # surely outside a work tree: no need to start git (a few ms of a run)
    import subprocess  # here: a run on named files never needs it

    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [
        os.path.join(root, name)
        for name in names
        # lexists, not isfile: a tracked broken link or link loop is reported
        # unreadable, not skipped; files deleted but still in the index drop out.
        if name
        and os.path.lexists(os.path.join(root, name))
        and not os.path.isdir(os.path.join(root, name))
        and "pyvenv.cfg" not in name
    ]
