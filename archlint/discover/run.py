"""One discovery run: files -> usages -> coverage -> findings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from ..discovery import is_feature_file
from ..finding import Finding
from . import catalogue as catalogues
from .coverage import Feature, covers, features_in
from .reconcile import Owned, assign, findings
from .sources import Repository, language_of, open_repository, selected, vendored


class Options(NamedTuple):
    catalogues: tuple[str, ...] = ()  # an organisation's catalogue files, after the built-in one
    jobs: int = 0  # 0: one per core
    cache_dir: str | None = None  # None: no cache
    include_vendored: bool = False
    bom: str | None = None


class Result(NamedTuple):
    repository: Repository
    scanned: int  # source files read or answered by the cache
    owned: tuple[Owned, ...]
    features: tuple[Feature, ...]
    findings: tuple[Finding, ...]


def discover(paths: Sequence[str], options: Options) -> Result:
    catalogue = catalogues.load(options.catalogues)
    repository, prefixes = open_repository(list(paths) or ["."])
    everything = [
        f for f in repository.files if options.include_vendored or not vendored(f, catalogue.vendored)
    ]
    features = features_in(repository.root, everything)
    # The features whose file lies under the paths are judged (DSC002, DSC003), so the code
    # they cover is read even when it lies outside the paths.
    judged = [f for f in features if selected([f.file], prefixes)]
    chosen = set(selected(everything, prefixes))
    wanted = [
        f
        for f in everything
        if language_of(f) is not None
        and not is_feature_file(f.rsplit("/", 1)[-1])
        and (f in chosen or any(covers(feature, f) for feature in judged))
    ]
    from .scan import scan

    cache = None
    if options.cache_dir is not None:
        from ..cache import open_store
        from .cache import FileCache

        store = open_store(options.cache_dir)
        cache = FileCache(store, repository.root, catalogue.digest) if store is not None else None
    scanned = scan(repository.root, wanted, catalogue, options.jobs, cache)
    if cache is not None:
        cache.save(scanned)
    usages = sorted((u for s in scanned for u in s.usages), key=lambda u: (u.file, u.line, u.column, u.entry))
    owned = assign(usages, features)
    found = findings(owned, features, judged)
    if options.bom is not None:
        from . import bom

        found.extend(bom.findings(bom.read(options.bom), features, _relative(options.bom, repository.root)))
    return Result(repository, len(scanned), tuple(owned), tuple(features), tuple(found))


def _relative(path: str, root: str) -> str:
    absolute = os.path.realpath(path)
    relative = os.path.relpath(absolute, root)
    return absolute if relative.startswith("..") else relative.replace(os.sep, "/")
