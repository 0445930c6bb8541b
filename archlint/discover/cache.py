"""The discovery cache: each file's usages, known by the file's content digest.

One JSON entry per repository and catalogue in archlint's cache folder, named by a keyed hash
(archlint.cache.Store.key: a planted or committed entry is never read). A file whose size,
mtime and inode are unchanged is answered without being read; one whose stat changed is read
and hashed, and answered when its digest is the one recorded. Fields are stored by name with a
format number; an entry of another shape is a miss.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from .. import __version__
from .scan import Scanned, stat_of
from .usage import Usage

if TYPE_CHECKING:
    from ..cache import Store

FORMAT = 1


class FileCache:
    def __init__(self, store: Store, root: str, catalogue_digest: str) -> None:
        name = store.key("discover", __version__, str(FORMAT), root, catalogue_digest)
        self.store = store
        self.path = os.path.join(store.base, f"discover-{name}.json")
        self.entries: dict[str, Scanned] = _read(store, self.path)

    def known(self, file: str) -> Scanned | None:
        return self.entries.get(file)

    def lookup(self, root: str, file: str) -> Scanned | None:
        entry = self.entries.get(file)
        if entry is None or stat_of(root, file) != entry.stat:
            return None
        return entry

    def save(self, scanned: list[Scanned]) -> None:
        """Record this run's files (only those: a deleted file's entry goes)."""
        if {s.file: s for s in scanned} == self.entries:
            return
        body = {
            "format": FORMAT,
            "files": {
                s.file: {"stat": list(s.stat), "digest": s.digest, "usages": [u.to_json() for u in s.usages]}
                for s in scanned
            },
        }
        # With the MAC under the per-user key, never through a link (Store.save).
        self.store.save(self.path, json.dumps(body, separators=(",", ":")).encode())


def _read(store: Store, path: str) -> dict[str, Scanned]:
    """The entries of the cache file; none when it is missing, damaged or fails its MAC."""
    try:
        body: Any = json.loads(store.load(path))
        if body.get("format") != FORMAT:
            return {}
        return {
            file: Scanned(
                file,
                (int(item["stat"][0]), int(item["stat"][1]), int(item["stat"][2])),
                str(item["digest"]),
                tuple(Usage(**usage) for usage in item["usages"]),
            )
            for file, item in body["files"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return {}
