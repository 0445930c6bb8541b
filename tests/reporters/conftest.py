"""A fixed Report for every reporter, and golden-file comparison.

The Report comes from the real pipeline: the feature files in data/ checked
against data/policies.yaml (a small fixture policy set, so edits to the shipped
policies never churn the golden files) with a fixed date for waiver expiry.

Golden files live in golden/ and are compared exactly. After an intended
change to an output format, regenerate them and review the diff:

    pytest tests/reporters --update-golden
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from archlint import reporters
from archlint.check import Report, check_file, plan
from archlint.policies import Catalog, build_catalog, load_policy_document
from archlint.settings import Settings

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
# How the fixtures are named in reports: relative to the repository root, forward slashes.
DISPLAY = "tests/reporters/data"
TODAY = datetime.date(2026, 6, 1)
FEATURES = sorted(path.name for path in DATA.glob("*.ai-feature.yaml"))

Golden = Callable[[str, str], None]
Render = Callable[[str, Report], str]
MakeReport = Callable[[Sequence[str]], Report]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    # Loaded as built in: engine rules (SCH, WVR) may only be declared by built-in policy files.
    return build_catalog([(*load_policy_document(str(DATA / "policies.yaml")), True)])


@pytest.fixture
def make_report(catalog: Catalog) -> MakeReport:
    """Check the named fixture files (all of them by default) into a Report."""

    def make(names: Sequence[str] = FEATURES) -> Report:
        the_plan = plan(catalog, Settings(today=TODAY))
        results = tuple(check_file(str(DATA / name), f"{DISPLAY}/{name}", the_plan) for name in names)
        return Report(results, catalog.rules, the_plan.settings.fail_on, catalog=catalog)

    return make


@pytest.fixture
def report(make_report: MakeReport) -> Report:
    return make_report(FEATURES)


@pytest.fixture
def render() -> Render:
    """Run a reporter into a string."""

    def run(fmt: str, report: Report) -> str:
        stream = io.StringIO()
        reporters.get(fmt)(report, stream)
        return stream.getvalue()

    return run


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    update = bool(request.config.getoption("--update-golden", default=False))

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"no golden file {path}; run `pytest tests/reporters --update-golden`"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"{name} differs from its golden file; if intended, --update-golden"

    return compare
