"""The content-hash cache: hits, misses, staleness, damaged entries, and --no-cache."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from archlint import cache, check, decide, engine, parallel, policies, prebuilt
from archlint.cache import Store, decode, encode, open_store, validity
from archlint.cel import programs_in
from archlint.check import FileResult, plan
from archlint.loader import load_all
from archlint.parallel import Checker
from archlint.policies import Catalog, load_catalog
from archlint.policy_paths import policy_files
from archlint.report import Unreadable
from archlint.settings import Settings

from .conftest import archlint_command, git_init, run_check_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = datetime.date(2026, 11, 1)

FEATURE = """\
apiVersion: archlint/v1
kind: AIFeature
metadata: {name: stock-checker, owner: retail}
spec:
  problem: knowledge
  approach: rag
  knowledge: {change_frequency: daily, per_user_permissions: true}
  rag: {retrieval: hybrid, acl_filtering: false, top_k: 4}
"""

POLICY = """\
apiVersion: archlint/v1
kind: PolicySet
metadata: {name: local}
params:
  most_chunks:
    default: 10
    description: Most chunks.
rules:
  - id: LOC001
    name: too-many-chunks
    severity: warning
    summary: Too many chunks.
    rationale: Long contexts dilute the answer.
    remediation: Pass fewer chunks.
    references: [{title: Notes, url: "https://example.org/notes"}]
    condition: spec.?rag.?top_k.orValue(0) > params.most_chunks
    path: spec.rag.top_k
    message: "top_k is {spec.rag.top_k}, the limit is {params.most_chunks}"
"""


def _content(path: Path) -> bytes:
    """A cache file without its first line (the MAC)."""
    return path.read_bytes().split(b"\n", 1)[1]


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def no_prebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Without the shipped prebuilt catalog and gates: the cache keeps the built ones itself."""
    monkeypatch.setattr(prebuilt, "FILE", str(tmp_path / "no-prebuilt.json"))
    prebuilt._data.cache_clear()
    yield
    prebuilt._data.cache_clear()


@pytest.fixture(scope="module")
def builtin() -> Catalog:
    return load_catalog()


def _store(folder: Path) -> Store:
    store = open_store(str(folder))
    assert store is not None
    return store


def _checker(folder: Path, settings: Settings, extra: tuple[str, ...] = ()) -> Checker:
    store = _store(folder)
    with store.serving():
        catalog = load_catalog(extra)
    return Checker(plan(catalog, settings), store.results(settings))


def _check(folder: Path, settings: Settings, item: tuple[str, str], extra: tuple[str, ...] = ()) -> object:
    """Check one file as a run would: look up, check on a miss, write the entry."""
    checker = _checker(folder, settings, extra)
    outcome = checker(item)
    checker.flush()
    return outcome


def _pack(folder: Path) -> Path:
    (pack,) = [
        p for p in folder.rglob("*.json") if not p.name.startswith(("catalog-", "gates-", "programs-"))
    ]
    return pack


class Spy:
    """Counts the files actually parsed and checked (cache misses)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.checked: list[str] = []
        real = check.check_documents

        def counting(documents: object, display: str, the_plan: object, **options: object) -> FileResult:
            self.checked.append(display)
            return real(documents, display, the_plan, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(parallel, "check_documents", counting)


def _write(path: Path, text: str) -> tuple[str, str]:
    path.write_text(text, encoding="utf-8")
    return str(path), path.name


def test_second_run_is_answered_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    settings = Settings(today=TODAY)
    first = _check(tmp_path / "cache", settings, item)
    second = _check(tmp_path / "cache", settings, item)
    assert spy.checked == ["a.ai-feature.yaml"]
    assert second == first
    assert {finding.rule for finding in first.findings} >= {"RAG001"}  # type: ignore[union-attr]


def _as_file(outcome: object, name: str) -> object:
    """A result as if it were of the file `name`: compares results of files with the same content."""
    assert isinstance(outcome, FileResult)
    findings = tuple(finding._replace(file=name) for finding in outcome.findings)
    return outcome._replace(file=name, findings=findings)


def _run_with_store(folder: Path, item: tuple[str, str]) -> tuple[Catalog, object]:
    """A whole run inside the store's context, as `archlint check` does: the built-in policies."""
    store = _store(folder)
    settings = Settings(today=TODAY)
    with store.serving():
        catalog = load_catalog()
        checker = Checker(plan(catalog, settings), store.results(settings))
        outcome = checker(item)
        checker.flush()
    return catalog, outcome


def _another_cel_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as under a CEL build other than the one that compiled archlint/_prebuilt.json's
    programs: the built-in expressions compile from source, and the cache keeps them."""
    monkeypatch.setattr(prebuilt, "cel_build", lambda: "cel_expr_python-0.0.0.dist-info")
    monkeypatch.setattr(engine, "_lists", {})  # a run's first documents: each rule on its own


def test_with_the_shipped_compiled_cel_a_run_stores_none(tmp_path: Path) -> None:
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    catalog, _ = _run_with_store(tmp_path / "cache", item)
    assert all(program.ready for program in programs_in(catalog))
    assert not list((tmp_path / "cache").rglob("programs-*.json"))


def test_a_run_keeps_the_cel_it_compiled_for_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _another_cel_build(monkeypatch)

    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    first, outcome = _run_with_store(tmp_path / "cache", item)
    compiled = {program.source for program in programs_in(first) if program.ready}
    assert compiled, "the run evaluated rules"
    (saved,) = (tmp_path / "cache").rglob("programs-*.json")
    assert compiled <= set(json.loads(_content(saved)))
    store = _store(tmp_path / "cache")
    with store.serving():
        again = load_catalog()  # the prebuilt catalog, given the compiled forms before any evaluation
    assert {program.source for program in programs_in(again) if program.ready} >= compiled
    item_b = _write(tmp_path / "b.ai-feature.yaml", FEATURE)
    assert _as_file(_run_with_store(tmp_path / "cache", item_b)[1], "a") == _as_file(outcome, "a")


def test_a_broken_store_of_compiled_cel_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _another_cel_build(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    _, outcome = _run_with_store(tmp_path / "cache", item)
    (saved,) = (tmp_path / "cache").rglob("programs-*.json")
    sources = json.loads(_content(saved))
    junk = [b"not json", b'{"x": 1}', json.dumps(dict.fromkeys(sources, "zz")).encode()]
    junk.append(json.dumps(dict.fromkeys(sources, "00ff")).encode())  # hex, but not a compiled program
    for number, content in enumerate(junk):
        _store(tmp_path / "cache").save(str(saved), content)  # with a valid MAC: judged by its content
        item_b = _write(tmp_path / "b.ai-feature.yaml", FEATURE + f"# run {number}\n")
        assert _as_file(_run_with_store(tmp_path / "cache", item_b)[1], "a") == _as_file(outcome, "a")


def test_an_edited_file_is_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    path = tmp_path / "a.ai-feature.yaml"
    item = _write(path, FEATURE)
    settings = Settings(today=TODAY)
    before = _check(tmp_path / "cache", settings, item)
    _write(path, FEATURE.replace("acl_filtering: false", "acl_filtering: true"))
    after = _check(tmp_path / "cache", settings, item)
    assert spy.checked == ["a.ai-feature.yaml"] * 2
    assert "RAG001" in {f.rule for f in before.findings}  # type: ignore[union-attr]
    assert "RAG001" not in {f.rule for f in after.findings}  # type: ignore[union-attr]
    # An edit replaces the file's entry instead of adding one.
    assert len(json.loads(_content(_pack(tmp_path / "cache")))) == 1


def test_a_changed_policy_makes_every_entry_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    policy = tmp_path / "local.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    settings = Settings(today=TODAY)
    before = _check(tmp_path / "cache", settings, item, (str(policy),))
    policy.write_text(POLICY.replace("default: 10", "default: 3"), encoding="utf-8")
    after = _check(tmp_path / "cache", settings, item, (str(policy),))
    assert spy.checked == ["a.ai-feature.yaml"] * 2
    assert "LOC001" not in {f.rule for f in before.findings}  # type: ignore[union-attr]
    assert "LOC001" in {f.rule for f in after.findings}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "changed",
    [
        Settings(today=TODAY, params={"max_top_k": 2}),
        Settings(today=TODAY, ignore=("RAG001",)),
        Settings(today=TODAY, select=("RAG",)),
        Settings(today=TODAY, waivers=False),
        Settings(today=TODAY, severity={"RAG001": policies.Severity.INFO}),
    ],
    ids=["param", "ignore", "select", "no-waivers", "severity"],
)
def test_changed_settings_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: Settings) -> None:
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    result = _check(tmp_path / "cache", changed, item)
    assert spy.checked == ["a.ai-feature.yaml"] * 2
    the_plan = plan(load_catalog(), changed)
    assert result == check.check_file(*item, the_plan)


def test_a_new_day_reuses_results_until_a_waiver_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    waived = FEATURE + (
        "  waivers:\n    - {rule: RAG001, reason: pilot, approved_by: board, expires: 2026-11-03}\n"
    )
    item = _write(tmp_path / "a.ai-feature.yaml", waived)
    results = {}
    for day in (1, 2, 3, 4, 5):
        today = datetime.date(2026, 11, day)
        results[day] = _check(tmp_path / "cache", Settings(today=today), item)
    # Checked on the 1st, answered from the cache on the 2nd and 3rd (the waiver still holds),
    # checked again on the 4th (it expired), answered from the cache on the 5th.
    assert len(spy.checked) == 2
    assert "WVR001" not in {f.rule for f in results[3].findings}  # type: ignore[union-attr]
    assert "WVR001" in {f.rule for f in results[4].findings}  # type: ignore[union-attr]
    assert results[5] == results[4]


def test_validity_spans_the_days_with_the_same_expired_waivers() -> None:
    text = FEATURE + (
        "  waivers:\n"
        "    - {rule: RAG001, reason: r, approved_by: a, expires: 2026-10-15}\n"
        "    - {rule: RAG002, reason: r, approved_by: a, expires: 2026-12-01}\n"
        "    - {rule: RAG003, reason: r, approved_by: a, expires: 2027-01-01}\n"
    )
    documents = load_all(text)
    assert validity(documents, TODAY.isoformat()) == ("2026-10-16", "2026-12-01")
    assert validity(load_all(FEATURE), TODAY.isoformat()) == (None, None)
    assert validity(load_all(FEATURE + "  waivers: [{expires: 2026-02-30}]\n"), TODAY.isoformat()) is None


@pytest.mark.parametrize("damage", [b"", b"{", b"[]", b'{"sha": 1}', b"\x00\xff", b"null"])
def test_a_damaged_entry_is_a_miss_and_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    settings = Settings(today=TODAY)
    first = _check(tmp_path / "cache", settings, item)
    pack = _pack(tmp_path / "cache")
    pack.write_bytes(damage)
    assert _check(tmp_path / "cache", settings, item) == first
    assert _check(tmp_path / "cache", settings, item) == first
    assert len(spy.checked) == 2  # the damaged pack was replaced by a whole one
    (entry,) = [value for value in json.loads(_content(pack)).values() if isinstance(value, dict)]
    assert entry["file"] == "a.ai-feature.yaml"


def test_an_entry_with_a_wrong_finding_shape_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    settings = Settings(today=TODAY)
    first = _check(tmp_path / "cache", settings, item)
    pack = _pack(tmp_path / "cache")
    data = json.loads(_content(pack))
    (entry,) = data.values()
    entry["findings"][0][6] = "seven"  # a line that is not a number
    _store(tmp_path / "cache").save(str(pack), json.dumps(data).encode())  # a valid MAC: the shape decides
    assert _check(tmp_path / "cache", settings, item) == first
    assert len(spy.checked) == 2


@pytest.mark.usefixtures("no_prebuilt")
def test_a_damaged_catalog_is_rebuilt(tmp_path: Path, builtin: Catalog) -> None:
    _checker(tmp_path / "cache", Settings(today=TODAY))
    (entry,) = (tmp_path / "cache").rglob("catalog-*.json")
    store = _store(tmp_path / "cache")
    store.save(str(entry), b'{"sets": [{"name": 1}]}')  # a valid MAC: the shape decides
    with store.serving():
        assert load_catalog().rules == builtin.rules


def test_the_catalog_comes_back_whole(builtin: Catalog, tmp_path: Path) -> None:
    restored = decode(json.loads(json.dumps(encode(builtin))))
    assert restored == builtin
    assert [rule.condition_source for rule in restored.rules] == [r.condition_source for r in builtin.rules]
    # Restored programs evaluate like freshly compiled ones.
    feature = tmp_path / "a.ai-feature.yaml"
    feature.write_text(FEATURE, encoding="utf-8")
    fresh = check.check_file(str(feature), "a", plan(builtin, Settings(today=TODAY)))
    again = check.check_file(str(feature), "a", plan(restored, Settings(today=TODAY)))
    assert again == fresh and fresh.findings


@pytest.mark.usefixtures("no_prebuilt")
def test_a_cached_catalog_is_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _checker(tmp_path / "cache", Settings(today=TODAY))

    def refuse(*args: object) -> object:
        raise AssertionError("parsed a policy file")

    monkeypatch.setattr(policies, "load_policy_document", refuse)
    assert _checker(tmp_path / "cache", Settings(today=TODAY)).plan.rules


def test_another_archlint_version_never_reads_the_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    monkeypatch.setattr(cache, "__version__", "99.0.0")
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    assert len(spy.checked) == 2


def test_a_cache_folder_from_elsewhere_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Names are keyed by a per-user secret: a committed or planted cache folder is useless.
    spy = Spy(monkeypatch)
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    assert len(spy.checked) == 2
    assert (tmp_path / "another-user" / "archlint" / "secret").stat().st_mode & 0o077 == 0


def test_the_cache_folder_is_marked(tmp_path: Path) -> None:
    _store(tmp_path / "cache")
    assert (
        (tmp_path / "cache" / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_no_cache_without_a_place_for_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert open_store(str(tmp_path / "cache")) is None
    assert not (tmp_path / "cache").exists()


def test_old_run_folders_are_pruned(tmp_path: Path) -> None:
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    _check(tmp_path / "cache", Settings(today=TODAY), item)
    (old,) = [p for p in (tmp_path / "cache" / cache.FORMAT).iterdir() if p.is_dir()]
    long_ago = old.stat().st_mtime - (cache.MAX_AGE_DAYS + 1) * 86400
    os.utime(old, (long_ago, long_ago))
    _check(tmp_path / "cache", Settings(today=TODAY), item)  # same run key: kept, and touched
    assert old.exists() and old.stat().st_mtime > long_ago
    os.utime(old, (long_ago, long_ago))
    _checker(tmp_path / "cache", Settings(today=TODAY, ignore=("RAG001",)))  # a new run key prunes
    assert not old.exists()


def test_cli_caches_in_the_project_root_and_no_cache_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    git_init(project)
    (project / "svc").mkdir()
    (project / "svc" / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    plain = run_check_json("--no-cache", "ai-feature.yaml", cwd=project / "svc")
    assert not (project / ".archlint_cache").exists()
    assert not (project / "svc" / ".archlint_cache").exists()
    assert not (tmp_path / "user-cache").exists()
    cold = run_check_json("ai-feature.yaml", cwd=project / "svc")
    warm = run_check_json("ai-feature.yaml", cwd=project / "svc")
    assert plain.returncode == cold.returncode == warm.returncode == 1
    assert plain.stdout == cold.stdout == warm.stdout
    assert (project / ".archlint_cache" / "CACHEDIR.TAG").is_file()
    assert sorted(p.name for p in (project / "svc").iterdir()) == ["ai-feature.yaml"]


def test_cli_cache_dir_and_policy_change(tmp_path: Path) -> None:
    (tmp_path / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    policy = tmp_path / "local.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    args = ("--cache-dir", "elsewhere", "--policies", "local.yaml", "ai-feature.yaml")
    before = json.loads(run_check_json(*args, cwd=tmp_path).stdout)
    policy.write_text(POLICY.replace("default: 10", "default: 3"), encoding="utf-8")
    after = json.loads(run_check_json(*args, cwd=tmp_path).stdout)
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (tmp_path / ".archlint_cache").exists()
    assert "LOC001" not in {f["rule"] for f in before["findings"]}
    assert "LOC001" in {f["rule"] for f in after["findings"]}


def test_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.write(str(tmp_path / "features"), 80)
    expected = run_check_json("--no-cache", "features", cwd=tmp_path).stdout
    command = [*archlint_command(), "check", "--format", "json", "--jobs", "1", "features"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True, env=env) for _ in range(4)
    ]
    outputs = [run.communicate()[0] for run in runs]
    assert outputs == [expected] * 4
    assert run_check_json("features", cwd=tmp_path).stdout == expected
    assert not list((tmp_path / ".archlint_cache").rglob("*.tmp"))


def test_the_decision_gates_come_back_whole(builtin: Catalog) -> None:
    gates = decide.builtin_gates(builtin.params)
    restored = decode(json.loads(json.dumps(encode(gates))))
    assert restored == gates
    # A gate named by a question is the same object as the gate in the list, as when parsed.
    for question in restored.questions:
        if question.gate is not None:
            assert any(question.gate is gate for gate in restored.gates)


@pytest.mark.usefixtures("no_prebuilt")
def test_cached_gates_are_not_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    monkeypatch.setattr(decide, "_CACHE", {})
    store = _store(tmp_path / "cache")
    with store.serving():
        first = _check(tmp_path / "cache", Settings(today=TODAY), item)
    assert list((tmp_path / "cache" / cache.FORMAT).glob("gates-*.json"))

    def refuse(*args: object) -> object:
        raise AssertionError("parsed the gates file")

    monkeypatch.setattr(decide, "_CACHE", {})
    monkeypatch.setattr(decide, "parse_gates", refuse)
    with store.serving():
        again = _check(tmp_path / "cache2", Settings(today=TODAY), item)  # a result miss
    assert again == first


@pytest.mark.parametrize(
    "value",
    [
        {"D": "os:PathLike", "n": 0, "f": {}},
        {"D": "builtins:dict", "n": 0, "f": {}},
        {"D": "archlint.finding:Finding", "n": 0, "f": {}},  # a record without its fields
        {"D": "archlint.loader:YamlError", "n": 0, "f": {"message": "x"}},  # archlint's, not a record
        {"E": "archlint.policies:Rule", "v": "x"},
        {"E": "subprocess:Popen", "v": "x"},
        {"R": 3},
        {"Q": 1},
    ],
)
def test_decoding_builds_only_archlint_records_and_enums(value: object) -> None:
    with pytest.raises((TypeError, KeyError, ValueError)):
        decode(value)


def test_encoding_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(TypeError):
        encode({"a": object()})
    assert decode(json.loads(json.dumps(encode({(1, "a"): (None, 2.5, frozenset({"x"}))})))) == {
        (1, "a"): (None, 2.5, frozenset({"x"}))
    }


def test_cli_warns_when_the_named_cache_folder_cannot_be_used(tmp_path: Path) -> None:
    (tmp_path / "ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    (tmp_path / "blocked").write_text("a file, not a folder")
    named = run_check_json("--cache-dir", "blocked", "ai-feature.yaml", cwd=tmp_path)
    plain = run_check_json("--no-cache", "ai-feature.yaml", cwd=tmp_path)
    assert named.returncode == plain.returncode == 1
    assert named.stdout == plain.stdout
    assert "cannot use the cache folder blocked" in named.stderr


def test_runs_writing_the_same_pack_keep_each_others_entries(tmp_path: Path) -> None:
    store = _store(tmp_path / "cache")
    with store.serving():
        load_catalog()
    first, second = store.results(Settings(today=TODAY)), store.results(Settings(today=TODAY))
    first.keep(("ab" + "0" * 38, {"file": "one"}))
    second.keep(("ab" + "1" * 38, {"file": "two"}))
    first.flush()
    second.flush()  # read the pack again before writing it: the first run's entry stays
    (pack,) = (tmp_path / "cache").rglob("ab.json")
    assert sorted(entry["file"] for entry in json.loads(_content(pack)).values()) == ["one", "two"]


def test_results_for_the_policy_files_share_the_key_of_their_loaded_catalog(tmp_path: Path) -> None:
    settings = Settings(today=TODAY)
    files = policy_files()
    unloaded = _store(tmp_path / "cache").results_for(files, settings)
    assert _checker(tmp_path / "cache", settings).results.run == unloaded.run  # type: ignore[union-attr]
    other = _store(tmp_path / "cache").results_for(files, Settings(today=TODAY, ignore=("RAG001",)))
    assert other.run != unloaded.run


def test_a_run_record_holds_the_rules_the_run_evaluates(tmp_path: Path) -> None:
    settings = Settings(today=TODAY)
    results = _store(tmp_path / "cache").results_for(policy_files(), settings)
    assert results.evaluated() is None
    results.record(("FT001", "RAG001"))
    assert results.evaluated() is None  # written by flush, with the entries
    results.flush()
    assert results.evaluated() == ("FT001", "RAG001")
    again = _store(tmp_path / "cache").results_for(policy_files(), settings)
    assert again.evaluated() == ("FT001", "RAG001")
    assert _store(tmp_path / "cache").results_for(policy_files()[1:], settings).evaluated() is None


def test_an_answer_is_a_hit_an_unreadable_file_or_none(tmp_path: Path) -> None:
    item = _write(tmp_path / "a.ai-feature.yaml", FEATURE)
    settings = Settings(today=TODAY)
    first = _check(tmp_path / "cache", settings, item)
    results = _store(tmp_path / "cache").results_for(policy_files(), settings)
    evaluated = ("ONLY",)
    assert results.answer(item, TODAY.isoformat(), evaluated) == first._replace(evaluated=evaluated)  # type: ignore[attr-defined]
    assert results.answer((str(tmp_path / "gone.yaml"), "gone.yaml"), TODAY.isoformat(), evaluated) == (
        Unreadable("gone.yaml", "cannot read: No such file or directory")
    )
    _write(tmp_path / "a.ai-feature.yaml", FEATURE + "# edited\n")
    assert results.answer(item, TODAY.isoformat(), evaluated) is None
