from __future__ import annotations

import pytest

from archlint.evidence import records


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}', None),
        (b'{"messages": [{"role": "system", "content": ""}, {"role": "assistant", "content": "a"}]}', None),
        (b'{"prompt": "q", "completion": "a", "extra": [1, 2]}', None),
        (b'{"input": "q", "output": "a"}', None),
        (b'{"messages": [{"role": "user", "content": "q"}]}', "the messages have no assistant turn"),
        (b'{"messages": [{"role": "assistant", "content": " \\n"}]}', "assistant turn 1 is empty"),
        (b'{"prompt": "q"}', "'prompt' without 'completion'"),
        (b'{"completion": "a"}', "'completion' without 'prompt'"),
        (b'{"input": "q", "output": ""}', "the output is empty"),
        (b'{"question": "q"}', f"a record in no supported shape (expected {records.SHAPES})"),
    ],
)
def test_problem(line: bytes, problem: str | None) -> None:
    assert records.problem(records.decode_record(line)) == problem


@pytest.mark.parametrize(
    "line",
    [
        b'{"messages": [{"role": "tool", "content": "x"}]}',
        b'{"messages": [{"role": "user", "content": 5}]}',
        b'{"messages": "hello"}',
        b"[1, 2]",
    ],
)
def test_wrong_types_are_rejected_by_the_decoder(line: bytes) -> None:
    with pytest.raises(records.ValidationError):
        records.decode_record(line)


def test_input_and_parts() -> None:
    record = records.decode_record(
        b'{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u1"},'
        b' {"role": "assistant", "content": "a"}, {"role": "user", "content": "u2"}]}'
    )
    assert records.input_of(record) == "u1\nu2"
    assert records.parts_of(record) == ["system", "s", "user", "u1", "assistant", "a", "user", "u2"]


@pytest.mark.parametrize(
    ("header", "row", "problem", "given"),
    [
        (["Prompt ", "completion"], ["q", "a"], None, "q"),
        (["id", "input", "output"], ["7", "q", "a"], None, "q"),
        (["system", "user", "assistant"], ["be brief", "q", ""], "assistant turn 3 is empty", None),
        (
            ["messages"],
            ['[{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]'],
            None,
            "q",
        ),
    ],
)
def test_csv_columns(header: list[str], row: list[str], problem: str | None, given: str | None) -> None:
    layout = records.csv_layout(header)
    assert layout is not None
    record = records.csv_record(row, layout)
    assert records.problem(record) == problem
    if given is not None:
        assert records.input_of(record) == given


def test_a_csv_without_known_columns_has_no_layout() -> None:
    assert records.csv_layout(["question", "answer"]) is None


@pytest.mark.parametrize(
    ("value", "given"),
    [
        ({"messages": [{"role": "user", "content": "q"}]}, "q"),
        ({"question": "q", "answer": "a"}, "q"),
        ({"query": "q"}, "q"),
        ({"text": "t"}, None),
        ([1], None),
    ],
)
def test_loose_input(value: object, given: str | None) -> None:
    assert records.loose_input(value) == given
