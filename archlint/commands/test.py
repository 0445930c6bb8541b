"""`archlint test`: run the pass/fail cases of policy files, like a test runner."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TextIO

from ..config import load_for
from ..inert import InertLines
from ..policies import evidence_gaps
from ..policy_paths import expand_policy_paths
from ..policy_tests import default_plan, run_cases

_DECLARED = "apiVersion: archlint/v1 and kind: PolicySet"
# A top-level key as written in a policy file: no indentation, optional quotes.
_API_VERSION = re.compile(r"""^apiVersion:[ \t]*["']?archlint/v1["']?[ \t]*(#.*)?$""", re.M)
_KIND = re.compile(r"""^kind:[ \t]*["']?PolicySet["']?[ \t]*(#.*)?$""", re.M)


def declares_policy_set(path: str) -> bool:
    """Whether the file says it is an archlint policy file (`apiVersion: archlint/v1`,
    `kind: PolicySet`), read as text: a policy file with a YAML error still declares it,
    and is then reported, while a Kyverno ClusterPolicy or a Helm values file is not ours."""
    from ..loader import MAX_FILE_BYTES, read_bytes

    try:
        text = read_bytes(path, MAX_FILE_BYTES).decode("utf-8", "replace")
    except OSError:
        return True  # unreadable: let the loader say so
    return bool(_API_VERSION.search(text) and _KIND.search(text))


def run(args: argparse.Namespace) -> int:
    with InertLines(sys.stdout) as out:  # a policy's labels and messages are the pull request's
        return _run(args, out)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    extra = expand_policy_paths(args.paths) if args.paths else []
    if getattr(args, "policy_sets_only", False):
        extra = [path for path in extra if declares_policy_set(path)]
        if not extra:
            # Not the built-in policies instead: the files named were simply none of ours.
            print(
                f"no archlint policy files among the {len(args.paths)} given (none declares {_DECLARED})",
                file=out,
            )
            return 0
    _, catalog = load_for(args, extra_policies=extra)
    wanted = {os.path.realpath(path) for path in extra}
    # Named files only; otherwise everything loaded (built-ins plus configured policy-paths).
    sets = [s for s in catalog.sets if os.path.realpath(s.source) in wanted] if wanted else list(catalog.sets)
    passed = failed = 0
    for result in run_cases(catalog, sets, default_plan(catalog)):
        if result.ok:
            passed += 1
            if args.verbose:
                print(f"PASS {result.label}", file=out)
            continue
        failed += 1
        print(f"FAIL {result.label}", file=out)
        if result.kind == "missing":
            print(
                f"     {result.rule.source}:{result.rule.line}: add a tests.fail case where the rule fires",
                file=out,
            )
        elif result.kind == "fail":
            print(f"     expected {result.rule.id} to fire; it did not", file=out)
        for finding in result.findings:
            if result.kind == "pass" and finding.rule != result.rule.id:
                continue
            print(f"     got {finding.rule} at {finding.path or 'document'}: {finding.message}", file=out)
    # Built-in rules must show their evidence (issue 16); custom policies may leave it out.
    for where, problem in evidence_gaps(catalog, sets):
        failed += 1
        print(f"FAIL {where}: {problem}", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0
