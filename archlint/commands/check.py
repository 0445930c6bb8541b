"""`archlint check`: lint feature files and set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import reporters
from ..check import FileResult, Report, check_file, plan
from ..config import load_for
from ..discovery import discover
from ..errors import UsageError
from ..paths import display


def run(args: argparse.Namespace) -> int:
    resolved, catalog = load_for(args)
    settings = resolved.settings
    the_plan = plan(catalog, settings)
    paths = args.paths or ["."]
    results: list[FileResult] = []
    unreadable: list[str] = []
    for path in discover(paths, settings.include, settings.exclude):
        try:
            results.append(check_file(path, display(path), the_plan))
        except OSError as exc:
            unreadable.append(f"{display(path)}: cannot read: {exc.strerror or exc}")
    report = Report(tuple(results), catalog.rules, settings.fail_on)
    _write(report, args.format or "text", args.output)
    for line in unreadable:
        print(f"archlint: error: {line}", file=sys.stderr)
    if unreadable:
        return 2
    return 1 if report.failed else 0


def _write(report: Report, fmt: str, output: str | None) -> None:
    reporter = reporters.get(fmt)
    if output is None:
        reporter(report, sys.stdout)
        return
    target = Path(output)
    if target.is_dir():
        raise UsageError("--output names a directory", output)
    with open(target, "w", encoding="utf-8", newline="\n") as stream:
        reporter(report, stream)
    if os.environ.get("ARCHLINT_QUIET") is None and fmt != "text":
        print(f"archlint: wrote {fmt} report to {output}", file=sys.stderr)
