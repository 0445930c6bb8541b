"""`archlint discover`: the inventory of AI usage in the code, reconciled with the feature files."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from ..config import resolve
from ..errors import UsageError
from ..finding import Finding
from ..settings import Settings, enabled, severity_for

if TYPE_CHECKING:
    from ..discover.run import Options


def run(args: argparse.Namespace) -> int:
    from ..discover.inventory import write
    from ..discover.run import discover

    settings = resolve(args, os.getcwd()).settings
    result = discover(args.paths or ["."], options_from(args))
    findings = applied(result.findings, settings)
    if args.output is None:
        write(args.format, result, findings, sys.stdout)
    else:
        from .output import output_file

        with output_file(args.output, "the inventory") as stream:
            write(args.format, result, findings, stream)
    return 1 if any(f.severity.rank >= settings.fail_on.rank for f in findings) else 0


def options_from(args: argparse.Namespace) -> Options:
    """The discovery options a command line asks for (shared with `check --discover`)."""
    from ..discover.run import Options

    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 0:
        raise UsageError(f"--jobs takes a number of processes (0: one per core), got {jobs}")
    cache_dir = None
    if getattr(args, "cache", True):
        from ..cache import default_directory
        from ..paths import project_root

        cache_dir = getattr(args, "cache_dir", None) or default_directory(project_root(os.getcwd()))
    return Options(
        catalogues=tuple(getattr(args, "catalogue", None) or ()),
        jobs=jobs or 0,
        cache_dir=cache_dir,
        include_vendored=bool(getattr(args, "include_vendored", False)),
        bom=getattr(args, "from_bom", None),
    )


def applied(findings: tuple[Finding, ...], settings: Settings) -> list[Finding]:
    """The findings --select/--ignore keep, at the severity config gives them."""
    kept = []
    for finding in findings:
        if not enabled(settings, finding.rule, finding.name):
            continue
        severity = severity_for(settings, finding.rule, finding.name, finding.severity)
        kept.append(finding._replace(severity=severity))
    return kept
