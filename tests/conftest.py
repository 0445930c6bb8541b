from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Reports must not depend on the machine running the tests.
    for name in ("GITHUB_ACTIONS", "FORCE_COLOR", "CI_PROJECT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/reporters/golden/) from the current output instead of comparing",
    )


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("ARCHLINT_QUIET", "1")


def archlint_command() -> list[str]:
    return [sys.executable, "-m", "archlint"]
