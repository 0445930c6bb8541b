"""Answers an agent's question from the retrieved chunks, with citations."""

from __future__ import annotations

from openai import OpenAI as Client

from .search import search

# The model may ask for one more search while answering: a tool the feature file does not
# declare (DSC004).
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search_runbooks",
        "description": "Search the billing runbooks again with a narrower query.",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


def answer(conn, question: str, account: str) -> str:
    client = Client()
    chunks = search(conn, client, question, account)
    context = "\n\n".join(f"[{i}] {chunk}" for i, chunk in enumerate(chunks, start=1))
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "Answer from the numbered sources only and cite them."},
            {"role": "user", "content": f"{context}\n\nQuestion: {question}"},
        ],
        tools=[SEARCH_TOOL],
    )
    return completion.choices[0].message.content or ""
