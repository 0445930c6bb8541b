"""`archlint check`: lint feature files and set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from itertools import chain
from typing import TYPE_CHECKING, Any

from .. import reporters
from ..config import Resolver, check_against_catalog, excluded_here, policy_files_for
from ..discovery import discover
from ..errors import ConfigError, UsageError
from ..finding import Severity
from ..paths import display
from ..report import FileResult, Outcome, Report, Unreadable
from ..settings import run_day

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from ..cache import Results, Store
    from ..config import Resolved
    from ..policies import Catalog, Rule
    from ..settings import Settings


def run(args: argparse.Namespace) -> int:
    jobs = _jobs(args.jobs)
    store = _open_cache(args)
    resolver = Resolver(args, os.getcwd())
    resolved = resolver.run
    settings = resolved.settings
    _refuse_baseline(resolved, args)
    found = discover(args.paths or ["."], settings.include, settings.exclude)
    # A generator: discovery goes on while the first files are being checked.
    items = ((path, _printable(display(path))) for path in found)
    fmt = args.format or "text"
    nested: dict[str, tuple[Resolved, list[tuple[int, tuple[str, str]]]]] = {}
    positions: list[int] = []
    mine = _configured_by(resolver, items, nested, positions)
    outcomes, catalog = _check_group(resolved, mine, store, fmt, jobs)
    if not nested:
        return _report(args, fmt, settings, catalog, outcomes)
    # Files under a folder with its own config: each folder's files as a run of their own.
    numbered = list(zip(positions, outcomes, strict=True))
    rules = {rule.id: rule for rule in catalog.rules} if catalog is not None else {}
    fail_on: dict[str, Severity] = {}
    for group, group_items in nested.values():
        got, group_catalog = _check_group(group, (item for _, item in group_items), store, fmt, jobs)
        numbered += zip((index for index, _ in group_items), got, strict=True)
        fail_on.update((display_name, group.settings.fail_on) for _, (_, display_name) in group_items)
        if group_catalog is not None:
            rules = {rule.id: rule for rule in group_catalog.rules} | rules
    numbered.sort(key=lambda pair: pair[0])
    all_rules = tuple(rules.values()) if catalog is not None or rules else None
    return _report(args, fmt, settings, catalog, [outcome for _, outcome in numbered], fail_on, all_rules)


def _configured_by(
    resolver: Resolver,
    items: Iterator[tuple[str, str]],
    nested: dict[str, tuple[Resolved, list[tuple[int, tuple[str, str]]]]],
    positions: list[int],
) -> Iterator[tuple[str, str]]:
    """The items the run's own config applies to; the others are set aside in `nested`, by the
    config file nearest to them (dropped when that file's `exclude` names them)."""
    run = resolver.run
    for index, item in enumerate(items):
        here = resolver.for_file(item[0])
        if here is run:
            positions.append(index)
            yield item
        elif not excluded_here(here, item[0]):
            nested.setdefault(here.file or "", (here, []))[1].append((index, item))


def _check_group(
    resolved: Resolved, items: Iterator[tuple[str, str]], store: Store | None, fmt: str, jobs: int
) -> tuple[list[Outcome], Catalog | None]:
    """The outcomes of the items one configuration applies to, and its catalog when loaded."""
    settings = resolved.settings
    files = policy_files_for(settings)
    results = store.results_for(files, settings) if store is not None else None
    outcomes, rest = _answered(items, results, settings)
    catalog = None
    if rest is not None or fmt in reporters.NEEDS_RULES:
        if store is None:
            catalog = _check_rest(resolved, files, outcomes, rest, None, jobs)
        else:
            with store.serving():  # catalogs and decision gates load through the cache
                catalog = _check_rest(resolved, files, outcomes, rest, results, jobs)
    return outcomes, catalog


def _refuse_baseline(resolved: Resolved, args: argparse.Namespace) -> None:
    """An organisation config with `baseline = false` honours no baseline: asking for one is an error."""
    if resolved.baseline or not (args.baseline or args.write_baseline):
        return
    file, line = resolved.where("baseline")
    flag = "--baseline" if args.baseline else "--write-baseline"
    raise ConfigError(
        f"{flag}: the organisation config sets baseline = false, so no baseline is honoured", file or "", line
    )


def _report(
    args: argparse.Namespace,
    fmt: str,
    settings: Settings,
    catalog: Catalog | None,
    outcomes: list[Outcome],
    fail_on: Mapping[str, Severity] | None = None,
    rules: tuple[Rule, ...] | None = None,
) -> int:
    """Write the report of a run's outcomes and return its exit code; `fail_on` holds the
    threshold of each file a nested config sets it for."""
    checked: list[FileResult] = []
    unreadable: list[str] = []
    for outcome in outcomes:
        if isinstance(outcome, Unreadable):
            unreadable.append(f"{outcome.file}: {outcome.message}")
        else:
            checked.append(outcome)
    checked_files, extra, notices = _baseline(checked, args)
    if rules is None:
        rules = catalog.rules if catalog is not None else ()
    report = Report(checked_files, rules, settings.fail_on, extra, catalog=catalog)
    _write(report, fmt, args.output)
    for line in notices:
        print(line, file=sys.stderr)
    for line in unreadable:
        print(f"archlint: error: {line}", file=sys.stderr)
    if unreadable:
        return 2
    failed = report.failed
    if fail_on:
        failed = any(
            finding.suppressed is None
            and finding.severity.rank >= fail_on.get(result.file, settings.fail_on).rank
            for result in checked_files
            for finding in result.findings
        )
    # Writing a baseline records every finding, so none of them fails the run.
    return 1 if failed and not args.write_baseline else 0


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
