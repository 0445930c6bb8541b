"""Starts the quarterly fine-tuning job of the claims extractor (declared: fine-tuning)."""

from __future__ import annotations

from openai import OpenAI


def start(training_file: str, validation_file: str) -> str:
    client = OpenAI()
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini-2024-07-18",
        training_file=training_file,
        validation_file=validation_file,
    )
    return job.id
