"""The effective settings of a run, after config files and flags are merged."""

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .finding import Severity

if TYPE_CHECKING:
    from datetime import date
else:
    # An evaluated annotation, not a string: typing.NamedTuple compiles a string annotation
    # (the first compile() of a process costs ~0.7 ms), and datetime costs ~2 ms to import.
    date = object

# Shared by every default Settings: typed read-only, never mutated (a
# MappingProxyType would not pickle, and Settings travel to spawned workers).
_NONE: Mapping[str, Any] = {}


class Settings(NamedTuple):
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = _NONE
    fail_on: Severity = Severity.ERROR
    params: Mapping[str, Any] = _NONE
    policy_paths: tuple[str, ...] = ()
    builtin_policies: bool = True
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    waivers: bool = True
    today: date | None = None  # None: the day of the run
    # The organisation's waiver policy (config `[waivers]`): who may approve a waiver, and how
    # far ahead of the run's day it may expire; empty / None: anyone, no limit (WVR004).
    waiver_approvers: tuple[str, ...] = ()
    waiver_max_days: int | None = None
    require_files: bool = False  # a run that finds no feature file fails (exit 1)
    evidence: str = "default"  # "strict": every declared evidence path must resolve (EVD001)
    discover: bool = False  # check runs archlint discover too (config `discover = true`, --discover)


def run_day(settings: Settings) -> str:
    """The day waivers are judged on, ISO (YYYY-MM-DD): `settings.today`, else today."""
    return settings.today.isoformat() if settings.today is not None else time.strftime("%Y-%m-%d")


def matches(selector: str, rule_id: str, rule_name: str) -> bool:
    """A selector names a rule by id, by name, or by an id prefix such as FT or RAG00."""
    selector = selector.strip()
    return (
        selector.upper() == rule_id
        or selector.lower() == rule_name
        or (selector.isalnum() and rule_id.startswith(selector.upper()))
        or selector.upper() == "ALL"
    )


# A file archlint could not read, or a rule it could not evaluate, is never
# silenced: ignoring them would turn "unknown" into a pass.
ALWAYS_ON = frozenset({"SCH001", "SCH002", "POL001"})


def enabled(settings: Settings, rule_id: str, rule_name: str) -> bool:
    """ruff's semantics: selected (or nothing selected) and not ignored; ALWAYS_ON rules always run."""
    if rule_id in ALWAYS_ON:
        return True
    if settings.select and not any(matches(s, rule_id, rule_name) for s in settings.select):
        return False
    return not any(matches(s, rule_id, rule_name) for s in settings.ignore)


def severity_for(settings: Settings, rule_id: str, rule_name: str, default: Severity) -> Severity:
    if rule_id in ALWAYS_ON:
        return default
    # The most specific selector wins: an exact id or name, then the longest prefix.
    best: tuple[int, Severity] | None = None
    for selector, severity in settings.severity.items():
        if not matches(selector, rule_id, rule_name):
            continue
        exact = selector.strip().upper() == rule_id or selector.strip().lower() == rule_name
        rank = 1000 if exact else len(selector.strip())
        if best is None or rank > best[0]:
            best = (rank, severity)
    return best[1] if best else default
