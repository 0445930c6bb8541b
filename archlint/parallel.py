"""Check many files: in this process when they are few, in worker processes when many.

Every worker holds the plan (the compiled catalog and settings) once: a
forked worker inherits it, a spawned one rebuilds it from a `Recipe`
(through the catalog cache, so that is quick). Files go out in chunks and
results come back in the order the files were given, so a report is the
same whatever the number of jobs. Nothing but the small FileResults is
kept: memory does not grow with the size of the files.
"""

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from .check import EVIDENCE_RULES, Plan, check_documents, declares_evidence, invalid_yaml
from .loader import Document, YamlError, decode_limited, load_all, read_bytes
from .report import Outcome, unreadable
from .settings import Settings

if TYPE_CHECKING:
    from .cache import Results

# Below this many files one process is faster than starting workers.
MIN_FILES = 50
CHUNK = 32  # files per task sent to a worker (16: 8 % slower on 10,000 files, pool overhead)


class Recipe(NamedTuple):
    """What a spawned worker needs to rebuild the checker."""

    settings: Settings
    policy_files: tuple[tuple[str, bool], ...]  # (path, built-in), as the parent loaded them
    cache_dir: str | None


Entry = tuple[str, dict[str, Any]]  # a cache entry on its way to the process that writes it


class Checker:
    """Checks one file: read, look up the cache, else parse and check and record."""

    def __init__(self, the_plan: Plan, results: "Results | None" = None) -> None:
        self.plan = the_plan
        self.results = results

    def __call__(self, item: tuple[str, str], look_up: bool = True) -> Outcome:
        """Check one (path, display) item; a new cache entry waits for `flush`."""
        outcome, entry = self.check(item, look_up)
        if entry is not None and self.results is not None:
            self.results.keep(entry)
        return outcome

    def flush(self) -> None:
        if self.results is not None:
            self.results.flush()

    def lookup(self, item: tuple[str, str]) -> Outcome | None:
        """The outcome of an item the cache answers (or that cannot be read); None otherwise."""
        if self.results is None:
            return None
        return self.results.answer(item, self.plan.today, self.plan.evaluated)

    def check(self, item: tuple[str, str], look_up: bool = True) -> tuple[Outcome, Entry | None]:
        """The outcome of one item, and the cache entry it adds (None on a hit or without cache).

        `look_up=False` skips the cache lookup of an item `lookup` already missed.
        """
        path, display = item
        try:
            raw = read_bytes(path)
        except OSError as exc:
            return unreadable(display, exc), None
        results = self.results
        digest = ""
        if results is not None:
            digest = results.digest(raw)
            hit = results.get(display, digest, self.plan.today, self.plan.evaluated) if look_up else None
            if hit is not None:
                return hit, None
        documents: list[Document] = []
        depends = None
        try:
            documents = load_all(decode_limited(raw))
            if (
                results is not None
                and self.plan.engine_rules & EVIDENCE_RULES
                and any(isinstance(d.data, dict) and declares_evidence(d.data.get("spec")) for d in documents)
            ):
                from . import evidence

                # Taken before the evidence is read: a file changed meanwhile misses next time.
                depends = evidence.dependencies(documents, path)
        except YamlError as exc:
            result = invalid_yaml(exc, display, self.plan)
        else:
            result = check_documents(
                documents, display, self.plan, path=path, cache=results.store if results else None
            )
        if results is None:
            return result, None
        return result, results.entry(display, digest, result, documents, self.plan.today, depends)


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        return max(1, os.process_cpu_count() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_all(
    items: Iterable[tuple[str, str]],
    checker: Checker,
    recipe: Recipe,
    jobs: int,
    start_method: str | None = None,
    min_files: int = MIN_FILES,
) -> Iterator[Outcome]:
    """Yield the outcome of every (path, display) item, in order.

    This process answers what the cache holds; workers start only when
    `min_files` files or more need checking (at most one worker per
    `min_files // 2` of them), so a run over unchanged files never starts one.
    `items` may be a generator (file discovery): it is read while the workers
    check, never held whole.
    """
    if jobs <= 1:
        yield from map(checker, items)
        checker.flush()
        return
    per_worker = max(1, min_files // 2)
    iterator = enumerate(items)
    answered: dict[int, Outcome] = {}  # outcomes known here, by position, until their turn
    misses: list[tuple[int, tuple[str, str]]] = []
    total = 0
    for index, item in iterator:
        total = index + 1
        outcome = checker.lookup(item)
        if outcome is None:
            misses.append((index, item))
            if len(misses) >= max(min_files, per_worker * jobs):
                break
        else:
            answered[index] = outcome
    workers = min(jobs, len(misses) // per_worker)
    if len(misses) < min_files or workers <= 1:
        pending = dict(misses)
        for index in range(total):
            yield answered.pop(index) if index in answered else checker(pending.pop(index), look_up=False)
        for _, item in iterator:
            yield checker(item)
        checker.flush()
        return

    def rest() -> Iterator[tuple[int, tuple[str, str]]]:
        # Hits wait in `answered`, misses go out.
        yield from misses
        for index, item in iterator:
            outcome = checker.lookup(item)
            if outcome is None:
                yield index, item
            else:
                answered[index] = outcome

    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork shares the loaded plan for free; macOS and Windows only spawn safely.
    method = start_method or ("fork" if sys.platform.startswith("linux") else "spawn")
    context = multiprocessing.get_context(method)
    global _checker
    _checker = checker
    turn = 0
    # A pool that notices a dead worker: multiprocessing.Pool replaces a worker the
    # kernel killed (the OOM killer) and waits forever for the files it held.
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(recipe, method != "fork")
    )
    window: deque[Future[list[tuple[int, tuple[Outcome, Entry | None]]]]] = deque()

    def drain(future: Future[list[tuple[int, tuple[Outcome, Entry | None]]]]) -> Iterator[Outcome]:
        nonlocal turn
        for index, (outcome, entry) in future.result():
            if entry is not None and checker.results is not None:
                checker.results.keep(entry)
            # Every item before a miss was looked up before the miss was sent.
            while turn < index:
                yield answered.pop(turn)
                turn += 1
            yield outcome
            turn += 1

    try:
        for chunk in _chunks(rest(), CHUNK):
            window.append(executor.submit(_check_chunk, chunk))
            if len(window) >= 2 * workers:  # a bounded window: discovery and results stream
                yield from drain(window.popleft())
        while window:
            yield from drain(window.popleft())
    except BrokenProcessPool:
        from .errors import RunError

        raise RunError(
            "a worker process died while checking files (killed by a signal, such as the "
            "out-of-memory killer's); the run is incomplete and no report was written"
        ) from None
    finally:
        _checker = None
        executor.shutdown(wait=True, cancel_futures=True)
    # Every item has been looked up: the remaining items are all hits.
    while turn in answered:
        yield answered.pop(turn)
        turn += 1
    checker.flush()


def _chunks(
    numbered: Iterator[tuple[int, tuple[str, str]]], size: int
) -> Iterator[list[tuple[int, tuple[str, str]]]]:
    chunk: list[tuple[int, tuple[str, str]]] = []
    for item in numbered:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# The checker of this worker process (inherited through fork, or built by _start).
_checker: Checker | None = None


def _start(recipe: Recipe, rebuild: bool) -> None:
    import signal

    # Ctrl-C goes to the whole process group: the parent stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if rebuild:
        global _checker
        _checker = build_checker(recipe)
        if _checker.results is not None:
            from . import policies

            # As in the parent: the decision gates load through the cache too.
            policies.catalog_cache = _checker.results.store


def _check_chunk(
    chunk: list[tuple[int, tuple[str, str]]],
) -> list[tuple[int, tuple[Outcome, Entry | None]]]:
    assert _checker is not None
    return [(index, _checker.check(item, look_up=False)) for index, item in chunk]


def build_checker(recipe: Recipe) -> Checker:
    """The checker of a run: the parent's policy files, through the cache when there is one."""
    from .check import plan
    from .policies import catalog_of

    settings = recipe.settings
    store = None
    if recipe.cache_dir is not None:
        from .cache import open_store

        store = open_store(recipe.cache_dir)
    if store is None:
        return Checker(plan(catalog_of(recipe.policy_files), settings))
    catalog = store.catalog(recipe.policy_files)
    return Checker(plan(catalog, settings), store.results(settings))


def recipe_for(the_plan: Plan, cache_dir: str | None) -> Recipe:
    files = tuple((policy_set.source, policy_set.builtin) for policy_set in the_plan.catalog.sets)
    return Recipe(the_plan.settings, files, cache_dir)
