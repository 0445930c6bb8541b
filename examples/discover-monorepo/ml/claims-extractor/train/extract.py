"""Serves the tuned model: one structured extraction per scanned claim form."""

from __future__ import annotations

import json

from openai import OpenAI

TUNED_MODEL = "ft:gpt-4o-mini-2024-07-18:acme:claims:abc123"


def extract(form_text: str) -> dict[str, object]:
    completion = OpenAI().chat.completions.create(
        model=TUNED_MODEL,
        response_format={"type": "json_object"},
        messages=[{"role": "user", "content": form_text}],
    )
    return json.loads(completion.choices[0].message.content or "{}")
