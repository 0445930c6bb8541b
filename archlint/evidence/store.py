"""Evidence results by content digest, in the cache folder, with a stat-based fast path.

Layout, under the cache folder's `v1/evidence/` (every name a keyed hash, as
in `archlint.cache`, so a planted file is never read):

    stat-<key>.json    a real path's (size, mtime, ctime, inode, device) and its SHA-256
    file-<key>.json    the Summary of a content digest (JSON, by field name, with a version)
    file-<key>.bin     its input keys and their lines (two arrays of 64-bit integers)
    pair-<key>.json    an overlap or near-duplicate result of two digests and the params

An unchanged file costs one stat and two small reads. A file whose stat
changed is hashed first, and analysed only when its digest is new. A file
modified within the last two seconds gets no stat entry (its mtime may not
change again on the next write within the same clock tick). Without a cache
folder every file is analysed on every run.
"""

from __future__ import annotations

import json
import os
import time
from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import analysis, reader

if TYPE_CHECKING:
    from ..cache import Store

FOLDER = "evidence"
RACY_NS = 2_000_000_000


class EvidenceStore:
    """Summaries and pair results, through the cache folder when there is one."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.folder = os.path.join(store.base, FOLDER) if store is not None else None

    # -- names -------------------------------------------------------------------

    def _entry(self, kind: str, *parts: str) -> str:
        assert self.store is not None and self.folder is not None
        name = self.store.key("evidence", kind, str(analysis.VERSION), self.store.environment, *parts)
        return os.path.join(self.folder, f"{kind}-{name}")

    def _load(self, path: str) -> Any:
        assert self.store is not None
        try:
            return json.loads(self.store.load(path))  # a file failing its MAC is a miss
        except (OSError, ValueError):
            return None

    def _save(self, path: str, data: bytes) -> None:
        from ..cache import _prune

        assert self.store is not None and self.folder is not None
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            return
        _prune(self.folder, os.path.basename(path).split("-", 1)[0] + "-")
        self.store.save(path, data)

    # -- summaries ---------------------------------------------------------------

    def summary(
        self, path: str, shaped: bool, wants: frozenset[str], verify: bool = False
    ) -> analysis.Summary:
        """The Summary of the file at `path` (a real path); OSError propagates. Without a cache
        folder the digest is computed only when `verify` is true (a manifest to verify)."""
        if self.store is None:
            return analysis.analyse(path, shaped, wants, digest=verify)
        status = os.stat(path)
        stamp = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
        stat_entry = self._entry("stat", path) + ".json"
        known = self._load(stat_entry)
        if not isinstance(known, dict):
            known = None
        digest = known.get("sha256") if known is not None and known.get("stamp") == stamp else None
        previous: frozenset[str] = frozenset()
        if digest is None and known is not None:
            digest = reader.file_digest(path)  # changed stat: the content may still be known
        if isinstance(digest, str):
            cached = self._read_summary(digest, shaped)
            if cached is not None:
                if wants <= cached.wants:
                    if known is None or known.get("stamp") != stamp:
                        self._remember(stat_entry, stamp, digest)
                    return cached
                previous = cached.wants
        found = analysis.analyse(path, shaped, wants | previous)
        if found.complete:
            self._write_summary(found)
            self._remember(stat_entry, stamp, found.digest)
        return found

    def _remember(self, entry: str, stamp: list[int], digest: str) -> None:
        if time.time_ns() - stamp[1] < RACY_NS:
            return
        self._save(entry, json.dumps({"version": 1, "stamp": stamp, "sha256": digest}).encode())

    def _read_summary(self, digest: str, shaped: bool) -> analysis.Summary | None:
        base = self._entry("file", digest, "shaped" if shaped else "loose")
        data = self._load(base + ".json")
        assert self.store is not None
        try:
            if not isinstance(data, dict) or data.get("version") != 1:
                return None
            count = data["keys"]
            blob = self.store.load(base + ".bin") if count else b""
            if len(blob) != 16 * count:
                return None
            inputs = array("Q")
            lines = array("Q")
            inputs.frombytes(blob[: 8 * count])
            lines.frombytes(blob[8 * count :])
            return analysis.Summary(
                digest=digest,
                format=str(data["format"]),
                shaped=shaped,
                wants=frozenset(data["wants"]),
                records=int(data["records"]),
                malformed=int(data["malformed"]),
                first_malformed=tuple((int(a), str(b)) for a, b in data["first_malformed"]),
                stopped=None,
                duplicates=int(data["duplicates"]),
                duplicate_lines=tuple((int(a), int(b)) for a, b in data["duplicate_lines"]),
                tracked=int(data["tracked"]),
                inputs=inputs,
                input_lines=lines,
            )
        except (OSError, KeyError, TypeError, ValueError):
            return None

    def _write_summary(self, found: analysis.Summary) -> None:
        if self.store is None:
            return
        base = self._entry("file", found.digest, "shaped" if found.shaped else "loose")
        data = {
            "version": 1,
            "format": found.format,
            "wants": sorted(found.wants),
            "records": found.records,
            "malformed": found.malformed,
            "first_malformed": [list(item) for item in found.first_malformed],
            "duplicates": found.duplicates,
            "duplicate_lines": [list(item) for item in found.duplicate_lines],
            "tracked": found.tracked,
            "keys": len(found.inputs),
        }
        if found.inputs:
            self._save(base + ".bin", found.inputs.tobytes() + found.input_lines.tobytes())
        self._save(base + ".json", json.dumps(data).encode())

    # -- results of two files --------------------------------------------------------

    def pair(self, kind: str, parts: list[str], compute: Callable[[], list[Any]]) -> list[Any]:
        """A JSON-ready result of two files, by their digests and the params in `parts`."""
        if self.store is None:
            return compute()
        entry = self._entry("pair", kind, *parts) + ".json"
        data = self._load(entry)
        if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("value"), list):
            return list(data["value"])
        value = compute()
        self._save(entry, json.dumps({"version": 1, "value": value}).encode())
        return value
