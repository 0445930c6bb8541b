"""`archlint discover`: formats, exit codes, selection, the cache, --jobs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from archlint.discover import scan as scan_module
from archlint.discover.run import Options, discover

from .conftest import MakeRepo, feature, run

FILES = {
    "services/search/ai-feature.yaml": feature("search", approach="rag", problem="knowledge"),
    "services/search/index.py": "from pinecone import Pinecone\nPinecone()\n",
    "services/search/util.py": "def words(text):\n    return text.split()\n",
    "web/src/chat.tsx": "import Anthropic from '@anthropic-ai/sdk';\nexport const c = new Anthropic();\n",
}


def test_text_lists_every_usage_with_its_feature_and_the_findings(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    completed = run(root, "discover", "--no-cache", "--isolated")
    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == "2 AI usages in 2 of 3 source files; 1 feature declared"
    assert "services/search/index.py:1:1" in lines[1] and lines[1].endswith("-> search")
    assert "web/src/chat.tsx:1:1" in lines[2] and lines[2].endswith("-> (no feature)")
    assert lines[3].startswith("web/src/chat.tsx:1:1: error DSC001 anthropic")
    assert lines[-1] == "1 error, 0 warnings, 0 info"


def test_json_and_csv_hold_the_same_inventory(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    data = json.loads(run(root, "discover", "--format", "json", "--no-cache", "--isolated").stdout)
    rows = list(
        csv.DictReader(
            io.StringIO(run(root, "discover", "--format", "csv", "--no-cache", "--isolated").stdout)
        )
    )
    assert [(u["file"], u["line"], u["kind"], u["feature"]) for u in data["usages"]] == [
        ("services/search/index.py", 1, "vector-store", "search"),
        ("web/src/chat.tsx", 1, "llm", None),
    ]
    assert [(r["file"], int(r["line"]), r["kind"], r["feature"] or None) for r in rows] == [
        (u["file"], u["line"], u["kind"], u["feature"]) for u in data["usages"]
    ]
    assert [f["rule"] for f in data["findings"]] == ["DSC001"]
    assert data["version"] == 1 and data["features"][0]["name"] == "search"


def test_a_clean_repository_exits_zero_and_selection_works_like_check(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    assert run(root, "discover", "--no-cache", "--isolated", "services").returncode == 0
    assert run(root, "discover", "--no-cache", "--isolated", "--ignore", "DSC001").returncode == 0
    assert (
        run(root, "discover", "--no-cache", "--isolated", "--fail-on", "warning", "services").returncode == 0
    )
    (root / "pyproject.toml").write_text(
        '[tool.archlint]\nseverity = {DSC001 = "warning"}\n', encoding="utf-8"
    )
    assert run(root, "discover", "--no-cache").returncode == 0
    assert run(root, "discover", "--no-cache", "--fail-on", "warning").returncode == 1


@pytest.mark.parametrize(
    "args",
    [["--jobs", "-1"], ["missing-folder"], ["--from-bom", "missing.json"], ["--catalogue", "missing.yaml"]],
)
def test_usage_errors_exit_two_without_a_traceback(make_repo: MakeRepo, args: list[str]) -> None:
    completed = run(make_repo(FILES), "discover", "--no-cache", "--isolated", *args)
    assert completed.returncode == 2
    assert completed.stderr.startswith("archlint: error:") and "Traceback" not in completed.stderr


def test_the_cache_answers_an_unchanged_repository_and_sees_an_edit(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    cache = tmp_path / "cache"
    options = Options(cache_dir=str(cache), jobs=1)
    first = discover([str(root)], options)
    assert list(cache.glob("v1/discover-*.json"))
    again = discover([str(root)], options)
    assert again.owned == first.owned and again.findings == first.findings
    # A planted entry under another name is never read; an edited file is scanned again.
    (root / "web" / "src" / "chat.tsx").write_text("export const c = 1;\n", encoding="utf-8")
    edited = discover([str(root)], options)
    assert [o.usage.file for o in edited.owned] == ["services/search/index.py"]


def test_a_touched_but_unchanged_file_is_answered_by_its_digest(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    options = Options(cache_dir=str(tmp_path / "cache"), jobs=1)
    first = discover([str(root)], options)
    index = root / "services" / "search" / "index.py"
    index.write_bytes(index.read_bytes())  # new mtime, same content
    calls = []
    original = scan_module.scan_one

    def counting(*args: object) -> object:
        calls.append(args[1])
        return original(*args)  # type: ignore[arg-type]

    scan_module.scan_one = counting  # type: ignore[assignment]
    try:
        second = discover([str(root)], options)
    finally:
        scan_module.scan_one = original
    assert second.owned == first.owned
    assert calls == []  # answered by the digest, not rescanned


def test_parallel_jobs_give_the_same_result(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    files = dict(FILES)
    files.update({f"services/search/gen/m{i}.py": f"import os\nVALUE = {i}\n" for i in range(30)})
    files["services/search/gen/m7.py"] = "import weaviate\n"
    root = make_repo(files)
    serial = discover([str(root)], Options(jobs=1))
    monkeypatch.setattr(scan_module, "PARALLEL_FROM", 1)
    parallel = discover([str(root)], Options(jobs=2))
    assert parallel.owned == serial.owned and parallel.findings == serial.findings
    assert any(o.usage.file == "services/search/gen/m7.py" for o in parallel.owned)


def test_hostile_names_and_code_give_no_traceback(make_repo: MakeRepo) -> None:
    deep = "import importlib\nimportlib.import_module(" + "(" * 90 + "name" + ")" * 90 + ")\n"
    root = make_repo(
        {
            "ai-feature.yaml": feature("app"),
            "app/new\nline.py": "import openai\n",  # a newline in a file name cannot forge an output line
            "app/deep.py": deep,
            "app/chain.py": "import openai\nx = " + " + ".join(["a"] * 50_000) + "\n",
            "app/binary.py": "import openai\n\x00\x01",
            "web/bad.ts": "import OpenAI from 'openai'\n" + "{" * 5000 + "\n",
        }
    )
    for fmt in ("text", "json", "csv"):
        completed = run(root, "discover", "--no-cache", "--isolated", "--format", fmt)
        assert completed.returncode in (0, 1), completed.stderr
        assert "Traceback" not in completed.stderr and "internal error" not in completed.stderr
        data = json.loads(completed.stdout) if fmt == "json" else None
        shown = " ".join(u["file"] for u in data["usages"]) if data else completed.stdout
        assert "app/new\\nline.py" in shown  # the same escaped name in every format, as check shows it
