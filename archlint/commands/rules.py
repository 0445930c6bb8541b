"""`archlint rules`: a table of every loaded rule."""

from __future__ import annotations

import argparse
import json
import sys

from ..config import load_for


def run(args: argparse.Namespace) -> int:
    _, catalog = load_for(args)
    rules = catalog.rules
    if getattr(args, "framework", None):
        from ..portfolio.controls_list import run as list_controls

        return list_controls(rules, args.framework, args.format, sys.stdout)
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
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    id_width = max(len(r.id) for r in rules)
    name_width = max(len(r.name) for r in rules)
    for r in rules:
        sys.stdout.write(f"{r.id:<{id_width}}  {r.name:<{name_width}}  {r.severity.value:<7}  {r.summary}\n")
    sys.stdout.write(f"{len(rules)} rules\n")
    return 0
