"""`archlint explain RULE`: what a rule checks, why, what to do instead, with sources."""

from __future__ import annotations

import argparse
import json
import sys

from .. import explain
from ..config import load_for
from ..errors import UsageError
from ..inert import InertLines


def run(args: argparse.Namespace) -> int:
    _, catalog = load_for(args)
    rule = catalog.rule(args.rule)
    if rule is None:
        close = catalog.close_matches(args.rule) or catalog.close_matches(args.rule.upper())
        hint = f"; did you mean {', '.join(close)}?" if close else "; `archlint rules` lists them all"
        raise UsageError(f"unknown rule '{args.rule}'{hint}")
    if args.format == "json":
        payload = {
            "id": rule.id,
            "name": rule.name,
            "severity": rule.severity.value,
            "summary": rule.summary,
            "condition": rule.condition_source or None,
            "path": ".".join(map(str, rule.path)) or None,
            "rationale": rule.rationale,
            "remediation": rule.remediation,
            "references": [explain.reference_json(r) for r in rule.references],
            "mappings": {framework: list(controls) for framework, controls in rule.mappings},
            "params": [explain.param_json(p) for p in explain.rule_params(catalog, rule)],
            "failing_example": explain.example(catalog, rule, "fail"),
            "passing_example": explain.example(catalog, rule, "pass"),
        }
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(explain.markdown(catalog, rule, heading="#"))
    else:
        with InertLines(sys.stdout) as out:  # a custom policy's text is the pull request's
            out.write(explain.text(catalog, rule))
    return 0
