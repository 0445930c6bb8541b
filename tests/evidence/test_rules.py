"""EVD001-EVD006 end to end: a real repository, real data files, `archlint check`."""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import Check, Write, chat, lines

TRAIN = lines(*(chat(f"ticket {n}: my order {n} never arrived") for n in range(20)))
EVAL = lines(chat("ticket 100: the box was crushed", "damage"), chat("ticket 101: charged twice", "billing"))
DATA = "data: {train: data/train.jsonl, eval: data/eval.jsonl}"


def rules(findings: list[dict[str, object]]) -> list[str]:
    return [str(finding["rule"]) for finding in findings]


def test_clean_evidence_has_no_finding(write: Write, check: Check) -> None:
    write(
        f"training_examples: 20\neval_set: {{examples: 2, held_out: true}}\n{DATA}",
        files={"data/train.jsonl": TRAIN, "data/eval.jsonl": EVAL},
    )
    assert check() == (0, [])


def test_missing_train_file_is_evd001_at_the_declaring_key(write: Write, check: Check) -> None:
    feature = write(DATA, files={"data/eval.jsonl": EVAL})
    code, findings = check()
    assert code == 1
    assert rules(findings) == ["EVD001"]
    finding = findings[0]
    assert finding["path"] == "spec.fine_tuning.data.train"
    line = feature.read_text().splitlines()[finding["line"] - 1]  # type: ignore[operator]
    assert "train:" in line
    assert "data/train.jsonl" in str(finding["message"])


def test_count_mismatch_names_the_count_key_and_the_file(write: Write, check: Check) -> None:
    write(
        f"training_examples: 25\neval_set: {{examples: 2}}\n{DATA}",
        files={"data/train.jsonl": TRAIN, "data/eval.jsonl": EVAL},
    )
    code, findings = check()
    assert code == 1
    assert [(f["rule"], f["path"]) for f in findings] == [("EVD002", "spec.fine_tuning.training_examples")]
    assert findings[0]["message"] == "training_examples is 25, but data/train.jsonl holds 20 records"


def test_evaluation_examples_is_checked_against_a_dataset_in_the_repository(
    write: Write, check: Check
) -> None:
    write(rest="  evaluation: {dataset: evals/golden.jsonl, examples: 3}", files={"evals/golden.jsonl": EVAL})
    _, findings = check()
    assert [(f["rule"], f["path"]) for f in findings] == [("EVD002", "spec.evaluation.examples")]


def test_leak_names_the_first_eval_lines_and_how_many_more(write: Write, check: Check) -> None:
    leaked = [chat(f"new ticket {n}") for n in range(10)]
    for line in (1, 4, 6, 7, 9):  # eval lines 2, 5, 7, 8, 10 copy training inputs
        leaked[line] = chat(f"  TICKET {line}:  my order {line} NEVER arrived")
    write(DATA, files={"data/train.jsonl": TRAIN, "data/eval.jsonl": lines(*leaked)})
    _, findings = check()
    assert rules(findings) == ["EVD003"]
    message = str(findings[0]["message"])
    assert message.startswith("data/eval.jsonl lines 2, 5, 7 (and 2 more) also occur in data/train.jsonl")
    assert findings[0]["path"] == "spec.fine_tuning.data.eval"


def test_leak_is_not_reported_when_the_eval_set_is_declared_not_held_out(write: Write, check: Check) -> None:
    write(
        f"eval_set: {{held_out: false}}\n{DATA}",
        files={
            "data/train.jsonl": TRAIN,
            "data/eval.jsonl": lines(chat("ticket 3: my order 3 never arrived")),
        },
    )
    assert check() == (0, [])


def test_leak_into_the_evaluation_dataset_is_reported_there(write: Write, check: Check) -> None:
    write(
        "data: {train: data/train.jsonl}",
        rest="  evaluation: {dataset: evals/golden.jsonl}",
        files={
            "data/train.jsonl": TRAIN,
            "evals/golden.jsonl": lines('{"input": "Ticket 4: my order 4 never arrived"}'),
        },
    )
    _, findings = check()
    assert [(f["rule"], f["path"]) for f in findings] == [("EVD003", "spec.evaluation.dataset")]


def test_near_duplicate_is_a_warning(write: Write, check: Check) -> None:
    long = " ".join(f"word{n}" for n in range(40))
    train = lines(chat(long), *(chat(f"other ticket {n}") for n in range(5)))
    write(DATA, files={"data/train.jsonl": train, "data/eval.jsonl": lines(chat(long + " extra"))})
    code, findings = check()
    assert code == 0  # a warning does not fail the default run
    assert [(f["rule"], f["severity"]) for f in findings] == [("EVD004", "warning")]
    assert "lines 1" in str(findings[0]["message"]) or "line 1" in str(findings[0]["message"])


def test_malformed_lines_are_listed_with_their_reasons(write: Write, check: Check) -> None:
    train = lines(
        chat("fine"),
        "{not json",
        '{"messages": [{"role": "user", "content": "no answer"}]}',
        '{"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]}',
        '{"prompt": "p", "completion": ""}',
    )
    write("data: {train: data/train.jsonl}", files={"data/train.jsonl": train})
    _, findings = check()
    assert rules(findings) == ["EVD005"]
    message = str(findings[0]["message"])
    assert message.startswith("data/train.jsonl: 4 of 5 records malformed: line 2: not JSON")
    assert "line 3: the messages have no assistant turn" in message
    assert "line 4: not a supported record" in message
    assert message.endswith("(and 1 more)")


def test_duplicates_above_the_share_warn_and_below_do_not(write: Write, check: Check) -> None:
    records = [chat(f"ticket {n}") for n in range(20)]
    write("data: {train: data/train.jsonl}", files={"data/train.jsonl": lines(*records, records[0])})
    assert check() == (0, [])  # 1 of 21 (4.8 %) is within 5 %
    write(
        "data: {train: data/train.jsonl}", files={"data/train.jsonl": lines(*records, records[0], records[1])}
    )
    _, findings = check()
    assert rules(findings) == ["EVD006"]
    assert "2 of 22 records (9.1%)" in str(findings[0]["message"])
    assert "21 (repeats line 1)" in str(findings[0]["message"])


def test_the_duplicate_share_is_a_param(write: Write, check: Check) -> None:
    records = [chat(f"ticket {n}") for n in range(10)]
    write("data: {train: data/train.jsonl}", files={"data/train.jsonl": lines(*records, records[0])})
    assert rules(check()[1]) == ["EVD006"]
    assert check("--param", "max_duplicate_share=0.2") == (0, [])


def test_csv_with_a_header_is_counted_and_checked(write: Write, check: Check) -> None:
    csv_text = (
        'Prompt,Completion\nOrder 1 never arrived,shipping\n"Charged, twice",billing\nReset password,\n'
    )
    write("training_examples: 3\ndata: {train: data/train.csv}", files={"data/train.csv": csv_text})
    _, findings = check()
    assert rules(findings) == ["EVD005"]
    assert "line 4: the completion is empty" in str(findings[0]["message"])


def test_a_uri_is_never_read_and_only_strict_reports_it(write: Write, check: Check) -> None:
    write("data: {train: 's3://bucket/train.jsonl'}", rest="  evaluation: {dataset: 'hf://datasets/x/y'}")
    code, findings = check()
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in findings] == [("EVD001", "info")]
    code, findings = check("--evidence", "strict")
    assert code == 1
    assert [(f["rule"], f["severity"], f["path"]) for f in findings] == [
        ("EVD001", "error", "spec.fine_tuning.data.train"),
        ("EVD001", "error", "spec.evaluation.dataset"),
    ]


def test_an_unresolved_dataset_keeps_its_old_meaning_unless_strict(write: Write, check: Check) -> None:
    write(
        rest="  evaluation: {dataset: evals/golden.jsonl}\n"
        "  rag: {retrieval_eval: {dataset: ../elsewhere.jsonl}}"
    )
    assert check() == (0, [])
    code, findings = check("--evidence", "strict")
    assert code == 1
    assert [f["path"] for f in findings] == ["spec.evaluation.dataset", "spec.rag.retrieval_eval.dataset"]


def test_strict_can_come_from_the_config_file(repo: Path, write: Write, check: Check) -> None:
    write(rest="  evaluation: {dataset: evals/golden.jsonl}")
    (repo / "archlint.toml").write_text('evidence = "strict"\n', encoding="utf-8")
    code, findings = check()
    assert (code, rules(findings)) == (1, ["EVD001"])


def test_a_bad_evidence_value_in_the_config_is_a_usage_error(repo: Path, write: Write, check: Check) -> None:
    write()
    (repo / "archlint.toml").write_text('evidence = "paranoid"\n', encoding="utf-8")
    code = __import__("archlint.cli", fromlist=["main"]).main(["check", "ai-feature.yaml"])
    assert code == 2


def test_manifest_digest_is_verified_when_the_file_is_present(write: Write, check: Check) -> None:
    import hashlib

    digest = hashlib.sha256(TRAIN.encode()).hexdigest()
    write(f"data: {{train: data/train.jsonl, sha256: '{digest}'}}", files={"data/train.jsonl": TRAIN})
    assert check() == (0, [])
    write(
        f"data: {{train: data/train.jsonl, sha256: {{train: '{'0' * 64}'}}}}",
        files={"data/train.jsonl": TRAIN},
    )
    for argv in ((), ("--no-cache",)):
        _, findings = check(*argv)
        assert rules(findings) == ["EVD001"]
        assert "not the file the manifest pins" in str(findings[0]["message"])


def test_manifest_without_the_file_is_info_and_strict_makes_it_an_error(write: Write, check: Check) -> None:
    write(f"data: {{train: data/train.jsonl, sha256: '{'a' * 64}'}}")
    code, findings = check()
    assert (code, [(f["rule"], f["severity"]) for f in findings]) == (0, [("EVD001", "info")])
    code, findings = check("--evidence", "strict")
    assert (code, [(f["rule"], f["severity"]) for f in findings]) == (1, [("EVD001", "error")])


def test_paths_outside_the_repository_are_never_read(repo: Path, write: Write, check: Check) -> None:
    outside = repo.parent / "secret.jsonl"
    outside.write_text(TRAIN, encoding="utf-8")
    os.symlink(outside, repo / "link.jsonl")
    write("training_examples: 1\ndata: {train: link.jsonl, eval: ../secret.jsonl}")
    _, findings = check()
    assert [(f["rule"], f["path"]) for f in findings] == [
        ("EVD001", "spec.fine_tuning.data.train"),
        ("EVD001", "spec.fine_tuning.data.eval"),
    ]
    assert all("outside the repository" in str(f["message"]) for f in findings)


def test_evidence_rules_can_be_ignored_like_any_rule(write: Write, check: Check) -> None:
    write("data: {train: data/train.jsonl}")
    assert check(select="EVD002") == (0, [])


def test_a_changed_data_file_invalidates_the_cached_result(write: Write, check: Check) -> None:
    feature = write(
        "training_examples: 20\ndata: {train: data/train.jsonl}", files={"data/train.jsonl": TRAIN}
    )
    assert check() == (0, [])
    assert check() == (0, [])  # from the cache
    data = feature.parent / "data" / "train.jsonl"
    data.write_text(TRAIN + chat("one more") + "\n", encoding="utf-8")
    _, findings = check()
    assert rules(findings) == ["EVD002"]
    data.unlink()
    assert rules(check()[1]) == ["EVD001"]
