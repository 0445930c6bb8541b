from __future__ import annotations

from pathlib import Path

import pytest

from archlint.discovery import discover, is_feature_file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ai-feature.yaml", True),
        ("ai-feature.yml", True),
        ("billing.ai-feature.yaml", True),
        ("billing.ai-feature.yml", True),
        ("ai-feature.yaml.bak", False),
        ("feature.yaml", False),
    ],
)
def test_feature_file_names(name: str, expected: bool) -> None:
    assert is_feature_file(name) is expected


@pytest.mark.parametrize("pattern", ["legacy", "legacy/", "*/legacy/*", "old.ai-feature.yaml"])
def test_exclude_patterns(tmp_path: Path, pattern: str) -> None:
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "ai-feature.yaml").write_text("")
    (tmp_path / "old.ai-feature.yaml").write_text("")
    (tmp_path / "ai-feature.yaml").write_text("")
    found = {Path(p).relative_to(tmp_path).as_posix() for p in discover([str(tmp_path)], exclude=[pattern])}
    assert "ai-feature.yaml" in found
    excluded = {"legacy/ai-feature.yaml"} if "legacy" in pattern else {"old.ai-feature.yaml"}
    assert not found & excluded


def test_include_adds_file_name_globs(tmp_path: Path) -> None:
    (tmp_path / "svc.arch.yaml").write_text("")
    assert list(discover([str(tmp_path)])) == []
    assert [Path(p).name for p in discover([str(tmp_path)], include=["*.arch.yaml"])] == ["svc.arch.yaml"]
