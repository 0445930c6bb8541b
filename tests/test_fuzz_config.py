"""Fuzzing config files with hypothesis (issue 13: "the hypothesis fuzzing extended to config
files"), on a fixed budget so CI is deterministic.

Inputs: TOML documents generated from archlint's keys and plausible wrong values, TOML token
soup, deep nesting and long runs of blank lines, placed as a repository config
(archlint.toml, pyproject.toml), as a nested service config that extends the root's, or as a
locked organisation config. Properties: `check` and `config` exit 0, 1 or 2; never a traceback
or an internal error; an exit 2 is one `archlint: error:` line, and an error about a config
file names it with a line inside it. Scale the budget with ARCHLINT_FUZZ_SCALE as in
tests/test_fuzz.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
VALID_FEATURE = ROOT / "tests" / "hostile" / "valid-feature.yaml"
SCALE = int(os.environ.get("ARCHLINT_FUZZ_SCALE", "1"))
NAMED = re.compile(r"^archlint: error: (?P<file>[^\n]+?)(:(?P<line>\d+)(:(?P<col>\d+))?)?: \S")


def budget(examples: int) -> Any:
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout with a feature at the root and one in a service folder; an org folder beside it."""
    base = tmp_path_factory.mktemp("fuzz-config")
    repo = base / "repo"
    (repo / "services" / "svc").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(VALID_FEATURE, repo / "ai-feature.yaml")
    shutil.copy(VALID_FEATURE, repo / "services" / "svc" / "ai-feature.yaml")
    (base / "org").mkdir()
    return base


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_contract(code: int, out: str, err: str, files: dict[Path, str]) -> None:
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code != 2:
        return
    assert err.startswith("archlint: error: ") and err.count("\n") == 1, err
    match = NAMED.match(err)
    if match is None:
        return  # an error about a flag
    named = Path(match.group("file"))
    if named in files and match.group("line") is not None:
        assert 1 <= int(match.group("line")) <= files[named].count("\n") + 1, err


# ---------------------------------------------------------------- strategies

KEYS = [
    "select", "ignore", "severity", "fail-on", "params", "policy-paths", "include", "exclude",
    "builtin-policies", "waivers", "extend", "lock", "baseline", "selectt", "tool", "archlint",
    "severity.RAG006", "params.max_top_k", "waivers.max-days", "waivers.approvers", '"quoted key"',
]  # fmt: skip
VALUES = [
    '"error"', '"warning"', '"info"', '"fatal"', '""', "true", "false", "0", "-1", "3", "90", "1e9",
    "36501", "1.5", "inf", "nan", "1979-05-27", "07:32:00", '["ALL"]', '["RAG006", "FT"]', "[]",
    '["RAG", 3]', '["../../x.toml"]', '["policies"]', '"../../pyproject.toml"', '"archlint.toml"',
    '"/etc/passwd"', "{}", '{ RAG006 = "info" }', "{ max_top_k = 99 }", "{ max-days = 9999 }",
    '{ approvers = ["me"] }', '{ approvers = [""] }', '"\\u0000"', "'''multi\nline'''",
]  # fmt: skip
HEADERS = [
    "[tool.archlint]", "[tool.archlint.severity]", "[tool.archlint.params]", "[severity]", "[params]",
    "[waivers]", "[tool]", "[[tool.archlint]]", "[tool.archlint.waivers]", "[ tool . archlint ]",
]  # fmt: skip
SEVERITY_KEYS = ["RAG006", "ALL", "FT", "GEN001", "nope", "context-pollution"]
PARAM_KEYS = ["max_top_k", "min_training_examples", "context_window_tokens", "unknown_param", "max-days"]


@st.composite
def toml_documents(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["header", "assign", "assign", "table-entry", "blank", "comment"]))
        if kind == "header":
            lines.append(draw(st.sampled_from(HEADERS)))
        elif kind == "assign":
            lines.append(f"{draw(st.sampled_from(KEYS))} = {draw(st.sampled_from(VALUES))}")
        elif kind == "table-entry":
            key = draw(st.sampled_from(SEVERITY_KEYS + PARAM_KEYS + ["approvers"]))
            lines.append(f"{key} = {draw(st.sampled_from(VALUES))}")
        elif kind == "blank":
            lines.append("\n" * draw(st.integers(0, 3000)))
        else:
            lines.append("# " + draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=20)))
    return "\n".join(lines) + "\n"


TOKENS = [
    "[", "]", "[[", "]]", "{", "}", "=", " = ", ",", ".", '"', "'", '"""', "'''", "\n", "\n\n\n", " ",
    "\t", "#", "\\", "tool", "archlint", "select", "ignore", "extend", "lock", "waivers", "max-days",
    "RAG006", "ALL", "1", "true", "\x00", "\x7f", "é", "\r\n", "\r",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@st.composite
def deep(draw: st.DrawFn) -> str:
    depth = draw(st.sampled_from([10, 300, 999, 2000, 6000]))
    opener = draw(st.sampled_from(["[", "{a = ", "[{a = "]))
    closer = {"[": "]", "{a = ": "}", "[{a = ": "}]"}[opener]
    inner = draw(st.sampled_from(["1", "", '"x"']))
    key = draw(st.sampled_from(["x", "select", "params.max_top_k"]))
    return f"{key} = {opener * depth}{inner}{closer * draw(st.sampled_from([depth, depth // 2, 0]))}\n"


config_texts = st.one_of(toml_documents(), token_soup, deep())


# ---------------------------------------------------------------- properties


def clean(layout: Path) -> Path:
    repo = layout / "repo"
    for path in (
        repo / "archlint.toml",
        repo / "pyproject.toml",
        repo / "services" / "svc" / "archlint.toml",
        layout / "org" / "org.toml",
    ):
        path.unlink(missing_ok=True)
    return repo


@budget(150)
@given(text=config_texts, name=st.sampled_from(["archlint.toml", "pyproject.toml"]), table=st.booleans())
def test_a_repository_config(layout: Path, text: str, name: str, table: bool) -> None:
    repo = clean(layout)
    body = "[tool.archlint]\n" + text if name == "pyproject.toml" and table else text
    config = repo / name
    config.write_text(body)
    with inside(repo):
        for argv in (["check", "--no-cache"], ["config"]):
            assert_contract(*cli(*argv), files={config: body})


@budget(100)
@given(root=config_texts, service=config_texts)
def test_a_nested_config_that_extends_the_root(layout: Path, root: str, service: str) -> None:
    repo = clean(layout)
    (repo / "archlint.toml").write_text(root)
    nested = 'extend = "../../archlint.toml"\n' + service
    (repo / "services" / "svc" / "archlint.toml").write_text(nested)
    files = {repo / "archlint.toml": root, repo / "services" / "svc" / "archlint.toml": nested}
    with inside(repo):
        assert_contract(*cli("check", "--no-cache", "-j", "1"), files=files)
        assert_contract(*cli("config", "services/svc/ai-feature.yaml"), files=files)


@budget(100)
@given(org=config_texts, repository=toml_documents(), lock=st.booleans())
def test_an_organisation_config(layout: Path, org: str, repository: str, lock: bool) -> None:
    repo = clean(layout)
    org_text = ("lock = true\n" if lock else "") + org
    org_path = layout / "org" / "org.toml"
    org_path.write_text(org_text)
    (repo / "archlint.toml").write_text(repository)
    files = {org_path: org_text, repo / "archlint.toml": repository}
    with inside(repo):
        assert_contract(*cli("check", "--no-cache", "--org-config", str(org_path)), files=files)
        assert_contract(*cli("config", "--org-config", str(org_path), "--format", "json"), files=files)
