"""`archlint report`: the portfolio of every feature, as one HTML page or a data format."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from typing import Any, TextIO

from ..errors import UsageError

FORMATS = ("html", "json", "csv", "markdown", "cyclonedx")


def run(args: argparse.Namespace) -> int:
    from ..config import resolve
    from ..portfolio import collect
    from ..settings import run_day

    resolved = resolve(args, os.getcwd())
    settings = resolved.settings
    if args.today:
        try:
            settings = settings._replace(today=date.fromisoformat(args.today))
        except ValueError:
            raise UsageError(f"--today takes a day as YYYY-MM-DD, got {args.today!r}") from None
    today = run_day(settings)
    features: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    sources: list[str] = []
    problems: list[str] = []
    # The files named on the command line: the current folder when nothing at all is named.
    paths = args.paths or ([] if args.from_json else ["."])
    if paths:
        checked, catalog_rules, sources, problems = _check(resolved._replace(settings=settings), paths)
        features += checked
        rules.update(catalog_rules)
    for path in args.from_json:
        other = collect.load_json(path)
        features += other["features"]
        for rule_id, record in other["rules"].items():
            rules.setdefault(rule_id, record)
        sources += [s for s in other["sources"] or [os.path.basename(path)] if s not in sources]
    # The same report merged twice (or a repository both scanned and merged) counts once.
    unique: dict[tuple[str, str, int, str], dict[str, Any]] = {}
    for feature in features:
        unique.setdefault((feature["source"], feature["file"], feature["document"], feature["name"]), feature)
    features = list(unique.values())
    data = collect.portfolio(features, rules, today, sources)
    _write(data, args.format, args.output)
    for line in problems:
        print(f"archlint: error: {line}", file=sys.stderr)
    return 2 if problems else 0


def _check(resolved: Any, paths: list[str]) -> tuple[Any, Any, list[str], list[str]]:
    """Check the feature files under `paths`: (feature records, rule records, sources, problems)."""
    from ..check import check_file, plan
    from ..config import check_against_catalog, policy_files_for
    from ..discovery import discover
    from ..paths import display, git_root, project_root
    from ..policies import load_files
    from ..portfolio import collect

    catalog = load_files(policy_files_for(resolved.settings))
    check_against_catalog(resolved, catalog)
    the_plan = plan(catalog, resolved.settings)
    results = []
    problems = []
    # Each file's source is the repository (git work tree) holding it, else the current one.
    repositories: dict[str, str] = {}
    root = project_root(os.getcwd())
    for path in discover(paths, resolved.settings.include, resolved.settings.exclude):
        shown = display(path)
        try:
            results.append(check_file(path, shown, the_plan))
        except OSError as exc:
            problems.append(f"{shown}: cannot read: {exc.strerror or exc}")
            continue
        repository = git_root(os.path.dirname(os.path.abspath(path))) or root
        repositories[shown] = os.path.basename(repository.rstrip(os.sep)) or repository
    features = collect.features_of(results, catalog, the_plan.params, root)
    for feature in features:
        feature["source"] = repositories.get(feature["file"], "")
    sources = list(dict.fromkeys(repositories.values()))
    return features, collect.rule_records(catalog), sources, problems


def render(data: dict[str, Any], fmt: str, stream: TextIO) -> None:
    """Write the portfolio `data` in format `fmt`."""
    from ..portfolio import formats

    if fmt == "html":
        from ..portfolio import html

        stream.write(html.render(data))
    elif fmt == "json":
        formats.write_json(data, stream)
    elif fmt == "csv":
        formats.write_csv(data, stream)
    elif fmt == "markdown":
        formats.write_markdown(data, stream)
    else:
        from ..portfolio import cyclonedx

        stream.write(cyclonedx.build(data))


def _write(data: dict[str, Any], fmt: str, output: str | None) -> None:
    if output is None:
        render(data, fmt, sys.stdout)
        return
    from .output import output_file

    with output_file(output) as stream:
        render(data, fmt, stream)
    if os.environ.get("ARCHLINT_QUIET") is None:
        print(
            f"archlint: wrote {fmt} report of {len(data['features'])} features to {output}", file=sys.stderr
        )
