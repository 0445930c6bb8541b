"""The peer: a plain Python validator of a chat fine-tuning file, one json.loads per line.

    python bench/evidence/peer.py FILE

The format checks are those of the OpenAI Cookbook notebook "Data preparation and analysis
for chat model fine-tuning" (the script teams copy before uploading a file), with the file
streamed line by line instead of loaded whole, so it is not slowed down by holding 1 GB.
Prints the number of records and of format errors.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    records = 0
    format_errors: dict[str, int] = defaultdict(int)
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            records += 1
            try:
                ex = json.loads(line)
            except ValueError:
                format_errors["invalid_json"] += 1
                continue
            if not isinstance(ex, dict):
                format_errors["data_type"] += 1
                continue
            messages = ex.get("messages", None)
            if not messages:
                format_errors["missing_messages_list"] += 1
                continue
            for message in messages:
                if "role" not in message or "content" not in message:
                    format_errors["message_missing_key"] += 1
                if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                    format_errors["message_unrecognized_key"] += 1
                if message.get("role", None) not in ("system", "user", "assistant", "function"):
                    format_errors["unrecognized_role"] += 1
                content = message.get("content", None)
                function_call = message.get("function_call", None)
                if (not content and not function_call) or not isinstance(content, str):
                    format_errors["missing_content"] += 1
            if not any(message.get("role", None) == "assistant" for message in messages):
                format_errors["example_missing_assistant_message"] += 1
    print(records, sum(format_errors.values()))


if __name__ == "__main__":
    main(sys.argv[1])
