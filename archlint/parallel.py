"""Check many files: in this process when they are few, in worker processes when many.

Every worker holds the plan (the compiled catalog and settings) once: a
forked worker inherits it, a spawned one rebuilds it from a `Recipe`
(through the catalog cache, so that is quick). Files go out in chunks and
results come back in the order the files were given, so a report is the
same whatever the number of jobs. Nothing but the small FileResults is
kept: memory does not grow with the size of the files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from .check import FileResult, Plan, check_documents, invalid_yaml
from .loader import Document, YamlError, decode_limited, load_all, read_bytes
from .settings import Settings

if TYPE_CHECKING:
    from .cache import Results

# Below this many files one process is faster than starting workers.
MIN_FILES = 50
MAX_CHUNK = 64


class Unreadable(NamedTuple):
    """A file that could not be read (exit code 2, not a finding)."""

    file: str
    message: str


Outcome = FileResult | Unreadable


@dataclass(frozen=True)
class Recipe:
    """What a spawned worker needs to rebuild the checker."""

    settings: Settings
    policy_files: tuple[tuple[str, bool], ...]  # (path, built-in), as the parent loaded them
    cache_dir: str | None


class Checker:
    """Checks one file: read, look up the cache, else parse and check and record."""

    def __init__(self, the_plan: Plan, results: Results | None = None) -> None:
        self.plan = the_plan
        self.results = results

    def __call__(self, item: tuple[str, str]) -> Outcome:
        path, display = item
        try:
            raw = read_bytes(path)
        except OSError as exc:
            return Unreadable(display, f"cannot read: {exc.strerror or exc}")
        results = self.results
        digest = ""
        if results is not None:
            digest = results.digest(raw)
            hit = results.get(display, digest, self.plan)
            if hit is not None:
                return hit
        documents: list[Document] = []
        try:
            documents = load_all(decode_limited(raw))
        except YamlError as exc:
            result = invalid_yaml(exc, display, self.plan)
        else:
            result = check_documents(documents, display, self.plan)
        if results is not None:
            results.put(display, digest, result, documents, self.plan.settings.today)
        return result


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return max(1, os.process_cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_all(
    items: Sequence[tuple[str, str]],
    checker: Checker,
    recipe: Recipe,
    jobs: int,
    start_method: str | None = None,
    min_files: int = MIN_FILES,
) -> Iterator[Outcome]:
    """Yield the outcome of every (path, display) item, in order.

    Workers start only for `min_files` files or more, at most one per
    `min_files // 2` files.
    """
    workers = min(jobs, len(items) // max(1, min_files // 2))
    if len(items) < min_files or workers <= 1:
        yield from map(checker, items)
        return
    import multiprocessing

    # fork shares the loaded plan for free; macOS and Windows only spawn safely.
    method = start_method or ("fork" if sys.platform.startswith("linux") else "spawn")
    context = multiprocessing.get_context(method)
    chunk = max(1, min(MAX_CHUNK, len(items) // (workers * 8)))
    global _checker
    _checker = checker
    try:
        with context.Pool(workers, initializer=_start, initargs=(recipe, method != "fork")) as pool:
            yield from pool.imap(_check, items, chunksize=chunk)
    finally:
        _checker = None


# The checker of this worker process (inherited through fork, or built by _start).
_checker: Checker | None = None


def _start(recipe: Recipe, rebuild: bool) -> None:
    import signal

    # Ctrl-C goes to the whole process group: the parent stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if rebuild:
        global _checker
        _checker = build_checker(recipe)


def _check(item: tuple[str, str]) -> Outcome:
    assert _checker is not None
    return _checker(item)


def build_checker(recipe: Recipe) -> Checker:
    """The checker of a run: the parent's policy files, through the cache when there is one."""
    from .check import plan
    from .policies import build_catalog, load_policy_document

    settings = recipe.settings
    store = None
    if recipe.cache_dir is not None:
        from .cache import open_store

        store = open_store(recipe.cache_dir)
    if store is None:
        catalog = build_catalog(
            [(*load_policy_document(path), builtin) for path, builtin in recipe.policy_files]
        )
        return Checker(plan(catalog, settings))
    catalog = store.catalog(recipe.policy_files)
    return Checker(plan(catalog, settings), store.results(settings))


def recipe_for(the_plan: Plan, cache_dir: str | None) -> Recipe:
    files = tuple((policy_set.source, policy_set.builtin) for policy_set in the_plan.catalog.sets)
    return Recipe(the_plan.settings, files, cache_dir)
