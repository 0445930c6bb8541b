"""Which files discovery reads: git's files (submodules included), vendored folders skipped,
no link out of the repository followed, a git failure an error."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .conftest import MakeRepo, feature, git, run


def usages(folder: Path, *args: str) -> list[str]:
    completed = run(folder, "discover", "--format", "json", "--no-cache", "--isolated", *args)
    assert completed.returncode in (0, 1), completed.stderr
    return [u["file"] for u in json.loads(completed.stdout)["usages"]]


def test_vendored_and_generated_folders_are_skipped_unless_asked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ai-feature.yaml": feature("app"),
            "app/main.py": "import openai\n",
            "Vendor/sdk/client.py": "import anthropic\n",  # folder names compare case-insensitively
            "third_party/widget.js": "import OpenAI from 'openai';\n",
            "web/dist/bundle.js": "import OpenAI from 'openai';\n",
            "web/src/app.min.js": "import OpenAI from 'openai';\n",
            "web/types/openai.d.ts": "import OpenAI from 'openai';\n",
            "web/generated/client.ts": "import OpenAI from 'openai';\n",
        }
    )
    assert usages(root) == ["app/main.py"]
    assert len(usages(root, "--include-vendored")) == 7


def test_an_organisation_catalogue_adds_vendored_folders(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ai-feature.yaml": feature("app"),
            "app/main.py": "import openai\n",
            "legacy_clients/old.py": "import openai\n",
            "acme.yaml": (
                "apiVersion: archlint/v1\nkind: DiscoveryCatalogue\nvendored: [legacy_clients]\nentries: []\n"
            ),
        }
    )
    assert usages(root, "--catalogue", "acme.yaml") == ["app/main.py"]


def test_ignored_files_are_skipped_and_untracked_ones_read(make_repo: MakeRepo) -> None:
    root = make_repo(
        {"ai-feature.yaml": feature("app"), ".gitignore": "scratch/\n", "app/main.py": "import openai\n"}
    )
    (root / "scratch").mkdir()
    (root / "scratch" / "try.py").write_text("import anthropic\n", encoding="utf-8")
    (root / "app" / "new.py").write_text("import cohere\n", encoding="utf-8")  # untracked, not ignored
    assert usages(root) == ["app/main.py", "app/new.py"]


def test_a_symbolic_link_out_of_the_repository_is_not_followed(make_repo: MakeRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import openai\n", encoding="utf-8")
    root = make_repo({"ai-feature.yaml": feature("app"), "app/main.py": "import anthropic\n"})
    os.symlink(outside / "secret.py", root / "app" / "linked.py")
    os.symlink(outside, root / "linked-folder")
    git(root, "add", "-A")
    assert usages(root) == ["app/main.py"]
    # Outside git the walk does not follow them either.
    plain = make_repo(
        {"ai-feature.yaml": feature("app"), "app/main.py": "import anthropic\n"}, in_git=False, name="plain"
    )
    os.symlink(outside / "secret.py", plain / "app" / "linked.py")
    os.symlink(outside, plain / "linked-folder")
    assert usages(plain) == ["app/main.py"]


def test_a_path_outside_the_repository_is_refused(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo({"ai-feature.yaml": feature("app")})
    (tmp_path / "elsewhere").mkdir()
    completed = run(root, "discover", "--no-cache", "--isolated", ".", str(tmp_path / "elsewhere"))
    assert completed.returncode == 2
    assert "outside the repository" in completed.stderr


def test_a_git_failure_is_an_error_not_a_fallback_walk(make_repo: MakeRepo) -> None:
    root = make_repo({"ai-feature.yaml": feature("app"), "app/main.py": "import openai\n"}, in_git=False)
    (root / ".git").write_text("gitdir: /nonexistent/archlint-test\n", encoding="utf-8")
    completed = run(root, "discover", "--no-cache", "--isolated")
    assert completed.returncode == 2, completed.stdout
    assert "git ls-files failed" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_files_of_a_submodule_are_read(make_repo: MakeRepo) -> None:
    library = make_repo({"rag/search.py": "import qdrant_client\n"}, name="library")
    git(library, "commit", "-qm", "library")
    root = make_repo({"ai-feature.yaml": feature("app", approach="rag", problem="knowledge")}, name="super")
    git(root, "submodule", "add", "-q", str(library), "libs/library")
    assert usages(root) == ["libs/library/rag/search.py"]
