"""Command-line parsing and dispatch: nothing else happens here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from . import __version__
from .errors import ArchlintError
from .reporters import REPORTERS


def _add_policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policies",
        action="append",
        default=[],
        metavar="PATH",
        help="extra policy file or folder (repeatable); added to the config's policy-paths",
    )
    parser.add_argument(
        "--no-builtin-policies",
        dest="builtin_policies",
        action="store_false",
        default=None,
        help="load only the policies named by --policies or config",
    )
    parser.add_argument("--config", metavar="PATH", help="use this config file instead of searching")
    parser.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument(
        "--org-config",
        metavar="PATH",
        help="the organisation's config, outside the repository (default: $ARCHLINT_ORG_CONFIG)",
    )


def _add_selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--select", metavar="RULES", help="only these rules: ids, names or prefixes, comma-separated"
    )
    parser.add_argument(
        "--ignore", metavar="RULES", help="skip these rules: ids, names or prefixes, comma-separated"
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a policy threshold (repeatable)",
    )


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help formatter, minus the import of shutil (a few ms) for the terminal width;
    descriptions and epilogs (the exit codes) keep their lines."""

    def __init__(self, prog: str, **options: Any) -> None:
        if options.get("width") is None:
            options["width"] = _columns() - 2
        super().__init__(prog, **options)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            # argparse measures command names one indent short: `completion` would wrap.
            self._action_max_length += 2


def _columns() -> int:
    # shutil.get_terminal_size's rules: $COLUMNS, else the terminal, else 80.
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **options: Any) -> None:
        options.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **options)


EXIT_CODES = """exit codes:
  0  no finding at or above the fail threshold (or --exit-zero)
  1  a finding at or above the fail threshold (--fail-on, default: error)
  2  usage, configuration or policy error, or a file that cannot be read"""


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.epilog = EXIT_CODES
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: .); - reads one file from stdin"
    )
    check.add_argument("--format", choices=tuple(REPORTERS), help="output format (default: text)")
    check.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (missing folders are created)"
    )
    check.add_argument(
        "--stdin-filename", metavar="PATH", help="with -: the name the file read from stdin is reported under"
    )
    check.add_argument(
        "--quiet", "-q", action="store_true", help="print the findings only: no summary or notes"
    )
    check.add_argument(
        "--statistics", action="store_true", help="print how often each rule fired instead of each finding"
    )
    check.add_argument(
        "--show-source",
        action="store_true",
        help="show the source line of each finding, a caret under the key",
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when findings reach the fail threshold"
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set)",
    )
    check.add_argument(
        "--fix",
        action="store_true",
        help="rewrite what is mechanical: misspelt keys with one close match, yes/no/on/off in"
        " boolean fields, unused waivers (WVR002); comments and layout are kept",
    )
    check.add_argument(
        "--diff", action="store_true", help="with --fix: print the changes as a diff, write nothing"
    )
    _add_selection_options(check)
    check.add_argument(
        "--no-waivers", dest="waivers", action="store_false", help="report waived findings as if unwaived"
    )
    check.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: the number of cores)"
    )
    check.add_argument(
        "--no-cache", dest="cache", action="store_false", help="do not read or write the cache"
    )
    check.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: .archlint_cache)")
    check.add_argument(
        "--require-files",
        action="store_true",
        default=None,
        help="fail (exit 1) when no feature file is found instead of warning",
    )
    check.add_argument(
        "--evidence",
        choices=("default", "strict"),
        help="strict: every declared evidence path must be a file in the repository (default: default)",
    )
    check.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE")
    check.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE")
    check.add_argument(
        "--discover",
        action="store_true",
        default=None,
        help="also find AI usage in the code and report DSC001-DSC004 (config: discover = true)",
    )
    _add_catalogue_option(check)
    _add_policy_options(check)


def _add_catalogue_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalogue",
        action="append",
        default=[],
        metavar="FILE",
        help="an organisation's detection catalogue, added to the built-in one (repeatable)",
    )


def _discover_arguments(discover: argparse.ArgumentParser) -> None:
    discover.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan (default: .)")
    discover.add_argument("--format", choices=("text", "json", "csv"), default="text", help="output format")
    discover.add_argument("--output", "-o", metavar="FILE", help="write the inventory to FILE")
    discover.add_argument(
        "--from-bom", metavar="FILE", help="reconcile the AI components of a CycloneDX 1.6 BOM (JSON) too"
    )
    discover.add_argument(
        "--include-vendored", action="store_true", help="scan vendored and generated folders as well"
    )
    _add_catalogue_option(discover)
    discover.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: the number of cores)"
    )
    discover.add_argument(
        "--no-cache", dest="cache", action="store_false", help="do not read or write the cache"
    )
    discover.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: .archlint_cache)")
    _add_selection_options(discover)
    discover.add_argument("--config", metavar="PATH", help="use this config file instead of searching")
    discover.add_argument("--isolated", action="store_true", help="ignore every configuration file")


def _explain_arguments(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("rule", metavar="RULE", help="rule id (FT004) or name (too-few-training-examples)")
    explain.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _add_policy_options(explain)


def _rules_arguments(rules: argparse.ArgumentParser) -> None:
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument(
        "--framework",
        metavar="ID",
        help="list a framework's controls (owasp-llm-2025, nist-ai-rmf-1.0) with the rules mapped to them",
    )
    _add_policy_options(rules)


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.add_argument("--policy", action="store_true", help="the schema of policy files instead")
    schema.add_argument(
        "--write",
        metavar="PATH",
        help="write the schema to PATH (a folder: its usual file name there) instead of printing it",
    )


def _completion_arguments(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell to complete for")


def _test_arguments(test: argparse.ArgumentParser) -> None:
    test.add_argument("paths", nargs="*", metavar="PATH", help="policy files or folders")
    test.add_argument("--verbose", "-v", action="store_true", help="list every case, not only failures")
    test.add_argument(
        "--policy-sets-only",
        action="store_true",
        help="skip named files that do not declare apiVersion: archlint/v1 and kind: PolicySet"
        " (what the archlint-policies hook passes: other YAML under a policies/ folder is not ours)",
    )
    _add_policy_options(test)


def _config_arguments(config: argparse.ArgumentParser) -> None:
    config.add_argument(
        "path", nargs="?", metavar="PATH", help="show the configuration that applies to this file or folder"
    )
    config.add_argument("--format", choices=("text", "json"), default="text")
    _add_selection_options(config)
    _add_policy_options(config)


def _decide_arguments(decide: argparse.ArgumentParser) -> None:
    decide.add_argument("file", metavar="FILE", help="an ai-feature.yaml file")
    decide.add_argument(
        "--format",
        choices=("text", "json", "mermaid"),
        default="text",
        help="text (a tree), json or mermaid (a flowchart); json and mermaid take one feature",
    )
    decide.add_argument("--feature", metavar="NAME", help="decide only this feature of a multi-document file")
    decide.add_argument("--gates", metavar="FILE", help="walk the gates in FILE instead of the built-in ones")
    decide.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="override a threshold"
    )
    _add_policy_options(decide)


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument("--output", "-o", metavar="PATH", default="ai-feature.yaml", help="file to write")
    init.add_argument("--answers", metavar="FILE", help="take the answers from a YAML file (no questions)")
    init.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="answer one question, e.g. --set problem=knowledge (repeatable; no questions asked)",
    )
    init.add_argument("--defaults", action="store_true", help="accept every default without asking")


def _report_arguments(report: argparse.ArgumentParser) -> None:
    report.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: . unless --from-json)"
    )
    report.add_argument(
        "--format",
        choices=("html", "json", "csv", "markdown", "cyclonedx"),
        default="html",
        help="html (one self-contained page, the default), json (mergeable with --from-json), csv, "
        "markdown or cyclonedx (a CycloneDX 1.6 AI-BOM)",
    )
    report.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE (default: stdout)")
    report.add_argument(
        "--from-json",
        action="append",
        default=[],
        metavar="FILE",
        help="merge the features of another `archlint report --format json` (repeatable)",
    )
    report.add_argument(
        "--today", metavar="YYYY-MM-DD", help="judge waiver expiry on this day (default: today)"
    )
    _add_selection_options(report)
    _add_policy_options(report)


# subcommand -> (help, description, its arguments); its code is archlint.commands.<name>.run
_SUBCOMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": (
        "check ai-feature.yaml files",
        "Validate feature files against the schema and evaluate every policy rule.",
        _check_arguments,
    ),
    "explain": (
        "explain a rule",
        "What a rule checks, why, what to do instead, with sources.",
        _explain_arguments,
    ),
    "rules": ("list every loaded rule", "List every loaded rule.", _rules_arguments),
    "schema": (
        "print the JSON Schema",
        "Print the JSON Schema of ai-feature.yaml or policy files.",
        _schema_arguments,
    ),
    "test": (
        "run the pass/fail cases of policy files",
        "Run the pass/fail cases embedded in policy files (the built-in ones by default).",
        _test_arguments,
    ),
    "config": (
        "print the effective configuration",
        "Print the effective configuration and where each value came from.",
        _config_arguments,
    ),
    "decide": (
        "recommend an approach for a feature",
        "Walk the decision gates for a feature and recommend an approach.",
        _decide_arguments,
    ),
    "completion": (
        "print a shell completion script",
        "Print the completion script for bash, zsh or fish (generated from the command line by shtab).\n"
        "  bash: archlint completion bash > ~/.local/share/bash-completion/completions/archlint\n"
        "  zsh:  archlint completion zsh > ~/.zfunc/_archlint  (with fpath+=~/.zfunc before compinit)\n"
        "  fish: archlint completion fish > ~/.config/fish/completions/archlint.fish",
        _completion_arguments,
    ),
    "report": (
        "write the portfolio report of every feature",
        "One self-contained HTML page (or JSON, CSV, Markdown, CycloneDX) with every feature, its "
        "findings, decision and waivers, charts and a controls view per framework.",
        _report_arguments,
    ),
    "init": (
        "write a first ai-feature.yaml",
        "Ask the questions of the decision gates and write a valid, commented ai-feature.yaml.",
        _init_arguments,
    ),
    "discover": (
        "inventory AI usage in the code",
        "Find AI usage in the code (LLM, embeddings, vector stores, fine-tuning, tools) and reconcile "
        "it with the feature files: DSC001-DSC004.",
        _discover_arguments,
    ),
}
COMMANDS = tuple(_SUBCOMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (a run's start-up cost) only `command`'s subparser."""
    # Subparsers are of the parser's own class, so they format help the same way.
    parser = _Parser(
        prog="archlint",
        description="Policy-as-code linter for AI architecture decisions.",
        epilog=EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"archlint {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, description, add_arguments) in _SUBCOMMANDS.items():
        if command is None or name == command:
            add_arguments(sub.add_parser(name, help=summary, description=description))
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand a command line names, when it is the first word that is not an option
    (archlint's own options take no value); None builds every subparser, as help needs."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in _SUBCOMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(_command_in(words))
    args = parser.parse_args(words)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        module = importlib.import_module(f"archlint.commands.{args.command}")
        code: int = module.run(args)
        return code
    except ArchlintError as exc:
        from .inert import inert

        # One line, inert: an error may quote a file name or config key a pull request chose.
        print(f"archlint: error: {inert(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as exc:  # the last line of defence: no traceback unless asked
        if args.debug:
            import traceback

            traceback.print_exc()
        else:
            print(
                f"archlint: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                file=sys.stderr,
            )
        return 2
