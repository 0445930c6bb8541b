"""examples/discover-monorepo: its inventory is the golden file expected-inventory.json.

The example is copied into a fresh git repository (its own root, as a team's checkout would be).
After an intended change, regenerate the golden file and review the diff:

    ARCHLINT_UPDATE_GOLDEN=1 pytest tests/discover/test_example.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .conftest import ROOT, git, run

EXAMPLE = ROOT / "examples" / "discover-monorepo"
GOLDEN = EXAMPLE / "expected-inventory.json"


def test_the_example_inventory_matches_the_golden_file(tmp_path: Path) -> None:
    copy = tmp_path / "discover-monorepo"
    shutil.copytree(EXAMPLE, copy)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    completed = run(
        copy, "discover", "--format", "json", "--from-bom", "ai-bom.json", "--no-cache", "--isolated"
    )
    assert completed.returncode == 1, completed.stderr
    if os.environ.get("ARCHLINT_UPDATE_GOLDEN"):
        GOLDEN.write_text(completed.stdout, encoding="utf-8")
    assert completed.stdout == GOLDEN.read_text(encoding="utf-8")


def test_the_example_shows_each_kind_of_finding_once_at_least() -> None:
    import json

    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    rules = sorted(f["rule"] for f in data["findings"])
    assert rules == ["DSC001", "DSC001", "DSC001", "DSC002", "DSC003", "DSC004"]
    kinds = {u["kind"] for u in data["usages"]}
    assert kinds >= {"llm", "embeddings", "vector-store", "fine-tuning", "tools", "unresolved"}
    assert not any(u["file"].startswith("third_party/") for u in data["usages"])  # vendored


def test_the_example_feature_files_pass_check(tmp_path: Path) -> None:
    completed = run(ROOT, "check", "--isolated", "--no-cache", "examples/discover-monorepo")
    assert completed.returncode == 0, completed.stdout
    assert "0 errors, 0 warnings, 0 info" in completed.stdout
