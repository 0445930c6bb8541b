"""Configuration files: discovery, validation with located errors, merging with flags."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from archlint.cli import build_parser
from archlint.config import (
    check_against_catalog,
    find_config,
    load_for,
    locate,
    parse_param,
    read_config,
    resolve,
)
from archlint.errors import ConfigError
from archlint.finding import Severity
from archlint.policies import Catalog, load_catalog


def args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["check", *argv])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# ---------------------------------------------------------------- discovery


def test_found_by_walking_up(tmp_path: Path) -> None:
    config = write(tmp_path / "archlint.toml", 'fail-on = "warning"\n')
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == str(config)
    assert resolve(args(), deep).settings.fail_on is Severity.WARNING


def test_pyproject_without_archlint_table_is_passed_over(tmp_path: Path) -> None:
    config = write(tmp_path / ".archlint.toml", 'select = ["RAG"]\n')
    write(tmp_path / "svc" / "pyproject.toml", '[project]\nname = "svc"\n\n[tool.ruff]\nline-length = 99\n')
    assert find_config(tmp_path / "svc") == str(config)


def test_pyproject_with_archlint_table_is_used(tmp_path: Path) -> None:
    write(tmp_path / "archlint.toml", 'select = ["RAG"]\n')
    config = write(tmp_path / "svc" / "pyproject.toml", "[tool.archlint.severity]\nRAG006 = 'error'\n")
    assert find_config(tmp_path / "svc") == str(config)
    resolved = resolve(args(), tmp_path / "svc")
    assert resolved.settings.severity == {"RAG006": Severity.ERROR}
    assert resolved.settings.select == ()  # the nearest file wins; files are not merged


def test_pyproject_with_dotted_archlint_keys_is_used(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path / "svc" / "pyproject.toml", 'tool.archlint.select = ["RAG"]\ntool.archlint.ignores = []\n')
    assert find_config(tmp_path) is None
    with pytest.raises(ConfigError) as caught:
        resolve(args(), tmp_path / "svc")
    assert caught.value.line == 2 and "unknown key 'ignores'" in caught.value.message
    assert config.exists()


@pytest.mark.parametrize(
    "present",
    [
        (".archlint.toml", "archlint.toml", "pyproject.toml"),
        ("archlint.toml", "pyproject.toml"),
        (".archlint.toml", "pyproject.toml"),
        (".archlint.toml", "archlint.toml"),
    ],
)
def test_two_configs_in_one_folder_are_an_error(tmp_path: Path, present: tuple[str, ...]) -> None:
    # A .archlint.toml added beside pyproject.toml used to replace it silently.
    for name in present:
        body = "[tool.archlint]\n" if name == "pyproject.toml" else ""
        write(tmp_path / name, body + 'fail-on = "info"\n')
    with pytest.raises(ConfigError) as caught:
        find_config(tmp_path / "deeper")
    assert caught.value.file == str(tmp_path)
    assert f"more than one archlint config in this folder ({', '.join(present)})" in caught.value.message


def test_a_pyproject_without_archlint_beside_a_dedicated_file_is_fine(tmp_path: Path) -> None:
    config = write(tmp_path / "archlint.toml", 'fail-on = "info"\n')
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n# archlint is configured in archlint.toml\n')
    assert find_config(tmp_path) == str(config)


def test_no_config_anywhere(tmp_path: Path) -> None:
    resolved = resolve(args(), tmp_path)
    assert resolved.file is None
    assert resolved.settings.fail_on is Severity.ERROR


def test_config_flag_and_isolated(tmp_path: Path) -> None:
    write(tmp_path / "archlint.toml", 'fail-on = "warning"\n')
    other = write(tmp_path / "ci" / "strict.toml", 'fail-on = "info"\n')
    assert resolve(args("--config", str(other)), tmp_path).settings.fail_on is Severity.INFO
    assert resolve(args("--isolated"), tmp_path).settings.fail_on is Severity.ERROR
    with pytest.raises(ConfigError, match="config file does not exist"):
        resolve(args("--config", str(tmp_path / "missing.toml")), tmp_path)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ('fail-on = "error"\nselectt = ["FT"]\n', 2, "unknown key 'selectt' (did you mean 'select'?)"),
        ("colour = true\n", 1, "unknown key 'colour' (known keys: select, ignore"),
        ('select = "FT"\n', 1, "'select' must be a list of strings, got 'FT'"),
        ('ignore = ["FT", 3]\n', 1, "'ignore' must be a list of strings"),
        ('fail-on = "fatal"\n', 1, "'fail-on' must be one of 'error', 'warning', 'info'"),
        ('builtin-policies = "no"\n', 1, "'builtin-policies' must be true or false"),
        ("waivers = 0\n", 1, "'waivers' must be true, false or a table with max-days and approvers"),
        ('severity = "error"\n', 1, "'severity' must be a table"),
        (
            '\n[severity]\nFT001 = "error"\nRAG006 = "fatal"\n',
            4,
            "severity.RAG006 must be 'error', 'warning'",
        ),
        ("severity = { FT001 = 'fatal' }\n", 1, "severity.FT001 must be"),
        ("[params]\nmax_top_k = [1, 2]\n", 2, "params.max_top_k must be a number, a string or true/false"),
        ('policy-paths = ["nowhere/"]\n', 1, "policy-paths: 'nowhere/' does not exist"),
        ("[waivers]\nmax-days = -1\n", 2, "waivers.max-days must be a whole number of days from 0 to 36500"),
        ("[waivers]\nmax-days = 99999999\n", 2, "waivers.max-days must be a whole number of days"),
        ("[waivers]\nmax-days = true\n", 2, "waivers.max-days must be a whole number of days"),
        ('[waivers]\napprovers = "me"\n', 2, "waivers.approvers must be a list of names, got 'me'"),
        ('[waivers]\napprovers = [" "]\n', 2, "waivers.approvers must be a list of names"),
        ("[waivers]\nmaxdays = 3\n", 2, "unknown key 'waivers.maxdays' (known: max-days, approvers)"),
        ("baseline = false\n", 1, "'baseline' may be set only in the organisation config (--org-config)"),
        ('extend = ""\n', 1, "'extend' must be a path to another config file, got ''"),
    ],
)
def test_bad_values_are_located(tmp_path: Path, body: str, line: int, fragment: str) -> None:
    config = write(tmp_path / "archlint.toml", body)
    with pytest.raises(ConfigError) as caught:
        resolve(args(), tmp_path)
    assert caught.value.file == str(config)
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert caught.value.exit_code == 2


def test_invalid_toml_has_line_and_column(tmp_path: Path) -> None:
    config = write(tmp_path / "archlint.toml", 'select = ["FT"]\nfail-on = \n')
    with pytest.raises(ConfigError) as caught:
        read_config(config)
    assert caught.value.message.startswith("invalid TOML: ")
    assert (caught.value.line, caught.value.column) == (2, 11)
    assert str(caught.value).startswith(f"{config}:2:11: invalid TOML")


def test_pyproject_errors_point_into_the_archlint_table(tmp_path: Path) -> None:
    # [tool.ruff.lint] also has `select`; the error must name the archlint one's line.
    config = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.ruff.lint]\nselect = ["E"]\n\n[tool.archlint]\nselect = "RAG"\n',
    )
    with pytest.raises(ConfigError) as caught:
        read_config(config)
    assert caught.value.line == 8


def test_archlint_must_be_a_table(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", '[tool]\narchlint = "yes"\n\n[tool.archlint.x]\n')
    with pytest.raises(ConfigError):
        read_config(config)


@pytest.mark.parametrize(
    ("text", "key", "item", "line"),
    [
        ('a = 1\nselect = ["FT"]\n', "select", None, 2),
        ('select = [\n  "RAG",\n  "FT",\n]\nignore = ["FT"]\n', "select", "FT", 3),
        ('select = ["RAG"]\nignore = ["FT"]\n', "select", "FT", 1),  # not found: the key's line
        ("[severity]\nFT001 = 'info'\n'RAG006' = 'error'\n", "severity", "RAG006", 3),
        ("severity.FT001 = 'info'\nseverity.RAG006 = 'error'\n", "severity", "RAG006", 2),
        ("params = { max_top_k = 10, low_latency_ms = 300 }\n", "params", "low_latency_ms", 1),
        ("[params]\nmax_top_k = 10\n", "params", None, 1),
    ],
)
def test_locate(text: str, key: str, item: str | None, line: int) -> None:
    assert locate(text, False, key, item) == line


def test_locate_in_pyproject_follows_tables() -> None:
    text = (
        '[tool.ruff]\nselect = ["E"]\n'
        '[tool.archlint]\nselect = ["FT"]\n'
        "[tool.archlint.params]\nmax_top_k = 4\n"
    )
    assert locate(text, True, "select") == 4
    assert locate(text, True, "params", "max_top_k") == 6
    assert locate(text, True, "ignore") is None


# ---------------------------------------------------------------- merging with flags


def test_flags_override_the_file(tmp_path: Path) -> None:
    policy = write(tmp_path / "org" / "extra.yaml", "")
    write(
        tmp_path / "archlint.toml",
        'select = ["RAG"]\nignore = ["RAG010"]\nfail-on = "info"\npolicy-paths = ["org"]\n'
        "waivers = true\n[params]\nmax_top_k = 6\nlow_latency_ms = 300\n",
    )
    resolved = resolve(
        args(
            "--select",
            "FT,GEN",
            "--ignore",
            "FT011",
            "--fail-on",
            "error",
            "--param",
            "max_top_k=10",
            "--policies",
            str(policy),
            "--no-builtin-policies",
            "--no-waivers",
        ),
        tmp_path,
    )
    s = resolved.settings
    assert s.select == ("FT", "GEN")  # --select replaces
    assert s.ignore == ("RAG010", "FT011")  # --ignore adds
    assert s.fail_on is Severity.ERROR
    assert s.params == {"max_top_k": 10, "low_latency_ms": 300}
    assert s.policy_paths == (str(tmp_path / "org"), str(policy))  # config paths are relative to the file
    assert not s.builtin_policies and not s.waivers
    assert (
        resolved.layer("select")
        == resolved.layer("fail-on")
        == resolved.layer("params", "max_top_k")
        == "flag"
    )
    assert resolved.layer("ignore") == "repo + flag"
    assert resolved.layer("ignore", "FT011") == "flag"
    assert resolved.layer("ignore", "RAG010") == "repo + flag"
    assert resolved.where("ignore", "RAG010") == (str(tmp_path / "archlint.toml"), 2)
    assert resolved.where("params", "low_latency_ms") == (str(tmp_path / "archlint.toml"), 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("max_top_k=10", ("max_top_k", 10)),
        ("ratio = 0.5", ("ratio", 0.5)),
        ("strict=TRUE", ("strict", True)),
        ("name=pgvector", ("name", "pgvector")),
        ("empty=", ("empty", "")),
    ],
)
def test_parse_param(text: str, expected: tuple[str, object]) -> None:
    assert parse_param(text) == expected


@pytest.mark.parametrize("text", ["max_top_k", "=3"])
def test_parse_param_needs_a_name_and_equals(text: str) -> None:
    with pytest.raises(ConfigError, match="--param takes NAME=VALUE"):
        parse_param(text)


# ---------------------------------------------------------------- against the loaded rules


@pytest.mark.parametrize(
    "selectors",
    ['["FT"]', '["rag-without-acl-filtering"]', '["RAG00"]', '["all"]', '["ft004", "GEN"]'],
)
def test_ids_names_and_prefixes_are_known(tmp_path: Path, catalog: Catalog, selectors: str) -> None:
    write(tmp_path / "archlint.toml", f"select = {selectors}\nignore = {selectors}\n")
    check_against_catalog(resolve(args(), tmp_path), catalog)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('select = [\n  "RAG",\n  "RAGG001",\n]\n', 3, "select: unknown rule 'RAGG001' (did you mean RAG001"),
        ('ignore = ["acl-filtering"]\n', 1, "ignore: unknown rule 'acl-filtering'"),
        ("[severity]\nFT001 = 'info'\nXYZ123 = 'error'\n", 3, "severity: unknown rule 'XYZ123'"),
        ("[params]\nmax_top_k = 8\nmax_topk = 9\n", 3, "params: unknown param 'max_topk' (known: "),
        ("[params]\nmax_top_k = 8.5\n", 2, "params: max_top_k must be int like its default 8, got 8.5"),
        ("[params]\nmax_top_k = true\n", 2, "params: max_top_k must be int like its default 8, got True"),
    ],
)
def test_unknown_rules_and_params_in_the_file_are_located(
    tmp_path: Path,
    catalog: Catalog,
    body: str,
    line: int,
    message: str,
) -> None:
    config = write(tmp_path / "archlint.toml", body)
    with pytest.raises(ConfigError) as caught:
        check_against_catalog(resolve(args(), tmp_path), catalog)
    assert (caught.value.file, caught.value.line) == (str(config), line)
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "FT,NOPE"], "--select: unknown rule 'NOPE'"),
        (["--ignore", "RAG999"], "--ignore: unknown rule 'RAG999'"),
        (["--param", "max_top_k=lots"], "--param: max_top_k must be int like its default 8, got 'lots'"),
        (["--param", "nope=1"], "--param: unknown param 'nope'"),
    ],
)
def test_unknown_rules_and_params_on_the_command_line(
    tmp_path: Path,
    catalog: Catalog,
    argv: list[str],
    message: str,
) -> None:
    write(tmp_path / "archlint.toml", 'ignore = ["RAG010"]\n')
    with pytest.raises(ConfigError) as caught:
        check_against_catalog(resolve(args(*argv), tmp_path), catalog)
    assert caught.value.file == ""
    assert str(caught.value).startswith(message)


def test_float_param_accepts_an_int(tmp_path: Path) -> None:
    policy = write(
        tmp_path / "p.yaml",
        """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
params:
  min_ratio: {default: 0.5, description: a ratio}
rules:
  - id: ORG001
    name: org-rule
    severity: info
    summary: s
    condition: "params.min_ratio > 1.0"
    path: spec.approach
    message: m
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
""",
    )
    write(tmp_path / "archlint.toml", f"policy-paths = ['{policy.name}']\n[params]\nmin_ratio = 2\n")
    resolved, _ = load_for(args(), tmp_path)
    assert resolved.settings.params == {"min_ratio": 2}
