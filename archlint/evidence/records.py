"""The record shapes a fine-tuning file may hold, decoded and checked in one step.

Supported shapes (the first that applies wins):

    chat                {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}]}
                        at least one assistant turn, none of them empty
    prompt/completion   {"prompt": "...", "completion": "..."}, the completion not empty
    input/output        {"input": "...", "output": "..."}, the output not empty

Other keys are allowed and ignored. msgspec decodes a line straight into these
structs, so the JSON syntax and the field types are checked in C; what remains
in Python is which shape a record has and whether its answer is empty.

The input of a record (what EVD003 and EVD004 compare) is its user turns, its
prompt or its input; its text (what EVD006 compares) is every turn with its role.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec


class Message(msgspec.Struct):
    role: Literal["system", "user", "assistant"]
    content: str


class Record(msgspec.Struct):
    messages: list[Message] | None = None
    prompt: str | None = None
    completion: str | None = None
    input: str | None = None
    output: str | None = None


decode_record = msgspec.json.Decoder(Record).decode
# A block of lines as [[line], [line], ...]: each element must hold exactly one value.
decode_record_rows = msgspec.json.Decoder(list[tuple[Record]]).decode
decode_any_rows = msgspec.json.Decoder(list[tuple[Any]]).decode
decode_any = msgspec.json.Decoder().decode
DecodeError = msgspec.DecodeError  # a ValidationError is a DecodeError too
ValidationError = msgspec.ValidationError

SHAPES = "chat messages, prompt/completion or input/output"


def problem(record: Record) -> str | None:
    """What is wrong with a decoded record's shape; None when it is well-formed."""
    messages = record.messages
    if messages is not None:
        answered = False
        for message in messages:
            if message.role == "assistant":
                content = message.content
                if not content or content.isspace():
                    number = messages.index(message) + 1
                    return f"assistant turn {number} is empty"
                answered = True
        return None if answered else "the messages have no assistant turn"
    if record.prompt is not None or record.completion is not None:
        return _pair(record.prompt, record.completion, "prompt", "completion")
    if record.input is not None or record.output is not None:
        return _pair(record.input, record.output, "input", "output")
    return f"a record in no supported shape (expected {SHAPES})"


def _pair(question: str | None, answer: str | None, asked: str, answered: str) -> str | None:
    if question is None:
        return f"'{answered}' without '{asked}'"
    if answer is None:
        return f"'{asked}' without '{answered}'"
    if not answer or answer.isspace():
        return f"the {answered} is empty"
    return None


def input_of(record: Record) -> str:
    """The input of a well-formed record: its user turns (one per line), prompt or input."""
    messages = record.messages
    if messages is not None:
        return "\n".join([message.content for message in messages if message.role == "user"])
    if record.prompt is not None:
        return record.prompt
    return record.input or ""


def parts_of(record: Record) -> list[str]:
    """Every text of a well-formed record with what it is (role, or field name), in order."""
    messages = record.messages
    if messages is not None:
        parts: list[str] = []
        for message in messages:
            parts.append(message.role)
            parts.append(message.content)
        return parts
    if record.prompt is not None:
        return ["prompt", record.prompt, "completion", record.completion or ""]
    return ["input", record.input or "", "output", record.output or ""]


def loose_input(value: Any) -> str | None:
    """The input of a record in an evaluation dataset, whose shape is not checked: its user
    turns, prompt, input, question or query when it has one."""
    if not isinstance(value, dict):
        return None
    messages = value.get("messages")
    if isinstance(messages, list):
        users = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        texts = [text for text in users if isinstance(text, str)]
        return "\n".join(texts) if texts else None
    for name in ("prompt", "input", "question", "query"):
        text = value.get(name)
        if isinstance(text, str):
            return text
    return None


# -- CSV ------------------------------------------------------------------------
#
# A CSV file has a header row; column names are matched without regard to case
# or surrounding spaces. A `messages` column holds the chat as JSON; `system`,
# `user` and `assistant` columns are a one-turn chat (the system column optional);
# otherwise `prompt`/`completion` or `input`/`output` columns. Other columns are
# ignored.

COLUMN_SETS = (("messages",), ("user", "assistant"), ("prompt", "completion"), ("input", "output"))


def csv_layout(header: list[str]) -> dict[str, int] | None:
    """Column name -> index for the first supported column set the header holds."""
    names = {name.strip().lower(): index for index, name in reversed(list(enumerate(header)))}
    for wanted in COLUMN_SETS:
        if all(name in names for name in wanted):
            layout = {name: names[name] for name in wanted}
            if wanted == ("user", "assistant") and "system" in names:
                layout["system"] = names["system"]
            return layout
    return None


def csv_record(row: list[str], layout: dict[str, int]) -> Record:
    """The record a CSV row stands for (DecodeError for a bad `messages` cell)."""

    def cell(name: str) -> str | None:
        index = layout.get(name)
        return row[index] if index is not None and index < len(row) else None

    if "messages" in layout:
        raw = (cell("messages") or "").encode("utf-8", "surrogatepass")
        return Record(messages=msgspec.json.decode(raw, type=list[Message]))
    if "user" in layout:
        turns = [Message("system", cell("system") or "")] if cell("system") else []
        turns.append(Message("user", cell("user") or ""))
        turns.append(Message("assistant", cell("assistant") or ""))
        return Record(messages=turns)
    if "prompt" in layout:
        return Record(prompt=cell("prompt"), completion=cell("completion"))
    return Record(input=cell("input"), output=cell("output"))
