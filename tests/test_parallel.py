"""`archlint check --jobs N`: worker processes give the output of one process, in the same order."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
from pathlib import Path

import pytest

from archlint import parallel
from archlint.check import FileResult, plan
from archlint.parallel import Checker, Recipe, check_all, default_jobs, recipe_for
from archlint.policies import Catalog, load_catalog
from archlint.report import Unreadable
from archlint.settings import Settings

from .conftest import run_check_json

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 1)

_spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
assert _spec is not None and _spec.loader is not None
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = generate.write(str(folder), 130)
    return [(path, os.path.basename(path)) for path in paths]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _run(items: list[tuple[str, str]], catalog: Catalog, jobs: int, **options: object) -> list[object]:
    the_plan = plan(catalog, Settings(today=TODAY))
    return list(check_all(items, Checker(the_plan), recipe_for(the_plan, None), jobs, **options))  # type: ignore[arg-type]


def test_workers_give_the_results_of_one_process_in_the_same_order(
    corpus: list[tuple[str, str]], catalog: Catalog
) -> None:
    one = _run(corpus, catalog, jobs=1)
    assert [result.file for result in one] == [display for _, display in corpus]  # type: ignore[attr-defined]
    assert _run(corpus, catalog, jobs=2) == one
    assert _run(corpus, catalog, jobs=3) == one
    assert _run(list(reversed(corpus)), catalog, jobs=2) == list(reversed(one))


def test_spawned_workers_rebuild_the_plan(corpus: list[tuple[str, str]], catalog: Catalog) -> None:
    assert _run(corpus[:60], catalog, jobs=2, start_method="spawn") == _run(corpus[:60], catalog, jobs=1)


def test_a_custom_policy_reaches_the_spawned_workers(corpus: list[tuple[str, str]]) -> None:
    catalog = load_catalog([str(ROOT / "examples" / "policies" / "health.yaml")])
    recipe = recipe_for(plan(catalog, Settings(today=TODAY)), None)
    assert recipe.policy_files[-1] == (str(ROOT / "examples" / "policies" / "health.yaml"), False)
    checker = parallel.build_checker(recipe)
    assert {rule.id for rule in checker.plan.rules} >= {"HLT001"}


def test_few_files_stay_in_this_process(
    corpus: list[tuple[str, str]], catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    def refuse(method: str | None = None) -> object:
        raise AssertionError("no worker process for a few files")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    assert len(_run(corpus[: parallel.MIN_FILES - 1], catalog, jobs=8)) == parallel.MIN_FILES - 1
    with pytest.raises(AssertionError, match="no worker"):
        _run(corpus[: parallel.MIN_FILES], catalog, jobs=8)


def test_an_unreadable_file_is_reported_in_its_place(corpus: list[tuple[str, str]], catalog: Catalog) -> None:
    items = [*corpus[:30], ("/nonexistent/ai-feature.yaml", "gone.ai-feature.yaml"), *corpus[30:60]]
    outcomes = _run(items, catalog, jobs=2)
    assert outcomes[30] == Unreadable("gone.ai-feature.yaml", "cannot read: No such file or directory")
    assert all(isinstance(outcome, FileResult) for i, outcome in enumerate(outcomes) if i != 30)


def test_default_jobs_is_the_usable_cores() -> None:
    assert 1 <= default_jobs() <= (os.cpu_count() or 1)


def test_the_recipe_pickles() -> None:
    import pickle

    recipe = Recipe(Settings(today=TODAY, params={"max_top_k": 3}), (("p.yaml", False),), "cache")
    assert pickle.loads(pickle.dumps(recipe)) == recipe


def test_cli_jobs_give_the_same_report(tmp_path: Path) -> None:
    generate.write(str(tmp_path / "features"), 120)
    one = run_check_json("--jobs", "1", "--no-cache", "features", cwd=tmp_path)
    two = run_check_json("--jobs", "2", "features", cwd=tmp_path)
    auto = run_check_json("features", cwd=tmp_path)  # default: one job per core, cache warm now
    assert one.returncode == two.returncode == auto.returncode == 1, one.stderr
    assert json.loads(one.stdout)["summary"]["files"] == 120
    assert two.stdout == one.stdout
    assert auto.stdout == one.stdout


def test_a_missing_path_found_while_workers_run_stops_the_run(tmp_path: Path) -> None:
    generate.write(str(tmp_path / "features"), 120)
    completed = run_check_json("--jobs", "2", "features", "missing", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "missing: no such file or directory" in completed.stderr


def test_cli_refuses_a_negative_job_count(tmp_path: Path) -> None:
    completed = run_check_json("--jobs", "-1", ".", cwd=tmp_path)
    assert completed.returncode == 2
    assert "--jobs" in completed.stderr


def test_a_worker_leaves_ctrl_c_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    monkeypatch.setattr(parallel, "_checker", None)
    previous = signal.getsignal(signal.SIGINT)
    try:
        parallel._start(Recipe(Settings(), (), None), rebuild=False)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def _cached_run(items: list[tuple[str, str]], cache_dir: Path, jobs: int, **options: object) -> list[object]:
    from archlint.cache import open_store

    settings = Settings(today=TODAY)
    store = open_store(str(cache_dir))
    assert store is not None
    with store.serving():
        the_plan = plan(load_catalog(), settings)
    checker = Checker(the_plan, store.results(settings))
    recipe = recipe_for(the_plan, str(cache_dir))
    return list(check_all(items, checker, recipe, jobs, **options))  # type: ignore[arg-type]


def test_hits_and_misses_come_back_in_order(
    corpus: list[tuple[str, str]], catalog: Catalog, tmp_path: Path
) -> None:
    expected = _run(corpus, catalog, jobs=1)
    # Every third file is in the cache; the others go to the workers.
    _cached_run(corpus[::3], tmp_path / "cache", jobs=1)
    assert _cached_run(corpus, tmp_path / "cache", jobs=2, min_files=4) == expected
    assert _cached_run(corpus, tmp_path / "cache", jobs=2, min_files=4) == expected  # all hits now


def test_a_run_the_cache_answers_starts_no_worker(
    corpus: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    first = _cached_run(corpus, tmp_path / "cache", jobs=2)

    def refuse(method: str | None = None) -> object:
        raise AssertionError("a worker started for files the cache answers")

    monkeypatch.setattr(multiprocessing, "get_context", refuse)
    assert _cached_run(corpus, tmp_path / "cache", jobs=2) == first
