"""What every `archlint check` pays before its first file: kept small on purpose."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import typing
from pathlib import Path

# The modules whose records (typing.NamedTuple) are created on every `archlint check`.
CHECK_PATH = ("finding", "settings", "loader", "check", "policies", "decide", "parallel", "config", "schema")


def _records() -> list[type]:
    found = []
    for name in CHECK_PATH:
        module = importlib.import_module(f"archlint.{name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and issubclass(value, tuple) and hasattr(value, "_fields"):
                found.append(value)
    return found


def test_the_records_of_the_check_path_have_evaluated_annotations() -> None:
    """typing.NamedTuple compiles each annotation written as a string (a ForwardRef each,
    which `from __future__ import annotations` makes of every one): those modules do without
    it, and only the two fields that must name something not there yet stay strings."""
    records = _records()
    assert len(records) >= 20
    strings = {
        f"{record.__name__}.{field}"
        for record in records
        for field, annotation in record.__annotations__.items()
        if isinstance(annotation, (str, typing.ForwardRef))
    }
    assert strings == {"Settings.today", "Filling.children"}


def test_a_check_imports_neither_jsonschema_nor_subprocess_for_a_clean_file_outside_git(
    tmp_path: Path,
) -> None:
    """jsonschema only explains refused documents; git only runs inside a work tree."""
    folder = tmp_path
    source = Path(__file__).parents[1] / "examples" / "clean"
    clean = sorted(source.rglob("*.yaml"))[0]
    (folder / "ai-feature.yaml").write_bytes(clean.read_bytes())
    probe = (
        "import sys; from archlint.__main__ import main; code = main(['check', '--no-cache', '.']);"
        "print(code, 'jsonschema' in sys.modules, 'subprocess' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True, check=False
    )
    assert completed.stdout.split()[-3:] == ["0", "False", "False"], completed.stderr
