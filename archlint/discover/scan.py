"""Scan the selected files: a byte-level prefilter, then a parser only where a catalogue name
appears; in worker processes for a large repository; unchanged files answered from the cache."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .sources import language_of, read
from .usage import Usage

if TYPE_CHECKING:
    from .cache import FileCache
    from .catalogue import Catalogue

PARALLEL_FROM = 4000  # fewer files than this are scanned faster than worker processes start


class Scanned(NamedTuple):
    file: str
    stat: tuple[int, int, int]  # size, mtime_ns, inode: when all equal, the cached digest holds
    digest: str  # "" when no cache will keep it (hashing every file costs a tenth of a run)
    usages: tuple[Usage, ...]


class _Filters(NamedTuple):
    python: re.Pattern[bytes] | None
    javascript: re.Pattern[bytes] | None
    yaml: re.Pattern[bytes] | None


# Dynamic imports are noted (as unresolved) in the files the prefilter lets through, and these
# let a file through on their own: a dynamic import names its module at run time.
_PYTHON_DYNAMIC = (b"import_module", b"__import__")
_JAVASCRIPT_DYNAMIC = (b"require(", b"import(")


def _trie(words: Sequence[bytes]) -> bytes:
    """One regular expression for many literals, as a trie (a(?:nthropic|xolotl)|...): the
    regex engine then tests one byte per branch instead of every literal at every position."""
    tree: dict[int | None, Any] = {}
    for word in words:
        node = tree
        for byte in word:
            node = node.setdefault(byte, {})
        node[None] = {}

    def emit(node: dict[int | None, Any]) -> bytes:
        branches = [
            re.escape(bytes([byte])) + emit(child)
            for byte, child in sorted((k, v) for k, v in node.items() if k is not None)
        ]
        if not branches:
            return b""
        body = branches[0] if len(branches) == 1 else b"(?:" + b"|".join(branches) + b")"
        return b"(?:" + body + b")?" if None in node else body

    return emit(tree)


def _filters(catalogue: Catalogue) -> _Filters:
    python = catalogue.needles("python")
    javascript = catalogue.needles("javascript")
    yaml = catalogue.needles("yaml")
    return _Filters(
        re.compile(_trie(python)) if python else None,
        _javascript_names(catalogue) if javascript else None,
        re.compile(_trie(yaml)) if yaml else None,
    )


def _javascript_names(catalogue: Catalogue) -> re.Pattern[bytes]:
    """A package name ends at the closing quote or at a subpath's slash (`ai` is not `aiohttp`);
    a wildcard's stem (`@langchain/`) is a prefix."""
    exact: set[bytes] = set()
    stems: set[bytes] = set()
    for entry in catalogue.entries:
        for name in entry.javascript.imports if entry.javascript is not None else ():
            (stems if "*" in name else exact).add(name.split("*", 1)[0].encode())
    parts = [_trie(sorted(exact)) + rb"(?=[\"'`/])"] if exact else []
    parts += [_trie(sorted(s for s in stems if s))] if any(stems) else []
    return re.compile(b"|".join(b"(?:" + part + b")" for part in parts))


# Where a module is named. Python: the rest of a line from `import` (import a, b; try: import c)
# and from `from` (from a.b import c). JavaScript: the string after `from`, `require(`, `import(`
# or a bare `import`. Each pattern starts with a literal, which the regex engine finds with a
# fast scan; the names are then tried only there.
_PYTHON_PLACES = (re.compile(rb"import[ \t(\\][^\n]*"), re.compile(rb"from[ \t][^\n]*"))
_JAVASCRIPT_PLACES = (
    re.compile(rb"from\s*[\"'`]"),
    re.compile(rb"require\(\s*[\"'`]"),
    re.compile(rb"import\s*\(?\s*[\"'`]"),
)


def _passes_python(names: re.Pattern[bytes], data: bytes) -> bool:
    if any(needle in data for needle in _PYTHON_DYNAMIC):
        return True
    places = (place for pattern in _PYTHON_PLACES for place in pattern.finditer(data))
    return any(names.search(data, place.start(), place.end()) for place in places)


def _passes_javascript(names: re.Pattern[bytes], data: bytes) -> bool:
    if any(needle in data for needle in _JAVASCRIPT_DYNAMIC):
        return True
    places = (place for pattern in _JAVASCRIPT_PLACES for place in pattern.finditer(data))
    return any(names.match(data, place.end()) for place in places)


def stat_of(root: str, file: str) -> tuple[int, int, int] | None:
    try:
        info = os.stat(os.path.join(root, file))
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def scan_one(
    root: str, file: str, catalogue: Catalogue, filters: _Filters, digests: bool = True
) -> Scanned | None:
    """The usages in one file; None when it cannot be read (a link out, too large, gone).
    `digests`: hash the content too, for a cache to answer by later."""
    from ..cache import digest

    stat = stat_of(root, file)
    data = read(root, file)
    if stat is None or data is None:
        return None
    return Scanned(
        file, stat, digest(data) if digests else "", tuple(usages_in(data, file, catalogue, filters))
    )


def usages_in(data: bytes, file: str, catalogue: Catalogue, filters: _Filters | None = None) -> list[Usage]:
    """The usages in one file's bytes (the entry point the tests and the policy cases use)."""
    filters = filters or _filters(catalogue)
    language = language_of(file)
    if language == "python":
        if filters.python is None or not _passes_python(filters.python, data):
            return []
        from . import python

        return python.scan(data, file, catalogue)
    if language == "javascript":
        if filters.javascript is None or not _passes_javascript(filters.javascript, data):
            return []
        from . import javascript

        return javascript.scan(data, file, catalogue)
    if language == "yaml":
        if filters.yaml is None or not filters.yaml.search(data):
            return []
        from . import configs

        return configs.scan(data, file, catalogue)
    return []


def _chunk(arguments: tuple[str, list[str], Catalogue, bool]) -> list[Scanned | None]:
    root, files, catalogue, digests = arguments
    filters = _filters(catalogue)
    return [scan_one(root, file, catalogue, filters, digests) for file in files]


def scan(
    root: str, files: Sequence[str], catalogue: Catalogue, jobs: int, cache: FileCache | None
) -> list[Scanned]:
    """Every file's scan, in the order of `files`; unreadable files are left out."""
    done: dict[str, Scanned] = {}
    todo: list[str] = []
    for file in files:
        hit = cache.lookup(root, file) if cache is not None else None
        if hit is None:
            todo.append(file)
        else:
            done[file] = hit
    if cache is not None and todo:
        # A file whose stat changed but whose content did not (a checkout, a touch) is a hit by digest.
        todo = [file for file in todo if not _by_digest(root, file, cache, done)]
    workers = jobs or (os.cpu_count() or 1)
    if workers > 1 and len(todo) >= PARALLEL_FROM:
        import sys
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        size = max(1, len(todo) // (workers * 4))
        chunks = [(root, todo[i : i + size], catalogue, cache is not None) for i in range(0, len(todo), size)]
        # As check does: fork shares the loaded modules for free; macOS and Windows only spawn safely.
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        with ProcessPoolExecutor(workers, mp_context=get_context(method)) as pool:
            results = [item for part in pool.map(_chunk, chunks) for item in part]
    else:
        results = _chunk((root, todo, catalogue, cache is not None))
    for result in results:
        if result is not None:
            done[result.file] = result
    return [done[file] for file in files if file in done]


def _by_digest(root: str, file: str, cache: FileCache, done: dict[str, Scanned]) -> bool:
    from ..cache import digest

    known = cache.known(file)
    if known is None:
        return False
    stat = stat_of(root, file)
    data = read(root, file)
    if stat is None or data is None or digest(data) != known.digest:
        return False
    done[file] = known._replace(stat=stat)
    return True
