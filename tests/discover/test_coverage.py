"""Coverage: a feature covers its folder and below, or its code_paths (gitignore-style); the
nearest feature wins."""

from __future__ import annotations

import pytest

from archlint.discover.coverage import Feature, matches, owner
from archlint.loader import Document


def feature(name: str, file: str, code_paths: tuple[str, ...] | None = None) -> Feature:
    folder = file.rsplit("/", 1)[0] if "/" in file else ""
    return Feature(name, file, folder, code_paths, "prompting", False, Document({}, {}), 0)


@pytest.mark.parametrize(
    ("patterns", "file", "expected"),
    [
        (["services/a/**"], "services/a/x.py", True),
        (["services/a/**"], "services/ab/x.py", False),
        (["services/a/"], "services/a/deep/x.py", True),
        (["*.py"], "deep/down/x.py", True),  # no slash: any depth
        (["/x.py"], "deep/x.py", False),  # a leading slash anchors
        (["**/web/src/support/**"], "web/src/support/Panel.tsx", True),
        (["**/web/src/support/**"], "examples/m/web/src/support/Panel.tsx", True),
        (["services/*/agent.ts"], "services/refunds/agent.ts", True),
        (["services/*/agent.ts"], "services/a/b/agent.ts", False),
        (["services/**", "!services/legacy/**"], "services/legacy/x.py", False),
        (["services/**", "!services/legacy/**"], "services/new/x.py", True),
        (["svc/[ab]*.py"], "svc/b1.py", True),
        (["svc/[!ab]*.py"], "svc/b1.py", False),
    ],
)
def test_code_paths_follow_gitignore(patterns: list[str], file: str, expected: bool) -> None:
    assert matches(patterns, file) is expected


def test_the_nearest_feature_owns_a_file() -> None:
    top = feature("platform", "ai-feature.yaml")
    search = feature("search", "services/search/ai-feature.yaml")
    features = [top, search]
    assert owner("services/search/index.py", features) is search
    assert owner("services/billing/x.py", features) is top
    assert owner("services/search/deep/x.ts", features) is search


def test_code_paths_replace_the_folder() -> None:
    panel = feature("panel", "services/panel/ai-feature.yaml", ("web/src/panel/**",))
    assert owner("web/src/panel/App.tsx", [panel]) is panel
    assert owner("services/panel/x.py", [panel]) is None  # code_paths say otherwise


def test_no_feature_covers_a_file_outside_every_folder() -> None:
    assert owner("tools/x.py", [feature("search", "services/search/ai-feature.yaml")]) is None
