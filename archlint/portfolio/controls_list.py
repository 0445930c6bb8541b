"""`archlint rules --framework ID`: a framework's controls and the rules mapped to them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..errors import UsageError
from . import frameworks

if TYPE_CHECKING:
    from ..policies import Rule


def run(rules: Sequence[Rule], framework: str, fmt: str, stream: TextIO) -> int:
    mappings = {rule.id: dict(rule.mappings) for rule in rules}
    named = frameworks.framework_ids(mappings.values())
    if framework not in named and framework not in frameworks.FRAMEWORKS:
        known = ", ".join(dict.fromkeys([*frameworks.FRAMEWORKS, *named]))
        raise UsageError(f"unknown framework '{framework}' (known: {known})")
    controls = frameworks.controls(framework, mappings)
    names = {rule.id: rule.name for rule in rules}
    if fmt == "json":
        payload = {
            "framework": framework,
            "title": frameworks.title(framework),
            "informative": True,
            "controls": [
                {"id": c.id, "title": c.title, "rules": [{"id": r, "name": names[r]} for r in c.rules]}
                for c in controls
            ],
        }
        json.dump(payload, stream, indent=2)
        stream.write("\n")
        return 0
    stream.write(f"{frameworks.title(framework)}\n")
    width = max((len(c.id) for c in controls), default=0)
    for control in controls:
        heading = f"{control.id:<{width}}  {control.title}".rstrip()
        stream.write(f"{heading}\n")
        for rule in control.rules:
            stream.write(f"{'':<{width}}    {rule}  {names[rule]}\n")
    covered = {rule for control in controls for rule in control.rules}
    stream.write(f"{len(controls)} controls covered by {len(covered)} rules\n")
    stream.write(f"{frameworks.DISCLAIMER}\n")
    return 0
