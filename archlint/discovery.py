"""Find feature files under the paths given on the command line.

The set of files a folder walk checks must not depend on anything a pull request can forge
or the machine can change: inside a git work tree git lists the files (tracked, in every
submodule, and untracked ones git does not ignore), and a git that fails stops the run; outside
one every folder is walked but version-control metadata. Names match case-insensitively, `_`
as `-`. A YAML file that declares an AIFeature under another name is reported (SCH003), never
skipped in silence, and a file reached through a symbolic link must lie in the repository.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Iterable, Iterator, Sequence

from .errors import UsageError
from .paths import git_root, inside

FEATURE_PATTERNS = ("ai-feature.yaml", "ai-feature.yml", "*.ai-feature.yaml", "*.ai-feature.yml")
# Only version-control metadata: no file in them is ever part of the project (git itself
# refuses to track a `.git` path). Virtual environments and node_modules are not guessed at:
# a pull request could make any folder look like one (an empty pyvenv.cfg was enough). The
# run's own cache folder is left out by its path, not its name.
_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})


# FEATURE_PATTERNS as plain string tests (fnmatch costs a few microseconds a name).
_FEATURE_NAMES = ("ai-feature.yaml", "ai-feature.yml")
_FEATURE_SUFFIXES = (".ai-feature.yaml", ".ai-feature.yml")
_YAML_SUFFIXES = (".yaml", ".yml")
_GIT_LINK = "160000"  # the index mode of a submodule


class Unnamed:
    """A YAML file a folder walk found declaring an AIFeature under a name that is not a feature
    file's (SCH003), with the line and column of its `kind`.

    A plain class, not a NamedTuple: every run imports this module, and creating a NamedTuple
    class costs more than all the rest of it."""

    __slots__ = ("column", "line", "path")

    def __init__(self, path: str, line: int, column: int) -> None:
        self.path = path
        self.line = line
        self.column = column


def is_feature_file(name: str) -> bool:
    """Whether a file name matches one of FEATURE_PATTERNS, ignoring case and reading `_` as `-`
    (`AI-Feature.YAML` and `ai_feature.yaml` are feature files too)."""
    if name in _FEATURE_NAMES or name.endswith(_FEATURE_SUFFIXES):
        return True  # the usual spelling: no folding
    folded = name.lower().replace("_", "-")
    return folded in _FEATURE_NAMES or folded.endswith(_FEATURE_SUFFIXES)


def discover(
    paths: Sequence[str],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    unnamed: list[Unnamed] | None = None,
    cache: str | None = None,
) -> Iterator[str]:
    """Yield feature files: named files as given, folders searched by file name.

    In a folder, git decides inside a work tree (see the module's docstring);
    `include` adds file-name globs; `exclude` drops paths matching a glob (files
    named explicitly too, as ruff's force-exclude does for pre-commit). Files
    named on the command line are read wherever they are; a file a walk reaches
    through a symbolic link must lie in the repository (UsageError otherwise).
    YAML files a walk finds declaring an AIFeature under another name are
    appended to `unnamed`, when given. `cache` is the run's own cache folder,
    which a walk outside git does not enter (inside one, its .gitignore keeps
    git from listing it).
    """
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            candidates: Iterator[str] = _walk(given, include, exclude, unnamed, cache)
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


def _walk(
    folder: str,
    include: Sequence[str],
    exclude: Sequence[str],
    unnamed: list[Unnamed] | None,
    cache: str | None = None,
) -> Iterator[str]:
    """The feature files of a folder, sorted; YAML files declaring an AIFeature under
    another name go to `unnamed`."""
    tracked = _git_files(folder, exclude)
    files: Iterable[str] = sorted(tracked) if tracked is not None else _walk_folders(folder, cache)
    # The repository of the folder's real location: a link in it must not lead out of it.
    root: str | None = None
    for path in files:
        name = os.path.basename(path)
        wanted = _wanted(name, include)
        if not wanted and (unnamed is None or not name.lower().endswith(_YAML_SUFFIXES)):
            continue
        if tracked is not None and (not os.path.lexists(path) or os.path.isdir(path)):
            # Deleted but still in the index: gone. A tracked link to a folder is no file.
            # (lexists: a tracked broken link or link loop is reported unreadable, not skipped.)
            continue
        if os.path.islink(path):
            if root is None:
                real = os.path.realpath(folder)
                root = git_root(real) or real
            if not inside(path, root):
                if not wanted:
                    continue  # not read: nothing of it is reported
                raise UsageError("symbolic link leads out of the repository; not read", path)
        if wanted:
            yield path
        elif unnamed is not None and not _excluded(os.path.normpath(path), exclude):
            found = _declares_feature(path)
            if found is not None:
                unnamed.append(Unnamed(os.path.normpath(path), *found))


def _declares_feature(path: str) -> tuple[int, int] | None:
    """The position of `kind` when the file's first document declares an AIFeature; None
    otherwise, and for a file that cannot be read (it is no feature file: not reported)."""
    from .loader import YamlError, decode_limited, read_bytes

    try:
        raw = read_bytes(path)
    except OSError:
        return None
    if b"AIFeature" not in raw:  # most YAML files: no parsing
        return None
    from .loader import declaration

    try:
        said = declaration(decode_limited(raw))
    except YamlError:  # too large, binary, badly encoded
        return None
    return (said.line, said.column) if said is not None and said.feature else None


def _walk_folders(root: str, cache: str | None = None) -> Iterator[str]:
    """Every file under `root` outside version-control metadata and the run's cache folder (no
    git work tree here), in sorted order folder by folder, as the walk goes."""
    cache = os.path.abspath(cache) if cache is not None else None
    cache_name = os.path.basename(cache) if cache is not None else None
    for directory, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in _SKIP_DIRS
            and not (name == cache_name and os.path.abspath(os.path.join(directory, name)) == cache)
        )
        for name in sorted(filenames):
            yield os.path.join(directory, name)


def _raise(error: OSError) -> None:
    raise UsageError(f"cannot read directory: {error.strerror}", error.filename or "")


def _git_files(root: str, exclude: Sequence[str] = ()) -> list[str] | None:
    """Files git tracks (in submodules too) or would track under `root`; None outside a work
    tree. UsageError when git cannot say: a walk never falls back to guessing."""
    named = "GIT_DIR" in os.environ or "GIT_WORK_TREE" in os.environ
    if not named and git_root(os.path.abspath(root)) is None:
        return None  # surely outside a work tree: no need to start git (a few ms of a run)
    # -t tags each entry ("? " untracked, "H " and the like tracked) and --stage gives the
    # tracked ones their mode: a submodule is one entry of mode 160000, whose files git lists
    # when asked to. Nothing is stat'ed here: a large repository lists many files.
    names: dict[str, None] = {}
    submodules: dict[str, None] = {}
    for entry in _git(root, "-t", "--stage", "--cached", "--others", "--exclude-standard"):
        if entry.startswith("? "):
            names[entry[2:]] = None
            continue
        info, _, name = entry[2:].partition("\t")
        if info.startswith(_GIT_LINK + " "):
            submodules[name] = None
        else:
            names[name] = None  # once, even when a merge conflict lists it at three stages
    if submodules:
        names.update(dict.fromkeys(_submodule_files(root, list(submodules), exclude)))
    return [os.path.join(root, name) for name in names]


def _submodule_files(root: str, submodules: list[str], exclude: Sequence[str]) -> list[str]:
    """The tracked files of these submodules (and theirs); UsageError for one not checked out,
    unless excluded: its files would go unchecked."""
    names = []
    for entry in _git(root, "--stage", "--recurse-submodules", "--", *submodules):
        info, _, name = entry.partition("\t")
        if info.split(" ")[0] != _GIT_LINK:
            names.append(name)
        elif not _excluded(os.path.normpath(os.path.join(root, name)), exclude):
            raise UsageError(
                "submodule is not checked out, so its files cannot be checked: check it out "
                "(git submodule update --init --recursive) or exclude it",
                os.path.join(root, name),
            )
    return names


def _git(root: str, *options: str) -> list[str]:
    """`git ls-files -z OPTIONS` in `root`: the names it prints; UsageError with git's reason
    when it cannot run or fails (dubious ownership, a broken repository...)."""
    import subprocess  # here: a run on named files never needs it

    command = ["git", "ls-files", "-z", *options]
    if "--" not in options:
        command += ["--", "."]
    try:
        completed = subprocess.run(command, cwd=root, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise UsageError(f"cannot list the files of the git work tree: {exc}", root) from None
    if completed.returncode != 0:
        lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = next((line for line in lines if line.startswith("fatal:")), lines[-1] if lines else "")
        raise UsageError(
            f"git ls-files failed (exit {completed.returncode}): {reason or 'no message'}; "
            "archlint does not guess which files git would list",
            root,
        )
    return [name for name in completed.stdout.decode("utf-8", "surrogateescape").split("\0") if name]
