"""`archlint check`: lint feature files and set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from .. import parallel, reporters
from ..check import FileResult, Report, plan
from ..config import load_for
from ..discovery import discover
from ..errors import UsageError
from ..paths import display

if TYPE_CHECKING:
    from ..cache import Store


def run(args: argparse.Namespace) -> int:
    jobs = _jobs(args.jobs)
    store = _open_cache(args)
    if store is None:
        return _run(args, jobs, None)
    with store.serving():  # catalogs and decision gates load through the cache
        return _run(args, jobs, store)


def _run(args: argparse.Namespace, jobs: int, store: Store | None) -> int:
    resolved, catalog = load_for(args)
    settings = resolved.settings
    the_plan = plan(catalog, settings)
    paths = args.paths or ["."]
    found = discover(paths, settings.include, settings.exclude)
    # A generator: discovery goes on while the first files are being checked.
    items = ((path, _printable(display(path))) for path in found)
    checker = parallel.Checker(the_plan, store.results(settings) if store is not None else None)
    recipe = parallel.recipe_for(the_plan, store.directory if store is not None else None)
    results: list[FileResult] = []
    unreadable: list[str] = []
    for outcome in parallel.check_all(items, checker, recipe, jobs):
        if isinstance(outcome, parallel.Unreadable):
            unreadable.append(f"{outcome.file}: {outcome.message}")
        else:
            results.append(outcome)
    files, extra, notices = _baseline(results, args)
    report = Report(files, catalog.rules, settings.fail_on, extra, catalog=catalog)
    _write(report, args.format or "text", args.output)
    for line in notices:
        print(line, file=sys.stderr)
    for line in unreadable:
        print(f"archlint: error: {line}", file=sys.stderr)
    if unreadable:
        return 2
    # Writing a baseline records every finding, so none of them fails the run.
    return 1 if report.failed and not args.write_baseline else 0


def _baseline(
    results: list[FileResult], args: argparse.Namespace
) -> tuple[tuple[FileResult, ...], dict[str, Any], list[str]]:
    """(files, report extra, notices) after --baseline or --write-baseline; the module only when asked."""
    if not (args.baseline or args.write_baseline):
        return tuple(results), {}, []
    from .. import baseline

    return baseline.for_run(results, args.baseline, args.write_baseline)


def _printable(name: str) -> str:
    """The file name as reports show it: bytes that are not UTF-8 and control characters
    (a newline could forge an output line) are escaped, so every reporter can print it."""
    if name.isprintable():
        return name
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in name)


def _jobs(requested: int | None) -> int:
    if requested is None or requested == 0:
        return parallel.default_jobs()
    if requested < 0:
        raise UsageError(f"--jobs takes a number of processes (0: one per core), got {requested}")
    return requested


def _open_cache(args: argparse.Namespace) -> Store | None:
    """The cache of this run, or None with --no-cache (or when it cannot be created)."""
    if not args.cache:
        return None
    from ..cache import default_directory, open_store
    from ..paths import project_root

    directory = args.cache_dir or default_directory(project_root(os.getcwd()))
    store = open_store(directory)
    if store is None and args.cache_dir:
        # Without --cache-dir (a read-only checkout, say) the run just goes on uncached.
        print(
            f"archlint: warning: cannot use the cache folder {args.cache_dir}; running without cache",
            file=sys.stderr,
        )
    return store


def _write(report: Report, fmt: str, output: str | None) -> None:
    reporter = reporters.get(fmt)
    if output is None:
        reporter(report, sys.stdout)
        return
    if os.path.isdir(output):
        raise UsageError("--output names a directory", output)
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as stream:
            reporter(report, stream)
    except OSError as exc:  # a missing folder, no permission, a full disk
        raise UsageError(f"cannot write the report: {exc.strerror or exc}", output) from None
    if os.environ.get("ARCHLINT_QUIET") is None and fmt != "text":
        print(f"archlint: wrote {fmt} report to {output}", file=sys.stderr)
