"""Renders the static FAQ page from Markdown. The model call that wrote it moved elsewhere."""

from __future__ import annotations

import markdown
from jinja2 import Template

PAGE = Template("<main>{{ body }}</main>")


def render(source: str) -> str:
    return PAGE.render(body=markdown.markdown(source))
