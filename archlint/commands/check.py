"""`archlint check`: lint feature files and set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from itertools import chain
from typing import TYPE_CHECKING, Any

from .. import reporters
from ..config import check_against_catalog, policy_files_for, resolve
from ..discovery import discover
from ..errors import UsageError
from ..paths import display
from ..report import FileResult, Outcome, Report, Unreadable
from ..settings import run_day

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..cache import Results, Store
    from ..config import Resolved
    from ..policies import Catalog
    from ..settings import Settings


def run(args: argparse.Namespace) -> int:
    jobs = _jobs(args.jobs)
    store = _open_cache(args)
    resolved = resolve(args, os.getcwd())
    settings = resolved.settings
    files = policy_files_for(settings)
    found = discover(args.paths or ["."], settings.include, settings.exclude)
    # A generator: discovery goes on while the first files are being checked.
    items = ((path, _printable(display(path))) for path in found)
    results = store.results_for(files, settings) if store is not None else None
    fmt = args.format or "text"
    outcomes, rest = _answered(items, results, settings)
    catalog = None
    if rest is not None or fmt in reporters.NEEDS_RULES:
        if store is None:
            catalog = _check_rest(resolved, files, outcomes, rest, None, jobs)
        else:
            with store.serving():  # catalogs and decision gates load through the cache
                catalog = _check_rest(resolved, files, outcomes, rest, results, jobs)
    if getattr(args, "discover", None) or settings.discover:
        _add_discovered(args, settings, outcomes)
    return _report(args, fmt, settings, catalog, outcomes)


def _add_discovered(args: argparse.Namespace, settings: Settings, outcomes: list[Outcome]) -> None:
    """`--discover`: archlint discover's findings join the report, DSC002/DSC003 in their feature
    file's result and DSC001/DSC004 in results of their own for the source files."""
    from ..discover.run import discover
    from ..finding import Finding
    from .discover import applied, options_from

    result = discover(args.paths or ["."], options_from(args))
    by_file: dict[str, list[Finding]] = {}
    for finding in applied(result.findings, settings):
        name = _printable(display(os.path.join(result.repository.root, finding.file)))
        by_file.setdefault(name, []).append(finding._replace(file=name))
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, FileResult) and outcome.file in by_file:
            joined = sorted((*outcome.findings, *by_file.pop(outcome.file)), key=Finding.sort_key)
            outcomes[index] = outcome._replace(findings=tuple(joined))
    outcomes.extend(FileResult(name, tuple(found)) for name, found in sorted(by_file.items()))


def _report(
    args: argparse.Namespace, fmt: str, settings: Settings, catalog: Catalog | None, outcomes: list[Outcome]
) -> int:
    """Write the report of a run's outcomes and return its exit code."""
    checked: list[FileResult] = []
    unreadable: list[str] = []
    for outcome in outcomes:
        if isinstance(outcome, Unreadable):
            unreadable.append(f"{outcome.file}: {outcome.message}")
        else:
            checked.append(outcome)
    checked_files, extra, notices = _baseline(checked, args)
    rules = catalog.rules if catalog is not None else ()
    report = Report(checked_files, rules, settings.fail_on, extra, catalog=catalog)
    _write(report, fmt, args.output)
    for line in notices:
        print(line, file=sys.stderr)
    for line in unreadable:
        print(f"archlint: error: {line}", file=sys.stderr)
    if unreadable:
        return 2
    # Writing a baseline records every finding, so none of them fails the run.
    return 1 if report.failed and not args.write_baseline else 0


def _check_rest(
    resolved: Resolved,
    files: list[tuple[str, bool]],
    outcomes: list[Outcome],
    rest: Iterator[tuple[str, str]] | None,
    results: Results | None,
    jobs: int,
) -> Catalog:
    """Load the catalog, check the settings against it, and append the outcomes of `rest`."""
    from ..policies import load_files

    catalog = load_files(files)
    check_against_catalog(resolved, catalog)
    if rest is None:
        return catalog
    from .. import parallel
    from ..check import plan

    the_plan = plan(catalog, resolved.settings)
    if results is not None:
        results.record(the_plan.evaluated)
    checker = parallel.Checker(the_plan, results)
    recipe = parallel.recipe_for(the_plan, results.store.directory if results is not None else None)
    outcomes.extend(parallel.check_all(rest, checker, recipe, jobs or parallel.default_jobs()))
    return catalog


def _answered(
    items: Iterator[tuple[str, str]], results: Results | None, settings: Settings
) -> tuple[list[Outcome], Iterator[tuple[str, str]] | None]:
    """The outcomes the cache gives before its first miss, and the items from that miss on
    (None when the cache answered every item).

    Only a run of the same key that loaded the catalog (and checked the settings
    against it) records which rules it evaluates: without that record nothing is
    looked up here, and the catalog loads before the first file is read.
    """
    evaluated = results.evaluated() if results is not None else None
    if results is None or evaluated is None:
        return [], items
    today = run_day(settings)
    answered: list[Outcome] = []
    for item in items:
        outcome = results.answer(item, today, evaluated)
        if outcome is None:
            return answered, chain([item], items)
        answered.append(outcome)
    return answered, None


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
    """The --jobs asked for; 0 for one per core (counted only when a file needs checking)."""
    if requested is not None and requested < 0:
        raise UsageError(f"--jobs takes a number of processes (0: one per core), got {requested}")
    return requested or 0


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
