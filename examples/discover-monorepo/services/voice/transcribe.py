"""Call-centre transcription with a self-hosted speech model (plain HTTP to the model server:
the code scanner does not know this client; an AI-BOM from another scanner lists the model)."""

from __future__ import annotations

import requests


def transcribe(audio: bytes) -> str:
    response = requests.post("http://whisper.internal:9000/asr", files={"audio_file": audio}, timeout=60)
    response.raise_for_status()
    return response.text
