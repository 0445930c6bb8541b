"""Coverage-guided fuzzing of archlint with atheris, for long local runs (see fuzz/README.md).

One input is one file: a feature file (default), a policy file or a config file,
chosen with ARCHLINT_FUZZ_TARGET=feature|policy|config. The harness fails (and
libFuzzer saves the input as crash-*) when archlint breaks its contract on the
input: an exception other than archlint's own errors, a finding that is not
located inside the file, a message spread over several lines, or a built-in
rule that fails to evaluate (POL001) on a document.

    python fuzz/fuzz_archlint.py -runs=100000 fuzz/corpus/feature
"""

from __future__ import annotations

import atexit
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    # Everything `archlint check` runs, imported here so atheris can see its branches.
    from archlint import _yaml, check, config, engine, loader, policies, schema, waivers  # noqa: F401
    from archlint.errors import ArchlintError
    from archlint.reporters import json as json_reporter
    from archlint.reporters import text as text_reporter
    from archlint.settings import Settings

TARGET = os.environ.get("ARCHLINT_FUZZ_TARGET", "feature")
VALID = Path(__file__).resolve().parent.parent / "tests" / "hostile" / "valid-feature.yaml"
BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
WORKDIR = Path(tempfile.mkdtemp(prefix="archlint-fuzz-"))
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
PLAN = check.plan(policies.load_catalog(), Settings())


def _lines(raw: bytes) -> int:
    try:
        text = loader.decode(raw)
    except loader.YamlError:
        text = raw.decode("latin-1")
    return len(BREAKS.findall(text)) + 1


def _assert_located(result: check.FileResult, raw: bytes, builtin_only: bool) -> None:
    lines = _lines(raw)
    for finding in result.findings:
        if not 1 <= finding.line <= lines or finding.column < 1:
            raise AssertionError(f"finding outside the file ({lines} lines): {finding}")
        if not finding.message.isprintable():
            raise AssertionError(f"message is not one printable line: {finding.message!r}")
        if builtin_only and finding.rule == "POL001":
            raise AssertionError(f"a built-in rule failed to evaluate: {finding.message}")


def _report(result: check.FileResult, the_plan: check.Plan) -> None:
    report = check.Report(
        (result,), the_plan.catalog.rules, the_plan.settings.fail_on, catalog=the_plan.catalog
    )
    # Not SARIF: it renders every rule's help on each call (~0.1 s), which would
    # slow the fuzzer a hundredfold; the hypothesis tests cover it.
    for reporter in (text_reporter, json_reporter):
        reporter.report(report, io.StringIO())


def fuzz_feature(raw: bytes) -> None:
    result = check.check_bytes(raw, "fuzz.ai-feature.yaml", PLAN)
    _assert_located(result, raw, builtin_only=True)
    _report(result, PLAN)


def fuzz_policy(raw: bytes) -> None:
    path = WORKDIR / "policy.yaml"
    path.write_bytes(raw)
    try:
        catalog = policies.load_catalog([str(path)], builtin=False)
    except ArchlintError as exc:
        if exc.file == str(path) and exc.line is not None and not 1 <= exc.line <= _lines(raw):
            raise AssertionError(f"policy error outside the file: {exc}") from None
        return
    the_plan = check.plan(catalog, Settings())
    feature = VALID.read_bytes()
    result = check.check_bytes(feature, "valid-feature.yaml", the_plan)
    _assert_located(result, feature, builtin_only=False)
    _report(result, the_plan)


def fuzz_config(raw: bytes) -> None:
    path = WORKDIR / "archlint.toml"
    path.write_bytes(raw)
    try:
        config.read_config(path)
    except ArchlintError:
        return


TARGETS = {"feature": fuzz_feature, "policy": fuzz_policy, "config": fuzz_config}


def main() -> None:
    atheris.Setup(sys.argv, TARGETS[TARGET])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
