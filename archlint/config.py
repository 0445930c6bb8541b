"""Configuration: `[tool.archlint]` in pyproject.toml, or archlint.toml / .archlint.toml.

The first of those found walking up from the current directory wins (a
pyproject.toml without a [tool.archlint] table is passed over); `--config`
names one explicitly; `--isolated` ignores them all. Command-line flags
override the file. Every value remembers where it came from, for
`archlint config`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .finding import Severity
from .settings import Settings

CONFIG_NAMES = ("pyproject.toml", "archlint.toml", ".archlint.toml")
SEVERITIES = ("error", "warning", "info")

# key -> (expected type description, checker)
_LIST_OF_STRINGS = "a list of strings"
KEYS: dict[str, str] = {
    "select": _LIST_OF_STRINGS,
    "ignore": _LIST_OF_STRINGS,
    "severity": "a table of rule = 'error' | 'warning' | 'info'",
    "fail-on": "one of 'error', 'warning', 'info'",
    "params": "a table of param = value",
    "policy-paths": _LIST_OF_STRINGS,
    "include": _LIST_OF_STRINGS,
    "exclude": _LIST_OF_STRINGS,
    "builtin-policies": "true or false",
    "waivers": "true or false",
}


@dataclass(frozen=True)
class Resolved:
    """The effective settings, the config file used, and each value's origin."""

    settings: Settings
    file: str | None
    origins: Mapping[str, str] = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above `start` that configures archlint."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and not _has_tool_table(candidate):
                continue
            return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*archlint\s*[\].]", text, re.MULTILINE) is not None


def read_config(path: Path) -> dict[str, Any]:
    """Parse a config file and return its archlint table (possibly empty)."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror or exc}", str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("config file is not valid UTF-8", str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(f"invalid TOML: {message}", str(path), line, column) from None
    table = data.get("tool", {}).get("archlint", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError("[tool.archlint] must be a table", str(path))
    _validate(table, path, text)
    return table


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
    if match is None:
        match = re.search(rf"^\s*\[[^\]]*\b{re.escape(key)}\b", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _validate(table: Mapping[str, Any], path: Path, text: str) -> None:
    import difflib

    for key, value in table.items():
        line = _line_of(text, key)
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(KEYS)})"
            raise ConfigError(f"unknown key '{key}'{hint}", str(path), line)
        expected = KEYS[key]
        ok = {
            _LIST_OF_STRINGS: isinstance(value, list) and all(isinstance(v, str) for v in value),
            "true or false": isinstance(value, bool),
            "one of 'error', 'warning', 'info'": value in SEVERITIES,
            "a table of param = value": isinstance(value, dict)
            and all(isinstance(v, (int, float, str, bool)) for v in value.values()),
            "a table of rule = 'error' | 'warning' | 'info'": isinstance(value, dict)
            and all(v in SEVERITIES for v in value.values()),
        }[expected]
        if not ok:
            raise ConfigError(f"'{key}' must be {expected}, got {value!r}", str(path), line)


def split_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_param(text: str) -> tuple[str, Any]:
    """NAME=VALUE from the command line; VALUE is read as an int, float or bool if it looks like one."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"--param takes NAME=VALUE, got {text!r}")
    raw = raw.strip()
    value: Any = raw
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        for kind in (int, float):
            try:
                value = kind(raw)
                break
            except ValueError:
                continue
    return name.strip(), value


def resolve(args: Any, cwd: Path) -> Resolved:
    """Merge defaults, the config file and the command line into Settings."""
    origins: dict[str, str] = {}
    table: dict[str, Any] = {}
    config_file: Path | None = None
    if getattr(args, "config", None):
        config_file = Path(args.config)
        if not config_file.is_file():
            raise ConfigError("config file does not exist", str(config_file))
    elif not getattr(args, "isolated", False):
        config_file = find_config(cwd)
    if config_file is not None:
        table = read_config(config_file)
        for key in table:
            origins[key] = str(config_file)
    base = config_file.parent if config_file is not None else cwd

    def from_cli(key: str, value: Any) -> Any:
        origins[key] = "command line"
        return value

    select = tuple(table.get("select", ()))
    if getattr(args, "select", None):
        select = from_cli("select", split_list(args.select))
    ignore = tuple(table.get("ignore", ()))
    if getattr(args, "ignore", None):
        ignore = from_cli("ignore", ignore + split_list(args.ignore))
    fail_on = table.get("fail-on", "error")
    if getattr(args, "fail_on", None):
        fail_on = from_cli("fail-on", args.fail_on)
    params = dict(table.get("params", {}))
    for item in getattr(args, "param", []) or []:
        name, value = parse_param(item)
        params[name] = value
        origins[f"params.{name}"] = "command line"
    # Policy paths in a config file are relative to that file.
    policy_paths = tuple(str(base / p) for p in table.get("policy-paths", ()))
    if getattr(args, "policies", None):
        policy_paths = from_cli("policy-paths", policy_paths + tuple(args.policies))
    builtin = table.get("builtin-policies", True)
    if getattr(args, "builtin_policies", None) is False:
        builtin = from_cli("builtin-policies", False)
    honour_waivers = table.get("waivers", True)
    if getattr(args, "waivers", True) is False:
        honour_waivers = from_cli("waivers", False)
    settings = Settings(
        select=select,
        ignore=ignore,
        severity={rule: Severity(level) for rule, level in table.get("severity", {}).items()},
        fail_on=Severity(fail_on),
        params=params,
        policy_paths=policy_paths,
        builtin_policies=builtin,
        include=tuple(table.get("include", ())),
        exclude=tuple(table.get("exclude", ())),
        waivers=honour_waivers,
    )
    return Resolved(settings, str(config_file) if config_file else None, origins)


def check_against_catalog(resolved: Resolved, catalog: Any) -> None:
    """Refuse selectors and params that name nothing a loaded policy defines."""
    from .settings import matches

    settings = resolved.settings
    rules = catalog.rules

    def where(key: str) -> str:
        return resolved.origins.get(key, "configuration")

    for key, selectors in (
        ("select", settings.select),
        ("ignore", settings.ignore),
        ("severity", tuple(settings.severity)),
    ):
        for selector in selectors:
            if not any(matches(selector, rule.id, rule.name) for rule in rules):
                close = catalog.close_matches(selector)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ConfigError(f"{key}: unknown rule '{selector}'{hint}", where(key))
    for name, value in settings.params.items():
        declared = catalog.params.get(name)
        origin = resolved.origins.get(f"params.{name}", where("params"))
        if declared is None:
            known = ", ".join(sorted(catalog.params))
            raise ConfigError(f"unknown param '{name}' (known: {known})", origin)
        if not _same_kind(declared.default, value):
            raise ConfigError(
                f"param '{name}' must be {type(declared.default).__name__}, got {value!r}", origin
            )


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (isinstance(default, float) or isinstance(value, int))
    return isinstance(value, type(default))


def describe(resolved: Resolved, catalog: Any) -> list[tuple[str, str, str]]:
    """(key, value, origin) rows for `archlint config`."""
    s = resolved.settings
    rows: list[tuple[str, Any, str]] = [
        ("select", list(s.select) or "all rules", resolved.origins.get("select", "default")),
        ("ignore", list(s.ignore), resolved.origins.get("ignore", "default")),
        (
            "severity",
            {k: v.value for k, v in s.severity.items()},
            resolved.origins.get("severity", "default"),
        ),
        ("fail-on", s.fail_on.value, resolved.origins.get("fail-on", "default")),
        ("builtin-policies", s.builtin_policies, resolved.origins.get("builtin-policies", "default")),
        ("policy-paths", list(s.policy_paths), resolved.origins.get("policy-paths", "default")),
        ("include", list(s.include), resolved.origins.get("include", "default")),
        ("exclude", list(s.exclude), resolved.origins.get("exclude", "default")),
        ("waivers", s.waivers, resolved.origins.get("waivers", "default")),
    ]
    for name, param in sorted(catalog.params.items()):
        if name in s.params:
            origin = resolved.origins.get(f"params.{name}", resolved.origins.get("params", "configuration"))
            rows.append((f"params.{name}", s.params[name], origin))
        else:
            rows.append((f"params.{name}", param.default, f"default ({Path(param.source).name})"))
    return [(key, _show(value), origin) for key, value, origin in rows]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def load_for(args: Any, cwd: Path | None = None, extra_policies: Sequence[str] = ()) -> tuple[Resolved, Any]:
    """Resolve settings and load the catalog they name; check one against the other."""
    from .policies import load_catalog

    resolved = resolve(args, cwd or Path.cwd())
    settings = resolved.settings
    catalog = load_catalog([*settings.policy_paths, *extra_policies], builtin=settings.builtin_policies)
    check_against_catalog(resolved, catalog)
    return resolved, catalog
