"""What every `archlint check` pays before its first file: kept small on purpose."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

# The modules whose records (typing.NamedTuple) are created on every `archlint check`.
CHECK_PATH = (
    "finding",
    "settings",
    "report",
    "loader",
    "check",
    "policies",
    "decide",
    "parallel",
    "config",
    "schema",
)


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
    which `from __future__ import annotations` makes of every one, and the first compile() of a
    process costs ~0.7 ms): those modules do without it, and only a record that holds records
    of its own kind has a string."""
    records = _records()
    assert len(records) >= 20
    strings = {
        f"{record.__name__}.{field}"
        for record in records
        for field, annotation in record.__annotations__.items()
        if isinstance(annotation, (str, typing.ForwardRef))
    }
    assert strings == {"Filling.children"}


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


def test_a_run_the_cache_answers_loads_no_policy(tmp_path: Path) -> None:
    """A second run over unchanged files answers from the cache before the catalog would load;
    the formats that list rules (SARIF, JUnit, GitLab) still load it."""
    source = Path(__file__).parents[1] / "examples" / "anti-patterns"
    for example in sorted(source.glob("FT00*.yaml")):
        (tmp_path / example.name).write_bytes(example.read_bytes())
    heavy = ("archlint.policies", "archlint.check", "archlint.engine", "archlint.cel", "archlint.parallel")
    probe = (
        "import sys; from archlint.__main__ import main;"
        "code = main(['check', '--isolated', '--format', sys.argv[1], '.']);"
        f"print(code, [name for name in {heavy!r} if name in sys.modules])"
    )

    def loaded(fmt: str) -> str:
        completed = subprocess.run(
            [sys.executable, "-c", probe, fmt],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")},
        )
        return completed.stdout.splitlines()[-1]

    everything = f"1 {list(heavy)}"
    assert loaded("json") == everything  # the first run fills the cache
    assert loaded("json") == "1 []"
    assert loaded("text") == "1 []"  # the format is no part of what a result depends on
    assert "'archlint.policies'" in loaded("sarif")


def test_evidence_code_loads_only_for_features_that_declare_evidence(tmp_path: Path) -> None:
    """A feature naming no evidence loads nothing of archlint.evidence; one whose data is only
    counted and checked loads msgspec but never datasketch or numpy (EVD004 alone needs them)."""
    watched = ("archlint.evidence", "msgspec", "datasketch", "numpy")
    probe = (
        "import sys; from archlint.__main__ import main;"
        "code = main(['check', '--no-cache', *sys.argv[1:], 'ai-feature.yaml']);"
        "print(code, sorted({name.split('.')[0] if not name.startswith('archlint') else 'archlint.evidence'"
        f" for name in sys.modules if name.startswith({watched!r})}}))"
    )
    feature = (
        "apiVersion: archlint/v1\nkind: AIFeature\nmetadata: {name: triage, owner: support}\n"
        "spec:\n  problem: behavior\n  approach: prompting\n"
    )

    def loaded(extra: str, *argv: str) -> str:
        (tmp_path / "ai-feature.yaml").write_text(feature + extra, encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-c", probe, *argv], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        return completed.stdout.splitlines()[-1] if completed.stdout else completed.stderr

    (tmp_path / "train.jsonl").write_text('{"prompt": "q", "completion": "a"}\n', encoding="utf-8")
    (tmp_path / "eval.jsonl").write_text('{"prompt": "q2", "completion": "a"}\n', encoding="utf-8")
    assert loaded("").endswith("[]")
    data = "  fine_tuning: {data: {train: train.jsonl, eval: eval.jsonl}}\n"
    assert loaded(data, "--ignore", "EVD004").endswith("['archlint.evidence', 'msgspec']")
    assert loaded(data).endswith("['archlint.evidence', 'datasketch', 'msgspec', 'numpy']")
