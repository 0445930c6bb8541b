"""`archlint check`: lint feature files and set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from itertools import chain
from typing import TYPE_CHECKING, Any, TextIO

from .. import reporters
from ..config import Resolver, check_against_catalog, excluded_here, policy_files_for
from ..discovery import Unnamed, discover
from ..errors import ConfigError, UsageError
from ..finding import Severity
from ..inert import inert, inert_line
from ..paths import display
from ..report import FileResult, Outcome, Report, Unreadable, unnamed_feature
from ..settings import run_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from ..cache import Results, Store
    from ..config import Resolved
    from ..policies import Catalog, Rule
    from ..settings import Settings


def run(args: argparse.Namespace) -> int:
    fmt = args.format or "text"
    _check_options(args, fmt)
    jobs = _jobs(args.jobs)
    if args.paths == ["-"]:
        return _stdin(args, fmt)
    store = _open_cache(args)
    resolver = Resolver(args, os.getcwd())
    resolved = resolver.run
    settings = resolved.settings
    _refuse_baseline(resolved, args)
    unnamed: list[Unnamed] = []  # feature documents under other names, filled as the walk goes
    cache = store.directory if store is not None else None
    found: Iterable[str] = discover(args.paths or ["."], settings.include, settings.exclude, unnamed, cache)
    if args.fix:
        found = list(found)
        changed = _fix(resolved, policy_files_for(settings), found, args.diff)
        if args.diff:
            return 1 if changed else 0
    named: dict[str, str] = {}  # display name -> path, for --show-source

    def item(path: str) -> tuple[str, str]:
        shown = _printable(display(path))
        named[shown] = path
        return path, shown

    # A generator: discovery goes on while the first files are being checked.
    items = (item(path) for path in found)
    nested: dict[str, tuple[Resolved, list[tuple[int, tuple[str, str]]]]] = {}
    positions: list[int] = []
    mine = _configured_by(resolver, items, nested, positions)
    outcomes, catalog = _check_group(resolved, mine, store, fmt, jobs)
    # Every item is consumed by now: the walk has found all it will.
    misnamed: list[Outcome] = [
        unnamed_feature(
            _printable(display(item.path)), item.line, item.column, resolver.for_file(item.path).settings
        )
        for item in unnamed
    ]
    discovering = bool(getattr(args, "discover", None) or settings.discover)
    if not nested:
        checked = outcomes + misnamed
        if discovering:
            _add_discovered(args, settings, checked)
        return _report(args, fmt, settings, catalog, checked, named)
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
    checked = [outcome for _, outcome in numbered] + misnamed
    if discovering:
        _add_discovered(args, settings, checked)
    return _report(args, fmt, settings, catalog, checked, named, fail_on=fail_on, rules=all_rules)


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


def _refuse_baseline(resolved: Resolved, args: argparse.Namespace) -> None:
    """An organisation config with `baseline = false` honours no baseline: asking for one is an error."""
    if resolved.baseline or not (args.baseline or args.write_baseline):
        return
    file, line = resolved.where("baseline")
    flag = "--baseline" if args.baseline else "--write-baseline"
    raise ConfigError(
        f"{flag}: the organisation config sets baseline = false, so no baseline is honoured", file or "", line
    )


def _fix(resolved: Resolved, files: list[tuple[str, bool]], found: list[str], diff: bool) -> bool:
    """Repair (or with `diff` show the repairs of) every file found; whether any would change.

    What was repaired goes to stderr, a diff to stdout; the check that follows reports what is left.
    """
    from .. import fix
    from ..check import plan
    from ..paths import project_root
    from ..policies import load_files

    catalog = load_files(files)
    check_against_catalog(resolved, catalog)
    the_plan = plan(catalog, resolved.settings)
    root = project_root(os.getcwd())
    repaired = files_changed = 0
    for path in found:
        shown = _printable(display(path))
        try:
            fixed = fix.fix_file(path, shown, the_plan, root)
        except fix.Refused as exc:
            print(f"archlint: not fixing {shown}: {exc}", file=sys.stderr)
            continue
        except OSError:
            continue  # the check reports an unreadable file
        if not fixed.changes:
            continue
        files_changed += 1
        repaired += len(fixed.changes)
        if diff:
            _print_diff(path, shown, fixed.text)
            continue
        fix.write(path, fixed.text, root)
        for change in fixed.changes:
            print(f"{shown}:{change.line}:{change.column}: fixed: {change.description}", file=sys.stderr)
    if repaired:
        from ..messages import plural

        verb = "would fix" if diff else "fixed"
        counted = f"{plural(repaired, 'problem')} in {plural(files_changed, 'file')}"
        print(f"archlint: {verb} {counted}", file=sys.stderr)
    return repaired > 0


def _print_diff(path: str, shown: str, text: str) -> None:
    import difflib

    from ..loader import read_file

    before = read_file(path).replace("\r\n", "\n").splitlines(keepends=True)
    after = text.replace("\r\n", "\n").splitlines(keepends=True)
    sys.stdout.writelines(difflib.unified_diff(before, after, f"a/{shown}", f"b/{shown}"))


def _check_options(args: argparse.Namespace, fmt: str) -> None:
    """Refuse combinations that cannot mean anything, before any work."""
    paths = args.paths or []
    if "-" in paths and paths != ["-"]:
        raise UsageError("- (read from stdin) cannot be combined with other paths")
    if args.stdin_filename is not None and paths != ["-"]:
        raise UsageError("--stdin-filename names the file read from stdin: pass - as the path")
    if fmt != "text":
        for flag, value in (("--statistics", args.statistics), ("--show-source", args.show_source)):
            if value:
                raise UsageError(f"{flag} changes the text output; it does not apply to --format {fmt}")
    if args.diff and not args.fix:
        raise UsageError("--diff shows what --fix would change: use --fix --diff")
    if args.fix and paths == ["-"]:
        raise UsageError("--fix rewrites files; it cannot rewrite stdin")


def _stdin(args: argparse.Namespace, fmt: str) -> int:
    """Check one file read from stdin, reported as --stdin-filename (editors, pipelines)."""
    from ..check import check_bytes, plan
    from ..loader import MAX_FILE_BYTES
    from ..policies import load_files

    resolver = Resolver(args, os.getcwd())
    # The config nearest to the name the file is reported as, as for a file on disk.
    resolved = resolver.for_file(args.stdin_filename) if args.stdin_filename else resolver.run
    _refuse_baseline(resolved, args)
    settings = resolved.settings
    catalog = load_files(policy_files_for(settings))
    check_against_catalog(resolved, catalog)
    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    name = _printable(display(args.stdin_filename)) if args.stdin_filename else "-"
    outcome = check_bytes(raw, name, plan(catalog, settings))
    sources = {name: _lines(raw)} if args.show_source else None
    return _report(args, fmt, settings, catalog, [outcome], {}, sources)


def _lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8", "replace").splitlines()


def _sources(outcomes: list[Outcome], named: dict[str, str]) -> dict[str, list[str]]:
    """The lines of every file with a finding, for --show-source (read again: a frame is cheap)."""
    from ..loader import read_bytes

    sources: dict[str, list[str]] = {}
    for outcome in outcomes:
        if isinstance(outcome, FileResult) and outcome.findings and outcome.file in named:
            try:
                sources[outcome.file] = _lines(read_bytes(named[outcome.file]))
            except OSError:
                continue
    return sources


def _report(
    args: argparse.Namespace,
    fmt: str,
    settings: Settings,
    catalog: Catalog | None,
    outcomes: list[Outcome],
    named: dict[str, str],
    sources: dict[str, list[str]] | None = None,
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
    report = Report(
        checked_files, rules, settings.fail_on, extra, catalog=catalog, fail_on_by_file=fail_on or {}
    )
    if args.show_source and sources is None:
        sources = _sources(outcomes, named)
    _write(report, fmt, args.output, _text_options(args, sources), quiet=args.quiet)
    for line in notices if not args.quiet else ():
        print(inert_line(line), file=sys.stderr)
    for line in unreadable:
        print(f"archlint: error: {inert(line)}", file=sys.stderr)
    if unreadable:
        return 2
    if not outcomes:
        # A gate that checked nothing has not passed anything: say so, and fail when asked to.
        print(
            "archlint: warning: 0 files checked: no feature file found (ai-feature.yaml or "
            "NAME.ai-feature.yaml, .yml too, in any case); --require-files makes this a failure",
            file=sys.stderr,
        )
        if settings.require_files:
            return 1
    failed = report.failed
    # Writing a baseline records every finding, so none of them fails the run.
    return 1 if failed and not args.write_baseline and not args.exit_zero else 0


def _text_options(args: argparse.Namespace, sources: dict[str, list[str]] | None) -> Any:
    from ..reporters.text import Options

    colour = {"always": True, "never": False}.get(args.color)
    return Options(colour=colour, quiet=args.quiet, statistics=args.statistics, sources=sources)


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
    told: list[str] = []

    def warn(line: str) -> None:
        told.append(line)
        print(f"archlint: {line}", file=sys.stderr)

    store = open_store(directory, warn)
    if store is None and args.cache_dir and not told:
        # Without --cache-dir (a read-only checkout, say) the run just goes on uncached.
        print(
            f"archlint: warning: cannot use the cache folder {args.cache_dir}; running without cache",
            file=sys.stderr,
        )
    return store


def _write(report: Report, fmt: str, output: str | None, options: Any, quiet: bool = False) -> None:
    reporter = reporters.get(fmt)

    def write(stream: TextIO) -> None:
        if fmt == "text":
            from ..reporters import text

            text.report(report, stream, options)
        else:
            reporter(report, stream)

    if output is None:
        write(sys.stdout)
        return
    from .output import output_file

    with output_file(output) as stream:
        write(stream)
    if os.environ.get("ARCHLINT_QUIET") is None and fmt != "text" and not quiet:
        print(f"archlint: wrote {fmt} report to {output}", file=sys.stderr)
