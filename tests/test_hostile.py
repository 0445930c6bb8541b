"""Hostile and broken input: a located error every time, never a traceback, never a hang.

The committed corpus is tests/hostile/ with tests/hostile/expectations.yaml (one exact
output line and exit code per file). Inputs that cannot be committed (huge files,
FIFOs, symlinks, unreadable folders, thousands of files, a file deleted mid-run)
are made here in temporary folders. Every case runs through the real CLI:
`archlint.cli.main` in this process, or `python -m archlint` in a subprocess where
a hang, a crash of the process or a permission boundary is what is tested.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archlint.cli import main
from archlint.loader import MAX_FILE_BYTES, MAX_NODES, load_all, read_file

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
FEATURE = "tests/hostile/valid-feature.yaml"
VALID = (HOSTILE / "valid-feature.yaml").read_text(encoding="utf-8")
# Every finding line of the text reporter: file:line:col: severity RULE message
LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (error|warning|info) [A-Z]+\d{3} \S")
SUMMARY = re.compile(r"^(\d+) files? checked: \d+ errors?, \d+ warnings?, \d+ info")
# A subprocess that hangs fails the test instead of the suite.
TIMEOUT = 120


def _cases() -> list[dict[str, Any]]:
    document = load_all(read_file(str(HOSTILE / "expectations.yaml")))[0]
    cases: list[dict[str, Any]] = document.data["cases"]
    return cases


CASES = _cases()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_process(
    *argv: str, cwd: Path | str = ROOT, prefix: tuple[str, ...] = (), **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "archlint", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=TIMEOUT,
        check=False,
        **kwargs,
    )


def assert_contract(code: int, out: str, err: str) -> None:
    """What holds for every run, whatever the input."""
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err and all(line.startswith("archlint: error: ") for line in err.splitlines()), err
    else:
        assert err == "", err
    lines = out.splitlines()
    findings = [line for line in lines if not SUMMARY.match(line) and not line.startswith("Run `archlint")]
    for line in findings:
        assert LOCATED.match(line), f"finding not located at file:line:col: {line!r}"


def tree_state(root: Path) -> dict[str, tuple[str, int, int]]:
    """Content hash, mode and modification time of every file and link under `root`."""
    state: dict[str, tuple[str, int, int]] = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = "link:" + os.readlink(path)
            else:
                digest = "special"
            state[os.path.relpath(path, root)] = (digest, info.st_mode, info.st_mtime_ns)
    return state


def assert_unchanged(before: dict[str, tuple[str, int, int]], after: dict[str, tuple[str, int, int]]) -> None:
    """No file was changed or removed; the only new files are archlint's cache."""
    changed = {path for path in before if after.get(path) != before[path]}
    assert not changed, f"archlint changed the user's files: {sorted(changed)}"
    added = {path for path in after if path not in before}
    assert all(path.split(os.sep)[0] == ".archlint_cache" for path in added), sorted(added)


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


# ---------------------------------------------------------------------------
# The committed corpus


def test_corpus_is_complete() -> None:
    listed = {case["file"] for case in CASES}
    present = {
        path.relative_to(HOSTILE).as_posix()
        for path in HOSTILE.rglob("*")
        if path.is_file() and path.name not in ("expectations.yaml", "README.md")
    }
    assert listed == present
    assert len(present) >= 40
    assert all({"file", "covers", "exit", "expect"} <= set(case) for case in CASES)


def _argv(case: dict[str, Any]) -> list[str]:
    path = f"tests/hostile/{case['file']}"
    kind = case["file"].split("/")[0]
    if kind == "policy":
        builtin = [] if case.get("builtin") else ["--no-builtin-policies"]
        return ["--isolated", *builtin, "--policies", path, FEATURE]
    if kind == "config":
        return ["--config", path, FEATURE]
    return ["--isolated", path]


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_corpus_case(case: dict[str, Any], in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = HOSTILE / case["file"]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run(capsys, *_argv(case))
    assert_contract(code, out, err)
    assert code == case["exit"], out + err
    expected = case["expect"].replace("{file}", f"tests/hostile/{case['file']}").replace("{feature}", FEATURE)
    assert expected in (err if code == 2 else out).splitlines(), out + err
    if code == 2:
        assert out == "", "a run that cannot be trusted prints no partial report"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_python_tag_is_never_executed(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = Path("/tmp/archlint-pwned")  # the command inside the corpus file
    marker.unlink(missing_ok=True)
    code, out, _ = run(capsys, "--isolated", "tests/hostile/yaml/tag-python-object-apply.yaml")
    assert code == 1 and "SCH002" in out
    assert not marker.exists()


def test_every_feature_case_in_one_run_is_reported(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One run over every feature case: each file is in the report, none skipped."""
    cases = [case for case in CASES if case["file"].split("/")[0] in ("yaml", "schema")]
    paths = [f"tests/hostile/{case['file']}" for case in cases]
    code, out, err = run(capsys, "--isolated", "--format", "json", *paths)
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["summary"]["files"] == len(paths)
    failing = {path for path, case in zip(paths, cases, strict=True) if case["exit"] == 1}
    assert failing == {finding["file"] for finding in report["findings"]}
    assert all(finding["line"] >= 1 and finding["column"] >= 1 for finding in report["findings"])


def test_corpus_tree_checked_by_the_real_process_is_left_untouched(tmp_path: Path) -> None:
    """The feature cases as a user's tree: folder walk, worker processes, the cache (and a
    corrupted cache), odd folder names. Output is the same every time; no file changes."""
    tree = tmp_path / "repo"
    sources = sorted(p for p in HOSTILE.rglob("*.yaml") if p.parent.name in ("yaml", "schema"))
    folders = ["", "my features", "ünïcødé/deep er", "team/a"]
    copies = 0
    for round_ in range(2):  # over 50 files, so the run uses worker processes
        for index, source in enumerate(sources):
            folder = tree / folders[(index + round_) % len(folders)]
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / f"{round_}-{source.stem}.ai-feature.yaml")
            copies += 1
    before = tree_state(tree)
    first = run_process("check", "--isolated", "--jobs", "4", ".", cwd=tree)
    assert_contract(first.returncode, first.stdout, first.stderr)
    assert first.returncode == 1
    assert first.stdout.splitlines()[-2].startswith(f"{copies} files checked: ")
    matches = [LOCATED.match(line) for line in first.stdout.splitlines()]
    located = {match.group("file") for match in matches if match}
    assert any(" " in name and "ünïcødé" in name for name in located)
    # A cache planted or corrupted by anyone: archlint distrusts it, output is unchanged.
    for directory, _, names in os.walk(tree / ".archlint_cache"):
        for name in names:
            Path(directory, name).write_bytes(b"\x80\x04garbage" + os.urandom(64))
    for _ in range(2):
        again = run_process("check", "--isolated", "--jobs", "4", ".", cwd=tree)
        assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, "")
    assert_unchanged(before, tree_state(tree))


# ---------------------------------------------------------------------------
# Sizes, made at test time


def feature(tmp_path: Path, content: bytes | str, name: str = "ai-feature.yaml") -> str:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


SIZE_LIMIT = (
    f"1:1: error SCH002 invalid YAML: file is larger than the {MAX_FILE_BYTES // 1024} KiB limit "
    "for feature files; a feature description is a few kilobytes"
)


def test_file_of_50_mb_is_refused_by_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ai-feature.yaml"
    with open(path, "wb") as handle:
        handle.write(VALID.encode())
        chunk = b"# padding " + b"x" * 1013 + b"\n"
        for _ in range(50 * 1024):
            handle.write(chunk)
    code, out, err = run(capsys, "--isolated", str(path))
    assert_contract(code, out, err)
    assert code == 1
    assert f"{path}:{SIZE_LIMIT}" in out.splitlines()


def test_huge_sparse_file_is_not_read_whole(tmp_path: Path) -> None:
    """64 GiB (sparse: no disk used) under a 1 GiB address-space limit: reading it all
    would fail with MemoryError, so the refusal proves only the first MiB is read."""
    resource = pytest.importorskip("resource")
    path = tmp_path / "ai-feature.yaml"
    with open(path, "wb") as handle:
        handle.write(VALID.encode())
        try:
            handle.truncate(64 * 1024**3)
        except OSError as exc:
            pytest.skip(f"this file system has no sparse 64 GiB files: {exc}")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    done = run_process("check", "--isolated", "--no-cache", str(path), preexec_fn=limit_memory)
    assert_contract(done.returncode, done.stdout, done.stderr)
    assert done.returncode == 1
    assert f"{path}:{SIZE_LIMIT}" in done.stdout.splitlines()


def test_single_line_of_10_mb_is_refused_by_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = feature(tmp_path, b"description: " + b"y" * (10 * 1024 * 1024) + b"\n")
    code, out, err = run(capsys, "--isolated", path)
    assert_contract(code, out, err)
    assert code == 1 and f"{path}:{SIZE_LIMIT}" in out.splitlines()


def test_line_of_500_kb_under_the_limit_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_description = "  description: " + "word " * 100_000 + "\n"
    text = re.sub(r"  description: .*\n", long_description, VALID, count=1)
    assert 500_000 < len(text) < MAX_FILE_BYTES
    code, out, err = run(capsys, "--isolated", feature(tmp_path, text))
    assert_contract(code, out, err)
    assert (code, out.strip()) == (0, "1 file checked: 0 errors, 0 warnings, 0 info")


def test_file_exactly_at_the_limit_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    padding = MAX_FILE_BYTES - len(VALID.encode()) - 2
    path = feature(tmp_path, VALID + "#" + "p" * padding + "\n")
    assert os.path.getsize(path) == MAX_FILE_BYTES
    code, out, err = run(capsys, "--isolated", path)
    assert (code, out.strip(), err) == (0, "1 file checked: 0 errors, 0 warnings, 0 info", "")


def test_too_many_nodes_are_refused_at_the_node_that_passes_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A one-line list of tiny items: a few hundred KB, but a million objects to compose.
    items = ", ".join(["1"] * 100_000)
    path = feature(tmp_path, f"spec:\n  metrics: [{items}]\n")
    code, out, err = run(capsys, "--isolated", path)
    assert_contract(code, out, err)
    # Nodes 1-5 are the root mapping, spec, its mapping, metrics and the list; item k
    # (from 0) starts at column 13 + 3k.
    column = 13 + 3 * (MAX_NODES + 1 - 6)
    message = f"the file holds more than {MAX_NODES:,} YAML nodes, the limit for one file"
    assert f"{path}:2:{column}: error SCH002 invalid YAML: {message}" in out.splitlines()


def test_many_tiny_documents_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = feature(tmp_path, "--- 1\n" * 150_000)
    code, out, err = run(capsys, "--isolated", path)
    assert_contract(code, out, err)
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"{path}:{MAX_NODES + 1}:5: error SCH002 invalid YAML: the file holds"
    )


# ---------------------------------------------------------------------------
# Paths


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "nope" / "ai-feature.yaml")
    code, out, err = run(capsys, "--isolated", path)
    assert_contract(code, out, err)
    assert (code, out, err) == (2, "", f"archlint: error: {path}: no such file or directory\n")


def test_symlink_loop_named_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.ai-feature.yaml").symlink_to("b.ai-feature.yaml")
    (tmp_path / "b.ai-feature.yaml").symlink_to("a.ai-feature.yaml")
    path = str(tmp_path / "a.ai-feature.yaml")
    code, out, err = run(capsys, "--isolated", path)
    assert (code, out, err) == (2, "", f"archlint: error: {path}: symbolic link loop\n")


def test_broken_symlink_named_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ai-feature.yaml").symlink_to("gone.yaml")
    path = str(tmp_path / "ai-feature.yaml")
    code, out, err = run(capsys, "--isolated", path)
    assert (code, out, err) == (2, "", f"archlint: error: {path}: broken symbolic link\n")


def _bad_links_and_a_good_file(root: Path) -> None:
    (root / "good.ai-feature.yaml").write_text(VALID)
    (root / "loop.ai-feature.yaml").symlink_to("loop.ai-feature.yaml")
    (root / "broken.ai-feature.yaml").symlink_to("gone.yaml")


def test_bad_symlinks_found_in_a_folder_are_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _bad_links_and_a_good_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--isolated", ".")
    assert_contract(code, out, err)
    assert code == 2
    assert out.strip() == "1 file checked: 0 errors, 0 warnings, 0 info"
    assert err.splitlines() == [
        "archlint: error: broken.ai-feature.yaml: cannot read: No such file or directory",
        "archlint: error: loop.ai-feature.yaml: cannot read: Too many levels of symbolic links",
    ]


def test_bad_symlinks_tracked_by_git_are_reported_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _bad_links_and_a_good_file(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--isolated", ".")
    assert code == 2
    assert out.strip() == "1 file checked: 0 errors, 0 warnings, 0 info"
    assert [line.split(": cannot read")[0] for line in err.splitlines()] == [
        "archlint: error: broken.ai-feature.yaml",
        "archlint: error: loop.ai-feature.yaml",
    ]


def test_fifo_named_on_the_command_line_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "ai-feature.yaml"
    os.mkfifo(fifo)
    done = run_process("check", "--isolated", "--no-cache", str(fifo))  # a hang times out
    assert_contract(done.returncode, done.stdout, done.stderr)
    assert done.returncode == 2
    assert done.stderr == f"archlint: error: {fifo}: cannot read: not a regular file\n"
    assert done.stdout.strip() == "0 files checked: 0 errors, 0 warnings, 0 info"


def test_fifo_found_in_a_folder_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.ai-feature.yaml")
    (tmp_path / "ai-feature.yaml").write_text(VALID)
    done = run_process("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "archlint: error: pipe.ai-feature.yaml: cannot read: not a regular file\n"
    assert done.stdout.strip() == "1 file checked: 0 errors, 0 warnings, 0 info"


def test_device_named_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--isolated", os.devnull)
    assert code == 2
    assert err == f"archlint: error: {os.devnull}: cannot read: not a regular file\n"


def test_path_with_spaces_and_non_ascii(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "my features" / "ünïcødé café"
    folder.mkdir(parents=True)
    path = feature(folder, VALID.replace("approach: prompting", "approach: promting"), "ai feature ✓.yaml")
    code, out, err = run(capsys, "--isolated", path)
    assert_contract(code, out, err)
    assert code == 1
    assert out.splitlines()[0].startswith(
        f"{path}:11:3: error SCH001 spec.approach: 'promting' is not one of"
    )
    code, out, _ = run(capsys, "--isolated", "--format", "json", path)
    assert json.loads(out)["findings"][0]["file"] == path


def test_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = os.fsdecode(b"caf\xe9.ai-feature.yaml")  # Latin-1 bytes: a surrogate escape in Python
    try:
        (tmp_path / name).write_text("spec: [\n")
    except (OSError, UnicodeEncodeError) as exc:
        pytest.skip(f"this file system refuses non-UTF-8 names: {exc}")
    shown = str(tmp_path / "caf\\xe9.ai-feature.yaml")  # the byte that is not UTF-8, escaped
    code, out, err = run(capsys, "--isolated", str(tmp_path))
    assert_contract(code, out, err)
    assert out.startswith(f"{shown}:2:1: error SCH002 ")
    code, out, err = run(capsys, "--isolated", "--format", "json", str(tmp_path))
    assert (code, err) == (1, "")
    assert json.loads(out)["findings"][0]["file"] == shown


def test_thousands_of_files(tmp_path: Path) -> None:
    count = 2000
    for index in range(count):
        folder = tmp_path / f"team-{index % 40}"
        folder.mkdir(exist_ok=True)
        text = VALID.replace("release-notes-styler", f"styler-{index}")
        if index == 1234:
            text = text.replace("pii: false", "pii: no")
        (folder / f"f{index}.ai-feature.yaml").write_text(text)
    done = run_process("check", "--isolated", "--no-cache", ".", cwd=tmp_path)
    assert_contract(done.returncode, done.stdout, done.stderr)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("team-34/f1234.ai-feature.yaml:32:5: error SCH001 spec.governance.pii:")
    assert lines[1] == f"{count} files checked: 1 error, 0 warnings, 0 info"


def test_file_deleted_while_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from archlint.commands import check as check_command

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.ai-feature.yaml").write_text(VALID)
    discover = check_command.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> Iterator[str]:
        for path in discover(*args, **kwargs):
            if path.startswith("b."):
                os.unlink(path)  # found, then gone before it is read
            yield path

    monkeypatch.setattr(check_command, "discover", discover_then_delete)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--isolated", ".")
    assert_contract(code, out, err)
    assert code == 2
    assert out.strip() == "2 files checked: 0 errors, 0 warnings, 0 info"
    assert err == "archlint: error: b.ai-feature.yaml: cannot read: No such file or directory\n"


def test_report_to_a_missing_folder_creates_it(
    in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "such" / "report.json"
    code, out, _ = run(capsys, "--isolated", "--format", "json", "--output", str(target), FEATURE)
    assert (code, out) == (0, "")
    assert json.loads(target.read_text())["findings"] == []


def test_report_under_a_file_is_a_usage_error(
    in_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    target = str(tmp_path / "plain" / "report.json")
    code, out, err = run(capsys, "--isolated", "--format", "json", "--output", target, FEATURE)
    assert (code, out) == (2, "")
    assert err == f"archlint: error: {target}: cannot write the report: Not a directory\n"


def test_internal_error_shows_a_traceback_only_with_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from archlint.commands import check as check_command

    def explode(args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_command, "run", explode)
    assert main(["check", "x"]) == 2
    err = capsys.readouterr().err
    assert err == "archlint: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    assert main(["--debug", "check", "x"]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Permissions. Tests run as root in CI, and root reads everything; a process
# whose capability bounding set lacks CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
# obeys file modes even as uid 0 (setpriv, from util-linux).


def _without_root_powers() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root ignores file permissions")
    return (setpriv, "--bounding-set=-dac_override,-dac_read_search", "--")


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a good feature and a folder nobody may read."""
    (tmp_path / "ai-feature.yaml").write_text(VALID)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "ai-feature.yaml").write_text(VALID)
    secret.chmod(0)
    prefix = _without_root_powers()
    probe = subprocess.run([*prefix, "ls", str(secret)], capture_output=True, check=False)
    if probe.returncode == 0:
        secret.chmod(0o755)
        pytest.skip("this machine cannot take away the permission to read a folder")
    yield tmp_path
    secret.chmod(0o755)


def test_unreadable_folder_in_a_walk(locked: Path) -> None:
    done = run_process("check", "--isolated", "--no-cache", ".", cwd=locked, prefix=_without_root_powers())
    assert_contract(done.returncode, done.stdout, done.stderr)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "archlint: error: ./secret: cannot read directory: Permission denied\n"


def test_file_in_an_unreadable_folder(locked: Path) -> None:
    done = run_process(
        "check",
        "--isolated",
        "--no-cache",
        "secret/ai-feature.yaml",
        cwd=locked,
        prefix=_without_root_powers(),
    )
    assert done.returncode == 2
    assert done.stderr == "archlint: error: secret/ai-feature.yaml: cannot read: Permission denied\n"


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "ai-feature.yaml"
    path.write_text(VALID)
    path.chmod(0)
    prefix = _without_root_powers()
    done = run_process("check", "--isolated", "--no-cache", str(path), prefix=prefix)
    if done.returncode == 0:
        pytest.skip("this machine cannot take away the permission to read a file")
    assert done.returncode == 2
    assert done.stderr == f"archlint: error: {path}: cannot read: Permission denied\n"
    assert done.stdout.strip() == "0 files checked: 0 errors, 0 warnings, 0 info"


def test_unreadable_config_file(tmp_path: Path) -> None:
    (tmp_path / "ai-feature.yaml").write_text(VALID)
    config = tmp_path / "archlint.toml"
    config.write_text('select = ["FT"]\n')
    config.chmod(0)
    done = run_process("check", "--no-cache", "ai-feature.yaml", cwd=tmp_path, prefix=_without_root_powers())
    if done.returncode == 0:
        pytest.skip("this machine cannot take away the permission to read a file")
    assert_contract(done.returncode, done.stdout, done.stderr)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"archlint: error: {config}: cannot read config file: Permission denied\n"
