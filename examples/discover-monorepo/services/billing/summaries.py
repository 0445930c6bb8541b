"""Monthly invoice summaries for the customer portal. No feature file covers this folder (DSC001)."""

from __future__ import annotations

import importlib
import os

import anthropic as ai

# The provider is chosen at deploy time: archlint lists this import as unresolved.
provider = importlib.import_module(os.environ.get("SUMMARY_PROVIDER_MODULE", "billing.providers.local"))


def summarise(invoice_lines: list[str]) -> str:
    client = ai.Anthropic()
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        messages=[{"role": "user", "content": "Summarise for the customer:\n" + "\n".join(invoice_lines)}],
    )
    return message.content[0].text
