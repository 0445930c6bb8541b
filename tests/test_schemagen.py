from __future__ import annotations

import json

import pytest

from archlint import schemagen


@pytest.mark.parametrize("path", sorted(schemagen.outputs(), key=str), ids=lambda p: p.name)
def test_generated_file_matches_the_models(path: object) -> None:
    # Regenerate with `python -m archlint.schemagen` when this fails.
    expected = schemagen.outputs()[path]  # type: ignore[index]
    assert path.read_text(encoding="utf-8") == expected  # type: ignore[attr-defined]


def test_every_field_has_a_description() -> None:
    schema = json.loads((schemagen.ROOT / "schemas" / "ai-feature.v1.schema.json").read_text())
    missing = []
    for name, definition in [("AIFeature", schema), *schema["$defs"].items()]:
        for field, sub in definition.get("properties", {}).items():
            if not sub.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


def test_check_mode_reports_stale_files(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    real = schemagen.outputs()
    target = next(iter(real))
    monkeypatch.setattr(schemagen, "outputs", lambda: {target: real[target] + " "})
    assert schemagen.main(["--check"]) == 1
    monkeypatch.setattr(schemagen, "outputs", lambda: {target: real[target]})
    assert schemagen.main(["--check"]) == 0
