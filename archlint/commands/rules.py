"""`archlint rules`: a table of every loaded rule."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..config import load_for
from ..inert import InertLines

if TYPE_CHECKING:
    from ..policies import Rule


def run(args: argparse.Namespace) -> int:
    _, catalog = load_for(args)
    if args.format == "text":
        with InertLines(sys.stdout) as out:  # a custom policy's names and summaries are the pull request's
            return _write(args, catalog.rules, out)
    return _write(args, catalog.rules, sys.stdout)


def _write(args: argparse.Namespace, rules: Sequence[Rule], stream: TextIO) -> int:
    if getattr(args, "framework", None):
        from ..portfolio.controls_list import run as list_controls

        return list_controls(rules, args.framework, args.format, stream)
    if args.format == "json":
        payload = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.value,
                "summary": r.summary,
                "policy_set": r.policy_set,
                "source": "builtin" if r.builtin else r.source,
                "tags": list(r.tags),
                "mappings": {framework: list(controls) for framework, controls in r.mappings},
            }
            for r in rules
        ]
        json.dump(payload, stream, indent=2)
        stream.write("\n")
        return 0
    id_width = max(len(r.id) for r in rules)
    name_width = max(len(r.name) for r in rules)
    for r in rules:
        stream.write(f"{r.id:<{id_width}}  {r.name:<{name_width}}  {r.severity.value:<7}  {r.summary}\n")
    stream.write(f"{len(rules)} rules\n")
    return 0
