"""docs/editors.md: the SchemaStore catalog entry is ready to submit and matches archlint."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archlint.discovery import FEATURE_PATTERNS
from archlint.reporters.sarif import INFORMATION_URI

ROOT = Path(__file__).resolve().parent.parent
EDITORS = ROOT / "docs" / "editors.md"


def json_blocks() -> list[object]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", EDITORS.read_text(), re.S)]


def test_the_schemastore_entry_names_the_published_schema_and_every_file_name() -> None:
    (entry,) = [block for block in json_blocks() if isinstance(block, dict) and "fileMatch" in block]
    assert set(entry) == {"name", "description", "fileMatch", "url"}
    assert entry["fileMatch"] == list(FEATURE_PATTERNS)
    owner_and_name = INFORMATION_URI.removeprefix("https://github.com/")
    prefix = f"https://raw.githubusercontent.com/{owner_and_name}/main/"
    assert entry["url"].startswith(prefix)
    assert (ROOT / entry["url"].removeprefix(prefix)).is_file()


def test_editor_settings_map_the_same_four_names() -> None:
    (vscode,) = [block for block in json_blocks() if isinstance(block, dict) and "yaml.schemas" in block]
    assert list(vscode["yaml.schemas"].values()) == [list(FEATURE_PATTERNS)]
    text = EDITORS.read_text()
    lua = re.search(r"```lua\n(.*?)```", text, re.S)
    assert lua is not None
    assert all(f'"{pattern}"' in lua.group(1) for pattern in FEATURE_PATTERNS)
