"""Fuzzing the whole CLI with hypothesis, on a fixed budget so CI is deterministic.

Inputs: arbitrary bytes, generated YAML documents, YAML token soup, and a mutation
corpus built from examples/, tests/hostile/valid-feature.yaml and the policy files
(lines deleted, duplicated, swapped, re-indented, retyped, truncated). Every input
goes through `archlint.cli.main` as a file on disk. The properties are the contract
of issue 6: the exit code is 0, 1 or 2; stderr never holds a traceback or an
internal error; every finding is located at file:line:col inside the file; a
policy or config error names its file.

`derandomize=True` makes every run try the same inputs. For a longer local run,
scale the budget: `ARCHLINT_FUZZ_SCALE=20 pytest tests/test_fuzz.py` (and see
fuzz/README.md for the coverage-guided atheris harness).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
VALID_FEATURE = ROOT / "tests" / "hostile" / "valid-feature.yaml"
SCALE = int(os.environ.get("ARCHLINT_FUZZ_SCALE", "1"))

LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (error|warning|info|waived) [A-Z]+\d{3} \S")
SUMMARY = re.compile(r"^\d+ files? checked: ")
# A policy or config error names its file, and a line (and column) when the problem has one.
# The only file-level policy errors are about the number of documents in the file.
NAMED = re.compile(r"^archlint: error: (?P<file>[^\n]+?)(:(?P<line>\d+)(:(?P<col>\d+))?)?: \S")
FILE_LEVEL = ("a policy file holds exactly one document",)


def budget(examples: int) -> Any:
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_contract(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.startswith("archlint: error: "), err


def line_count(raw: bytes) -> int:
    """Lines as YAML counts them (CR, LF, CRLF, NEL, LS, PS end a line)."""
    from archlint.loader import YamlError, decode

    try:
        text = decode(raw)
    except YamlError:
        text = raw.decode("latin-1")
    return len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text)) + 1


def assert_located(out: str, path: Path, raw: bytes) -> None:
    """Every finding of the text report points inside the file."""
    lines = line_count(raw)
    for line in out.splitlines():
        if SUMMARY.match(line) or line.startswith("Run `archlint"):
            continue
        match = LOCATED.match(line)
        assert match, f"finding not located at file:line:col: {line!r}"
        assert match.group("file") == str(path)
        assert 1 <= int(match.group("line")) <= lines and int(match.group("col")) >= 1, line


def check_feature(workdir: Path, raw: bytes, fmt: str = "text") -> tuple[int, str, str]:
    path = workdir / "fuzz.ai-feature.yaml"
    path.write_bytes(raw)
    cache = str(workdir / "cache")
    code, out, err = cli("check", "--isolated", "--cache-dir", cache, "--format", fmt, str(path))
    assert_contract(code, out, err)
    assert code != 2 or "cannot read" in err, err  # a readable file always gets a report
    # Shown by --hypothesis-show-statistics: how many inputs got past the schema to the rules.
    past_schema = code == 0 or re.search(r" (?!SCH)[A-Z]+\d{3} ", out) is not None
    event("checked by the policy rules" if past_schema else "stopped at YAML or schema")
    # The built-in rules guard every field they read: none fails to evaluate on any input.
    assert fmt != "text" or " POL001 " not in out, out
    if fmt == "text":
        assert_located(out, path, raw)
    elif fmt in ("json", "sarif", "gitlab"):
        json.loads(out)
    return code, out, err


# ---------------------------------------------------------------------------
# Strategies

VALID = VALID_FEATURE.read_bytes()
FIELD_NAMES = [
    "apiVersion", "kind", "metadata", "name", "owner", "spec", "problem", "approach", "task",
    "knowledge", "requirements", "rag", "fine_tuning", "waivers", "rule", "expires", "top_k",
    "corpus_tokens", "change_frequency", "citations", "pii", "evaluation", "dataset", "metrics",
]  # fmt: skip
SCALARS = [
    "", "~", "null", "true", "false", "yes", "no", "On", "0", "-1", "0x1F", "0o17", "1_000",
    "1e999", ".inf", "-.inf", ".nan", "9" * 30, "2027-03-31", "2027-02-30", "12:30:00",
    "'quoted'", '"double"', '"\\u0000"', '"\\x07"', "|\n  block", ">-\n  folded", "[]", "{}",
    "[a, b]", "{a: 1}", "&anchor x", "*anchor", "!!str 1", "!!int x", "!local x",
    "!!python/object/apply:os.system ['true']", "<<: {a: 1}", "? complex", "knowledge",
    "fine-tuning", "rag", "hybrid", "weekly", "FT001", "@", "`", "%", "#comment",
]  # fmt: skip
TOKENS = [
    "\n", "  ", " ", "\t", "- ", ": ", ":", "? ", ",", "[", "]", "{", "}", "'", '"', "#", "|", ">",
    "&a ", "*a", "&b ", "*b", "!", "!!", "!!str ", "!!map ", "!!seq ", "!tag ", "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n", "---\n", "...\n", "<<", "\\", "\r\n", "\ufeff", "\x85", "\u2028",
    "\x00", "\x07", "é", "😀", *FIELD_NAMES, *SCALARS[:30],
]  # fmt: skip

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(SCALARS),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def _dump(data: Any, flow: bool | None, explicit_start: bool, width: int) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.explicit_start = explicit_start
    yaml.width = width
    yaml.allow_unicode = True
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def _seed_files(*globs: str) -> list[bytes]:
    return [path.read_bytes() for pattern in globs for path in sorted(ROOT.glob(pattern))]


def _feature_data() -> dict[str, Any]:
    from archlint.loader import load_all

    data: dict[str, Any] = load_all(VALID.decode())[0].data
    return data


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _example_values() -> dict[tuple[Any, ...], list[Any]]:
    """Every value found at each path of the example features: swapping them between
    features keeps most documents schema-valid, so the policy rules see them."""
    from archlint.loader import YamlError, load_all

    pool: dict[tuple[Any, ...], list[Any]] = {}
    for raw in [VALID, *_seed_files("examples/**/*.ai-feature.yaml")]:
        try:
            documents = load_all(raw.decode("utf-8"))
        except (YamlError, UnicodeDecodeError):
            continue
        for document in documents:
            for path in _paths(document.data):
                if path:
                    pool.setdefault(path, []).append(document.get(path))
    return pool


FEATURE_PATHS = [path for path in _paths(_feature_data()) if path]
EXAMPLE_VALUES = _example_values()
EXAMPLE_PATHS = sorted(EXAMPLE_VALUES, key=lambda path: [str(part) for part in path])


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> None:
    """Set the value at `path`, unless an earlier replacement changed what lies on it."""
    for part in path[:-1]:
        inside_dict = isinstance(data, dict) and part in data
        if not inside_dict and not (isinstance(data, list) and isinstance(part, int) and part < len(data)):
            return
        data = data[part]
    last = path[-1]
    if isinstance(data, dict) or (isinstance(data, list) and isinstance(last, int) and last < len(data)):
        data[last] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    for part in path[:-1]:
        if not (isinstance(data, dict) and part in data):
            return
        data = data[part]
    if isinstance(data, dict):
        data.pop(path[-1], None)


@st.composite
def feature_documents(draw: st.DrawFn) -> bytes:
    """The valid feature with a few values replaced by generated ones, dumped in a random style:
    most stay close enough to the schema to reach the policy engine and the waivers."""
    data = _feature_data()
    for path in draw(st.lists(st.sampled_from(EXAMPLE_PATHS), max_size=6)):
        _replace(data, path, draw(st.sampled_from(EXAMPLE_VALUES[path])))
    for path in draw(st.lists(st.sampled_from(FEATURE_PATHS), max_size=2)):
        _replace(data, path, draw(json_like))
    for path in draw(st.lists(st.sampled_from(FEATURE_PATHS), max_size=2)):
        _delete(data, path)
    if isinstance(data.get("spec"), dict) and draw(st.booleans()):
        data["spec"]["waivers"] = [
            {
                "rule": draw(st.sampled_from(["GEN001", "FT001", "ZZZ999", "bad"])),
                "reason": "fuzzed",
                "approved_by": "fuzz",
                "expires": draw(st.sampled_from(["2020-01-01", "2099-12-31", "2027-02-30", "soon"])),
            }
        ]
    text = _dump(
        data if draw(st.integers(0, 3)) else draw(json_like),
        draw(st.sampled_from([None, True, False])),
        draw(st.booleans()),
        draw(st.sampled_from([20, 80, 4096])),
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32"]))
    return text.encode(encoding, "surrogatepass")


token_soup = st.lists(st.sampled_from(TOKENS), max_size=80).map(lambda parts: "".join(parts).encode("utf-8"))


# --- mutations ----------------------------------------------------------------


FEATURE_SEEDS = [VALID, *_seed_files("examples/**/*.ai-feature.yaml")]
POLICY_SEEDS = _seed_files("policies/*.yaml", "examples/policies/*.yaml")
CONFIG_SEEDS = [
    b'select = ["FT", "RAG"]\nignore = ["RAG004"]\nfail-on = "warning"\n',
    b'[severity]\nRAG004 = "warning"\n\n[params]\nmin_training_examples = 100\n',
    b'policy-paths = ["../../examples/policies"]\nexclude = ["vendor/*"]\nwaivers = false\n',
]
RETYPES = [*SCALARS, "[", "]", "{", "}", "'", '"', "&x", "*x", "\t", "spec.problem ==", "1 / 0", "size(", ")"]


@st.composite
def mutations(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed file with one to five lines deleted, duplicated, swapped, re-indented,
    retyped or truncated: near-misses of real files."""
    lines = draw(st.sampled_from(seeds)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(["delete", "duplicate", "swap", "indent", "retype", "truncate", "insert"])
        )
        line = lines[at]
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], line
        elif kind == "indent":
            prefix = draw(st.sampled_from([b" ", b"  ", b"\t", b""]))
            lines[at] = prefix + (line.lstrip(b" ") if draw(st.booleans()) else line)
        elif kind == "retype":
            key, colon, _ = line.partition(b": ")
            value = draw(st.sampled_from(RETYPES)).encode()
            lines[at] = key + b": " + value + b"\n" if colon else value + b"\n"
        elif kind == "truncate":
            cut = draw(st.integers(0, len(line)))
            lines = [*lines[:at], line[:cut]]
        else:
            lines.insert(at, draw(token_soup) + b"\n")
    return b"".join(lines)


# ---------------------------------------------------------------------------
# Properties


@budget(300)
@given(
    raw=st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda tail: VALID[: len(VALID) // 2] + tail),
        st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe\x00\x00"]).flatmap(
            lambda bom: st.binary(max_size=512).map(lambda tail: bom + tail)
        ),
    )
)
def test_arbitrary_bytes(workdir: Path, raw: bytes) -> None:
    check_feature(workdir, raw)


@budget(300)
@given(raw=feature_documents(), fmt=st.sampled_from(["text", "text", "json", "sarif", "github", "junit"]))
def test_generated_yaml_documents(workdir: Path, raw: bytes, fmt: str) -> None:
    check_feature(workdir, raw, fmt)


@budget(300)
@given(raw=token_soup)
def test_yaml_token_soup(workdir: Path, raw: bytes) -> None:
    check_feature(workdir, raw)


@budget(400)
@given(raw=mutations(FEATURE_SEEDS))
def test_mutated_feature_files(workdir: Path, raw: bytes) -> None:
    check_feature(workdir, raw)


def assert_named(err: str, path: Path, raw: bytes) -> None:
    """A policy or config error names the file, with a line inside it when it has one."""
    match = NAMED.match(err)
    assert match, err
    if match.group("file") != str(path):
        return  # an error about another file (the feature, a missing policy path)
    if match.group("line") is None:
        assert any(text in err for text in FILE_LEVEL) or "config" in err or "TOML" in err, err
    else:
        assert 1 <= int(match.group("line")) <= line_count(raw), err


@budget(120)
@given(raw=mutations(POLICY_SEEDS))
def test_mutated_policy_files(workdir: Path, raw: bytes) -> None:
    policy = workdir / "fuzz-policy.yaml"
    policy.write_bytes(raw)
    code, out, err = cli(
        "check",
        "--isolated",
        "--no-cache",
        "--no-builtin-policies",
        "--policies",
        str(policy),
        str(VALID_FEATURE),
    )
    assert_contract(code, out, err)
    if code == 2:
        assert out == ""
        assert_named(err, policy, raw)
    else:
        assert_located(out, VALID_FEATURE, VALID)
    # The policy's own pass/fail cases run through `archlint test`.
    code, out, err = cli("test", "--isolated", str(policy))
    assert_contract(code, out, err)


@budget(100)
@given(raw=mutations(CONFIG_SEEDS))
def test_mutated_config_files(workdir: Path, raw: bytes) -> None:
    folder = workdir / "config" / "here"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "archlint.toml"
    config.write_bytes(raw)
    cache = str(workdir / "cache")
    code, out, err = cli("check", "--cache-dir", cache, "--config", str(config), str(VALID_FEATURE))
    assert_contract(code, out, err)
    if code == 2:
        assert out == ""
        assert_named(err, config, raw)
