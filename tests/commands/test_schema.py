from __future__ import annotations

import json
from pathlib import Path

import pytest

from archlint.cli import main

from ..conftest import git_init

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "name"), [([], "ai-feature.v1.schema.json"), (["--policy"], "policy.v1.schema.json")]
)
def test_prints_the_published_schema(argv: list[str], name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", *argv]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((ROOT / "schemas" / name).read_text())


def test_write_puts_the_schema_where_editors_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    shipped = (ROOT / "schemas" / "ai-feature.v1.schema.json").read_text()
    assert main(["schema", "--write", "."]) == 0
    assert (tmp_path / "ai-feature.v1.schema.json").read_text() == shipped
    assert main(["schema", "--write", "editors/schemas/"]) == 0  # a new folder, by its trailing slash
    assert (tmp_path / "editors/schemas/ai-feature.v1.schema.json").read_text() == shipped
    assert main(["schema", "--policy", "--write", "policy.json"]) == 0
    assert json.loads((tmp_path / "policy.json").read_text())["$id"].endswith("/policy.v1.schema.json")
    assert main(["schema", "--write", "."]) == 0
    assert "up to date" in capsys.readouterr().err


def test_write_never_replaces_a_file_that_is_not_an_archlint_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.json").write_text('{"$id": "https://example.org/other"}')
    assert main(["schema", "--write", "mine.json"]) == 2
    assert "not an archlint schema" in capsys.readouterr().err
    assert (tmp_path / "mine.json").read_text() == '{"$id": "https://example.org/other"}'
    (tmp_path / "target.json").write_text("{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "target.json")
    assert main(["schema", "--write", "link.json"]) == 2
    assert (tmp_path / "target.json").read_text() == "{}"


def test_init_modeline_resolves_to_the_schema_it_writes(tmp_path: Path) -> None:
    """The modeline's path, taken relative to the feature file as the YAML language server
    does, names the schema init wrote; a real validator (check-jsonschema) accepts the file."""
    import os
    import re
    import subprocess
    import sys

    git_init(tmp_path)
    (tmp_path / "services" / "bot").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for output in ("services/bot/ai-feature.yaml", "top.ai-feature.yaml"):
        done = subprocess.run(
            [sys.executable, "-m", "archlint", "init", "--defaults", "-o", output],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        feature = tmp_path / output
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", feature.read_text().splitlines()[0])
        assert match is not None
        schema = (feature.parent / match.group(1)).resolve()
        assert schema == tmp_path / "ai-feature.v1.schema.json"
        checked = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(feature)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    assert match.group(1) == "./ai-feature.v1.schema.json"
