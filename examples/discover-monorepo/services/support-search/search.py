"""Hybrid search over the help centre and billing runbooks (declared: support-search, rag)."""

from __future__ import annotations

import openai as oa
import psycopg
from pgvector.psycopg import register_vector

EMBEDDING_MODEL = "text-embedding-3-small"


def embed(client: oa.OpenAI, text: str) -> list[float]:
    response = client.embeddings.create(model=EMBEDDING_MODEL, input=text)
    return response.data[0].embedding


def search(conn: psycopg.Connection, client: oa.OpenAI, question: str, account: str, k: int = 5) -> list[str]:
    register_vector(conn)
    vector = embed(client, question)
    rows = conn.execute(
        "SELECT body FROM chunks WHERE account_acl @> %s ORDER BY embedding <=> %s LIMIT %s",
        ([account], vector, k),
    )
    return [row[0] for row in rows]
