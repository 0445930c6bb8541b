"""`archlint test`: run the pass/fail cases of policy files, like a test runner."""

from __future__ import annotations

import argparse
import os

from ..config import load_for
from ..policies import evidence_gaps
from ..policy_paths import expand_policy_paths
from ..policy_tests import default_plan, run_cases


def run(args: argparse.Namespace) -> int:
    extra = expand_policy_paths(args.paths) if args.paths else []
    _, catalog = load_for(args, extra_policies=extra)
    wanted = {os.path.realpath(path) for path in extra}
    # Named files only; otherwise everything loaded (built-ins plus configured policy-paths).
    sets = [s for s in catalog.sets if os.path.realpath(s.source) in wanted] if wanted else list(catalog.sets)
    passed = failed = 0
    for result in run_cases(catalog, sets, default_plan(catalog)):
        if result.ok:
            passed += 1
            if args.verbose:
                print(f"PASS {result.label}")
            continue
        failed += 1
        print(f"FAIL {result.label}")
        if result.kind == "missing":
            print(f"     {result.rule.source}:{result.rule.line}: add a tests.fail case where the rule fires")
        elif result.kind == "fail":
            print(f"     expected {result.rule.id} to fire; it did not")
        for finding in result.findings:
            if result.kind == "pass" and finding.rule != result.rule.id:
                continue
            print(f"     got {finding.rule} at {finding.path or 'document'}: {finding.message}")
    # Built-in rules must show their evidence (issue 16); custom policies may leave it out.
    for where, problem in evidence_gaps(catalog, sets):
        failed += 1
        print(f"FAIL {where}: {problem}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
