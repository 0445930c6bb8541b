"""Tags incoming tickets with a reason from the fixed taxonomy (declared: ticket-triage, prompting)."""

from __future__ import annotations

import json

import chromadb
from anthropic import Anthropic

TAXONOMY = ["billing", "bug", "cancellation", "feature-request", "login", "other"]


def similar_tickets(text: str) -> list[str]:
    # Few-shot examples looked up by similarity: retrieval, which the file does not declare (DSC002).
    collection = chromadb.PersistentClient(path="/var/lib/triage").get_collection("tickets")
    return collection.query(query_texts=[text], n_results=3)["documents"][0]


def triage(text: str) -> str:
    examples = "\n".join(similar_tickets(text))
    message = Anthropic().messages.create(
        model="claude-sonnet-4-5",
        max_tokens=50,
        system=f"Answer with JSON {{\"reason\": ...}}, one of {TAXONOMY}.",
        messages=[{"role": "user", "content": f"Examples:\n{examples}\n\nTicket:\n{text}"}],
    )
    return json.loads(message.content[0].text)["reason"]
