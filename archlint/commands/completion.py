"""`archlint completion SHELL`: a completion script generated from the command line by shtab."""

from __future__ import annotations

import argparse
import sys

# Arguments that name files or folders: completed from the file system.
_FILES = frozenset(
    {
        "paths",
        "output",
        "config",
        "policies",
        "baseline",
        "write_baseline",
        "answers",
        "gates",
        "file",
        "stdin_filename",
        "write",
    }
)
_FOLDERS = frozenset({"cache_dir"})


def run(args: argparse.Namespace) -> int:
    import shtab  # only here: no other command needs it

    from ..cli import build_parser

    parser = build_parser()
    _mark_paths(parser, shtab.FILE, shtab.DIRECTORY)
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def _mark_paths(parser: argparse.ArgumentParser, files: object, folders: object) -> None:
    """Tell shtab which arguments complete file names, in every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark_paths(sub, files, folders)
        elif action.dest in _FILES:
            action.complete = files  # type: ignore[attr-defined]
        elif action.dest in _FOLDERS:
            action.complete = folders  # type: ignore[attr-defined]
