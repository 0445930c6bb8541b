"""Configuration: `[tool.archlint]` in pyproject.toml, or archlint.toml / .archlint.toml.

The first of those found walking up from the current directory wins (a
pyproject.toml without a [tool.archlint] table is passed over); `--config`
names one explicitly; `--isolated` ignores them all. Command-line flags
override the file. Every value remembers where it came from, for
`archlint config`.
"""

import os
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import ConfigError
from .finding import Severity
from .paths import ancestors
from .settings import Settings

# Paths as text or os.PathLike; os.path throughout, as pathlib costs ~3 ms to import on every run.
StrPath = str | os.PathLike[str]

# Within one folder a dedicated file beats pyproject.toml (ruff's order).
CONFIG_NAMES = (".archlint.toml", "archlint.toml", "pyproject.toml")
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
    "discover": "true or false",  # archlint check also runs archlint discover (DSC001-DSC004)
}


class Resolved(NamedTuple):
    """The effective settings, the config file used, and each value's origin."""

    settings: Settings
    file: str | None
    origins: Mapping[str, str] = MappingProxyType({})
    text: str = ""  # the config file's text, to locate values in errors

    def where(self, key: str, item: str | None = None) -> tuple[str | None, int | None]:
        """(config file, line) of a value; (None, None) when it came from the command line."""
        origin = self.origins.get(f"{key}.{item}") or self.origins.get(key, "")
        if self.file is None or origin == "command line":
            return None, None
        return self.file, locate(self.text, _is_pyproject(self.file), key, item)


def find_config(start: StrPath) -> str | None:
    """The nearest config file at or above `start` that configures archlint."""
    for directory in ancestors(os.path.abspath(start)):
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if not os.path.isfile(candidate):
                continue
            if name == "pyproject.toml" and not _has_tool_table(candidate):
                continue
            return candidate
    return None


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    # Also a malformed [tool.archlint header or a dotted tool.archlint.x key: both must be reported.
    return re.search(r"^\s*\[*\s*tool\s*\.\s*archlint\b", text, re.MULTILINE) is not None


def _is_pyproject(path: StrPath) -> bool:
    return os.path.basename(path) == "pyproject.toml"


def read_config(path: StrPath) -> dict[str, Any]:
    """Parse a config file and return its archlint table (possibly empty)."""
    return _read(path)[0]


def _read(path: StrPath) -> tuple[dict[str, Any], str]:
    import tomllib

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
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
    table = data.get("tool", {}).get("archlint", {}) if _is_pyproject(path) else data
    if not isinstance(table, dict):
        raise ConfigError("[tool.archlint] must be a table", str(path))
    _validate(table, path, text)
    return table, text


# Patterns as text: `re` compiles them when an error is first located, not at import.
_HEADER = r"^\s*\[\[?([^\]]+)\]\]?\s*(#.*)?$"
_ASSIGNMENT = (
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _dotted(key: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', key))


def locate(text: str, pyproject: bool, key: str, item: str | None = None) -> int | None:
    """The 1-based line of `key` in the archlint table, or of `item` within it.

    tomllib keeps no positions, so this scans the text, following table
    headers and dotted keys. `item` is a key of a sub-table (severity,
    params) or a string in a list (select, ignore); when it cannot be found
    the key's own line is the answer.
    """
    prefix = ("tool", "archlint") if pyproject else ()
    wanted = (*prefix, key)
    lines = text.splitlines()
    table: tuple[str, ...] = ()
    key_line: int | None = None
    for number, line in enumerate(lines, 1):
        header = re.match(_HEADER, line)
        if header:
            table = _dotted(header.group(1))
            if table == wanted and key_line is None:
                key_line = number
            continue
        assignment = re.match(_ASSIGNMENT, line)
        if assignment is None:
            continue
        full = table + _dotted(assignment.group(1))
        if item is not None and full == (*wanted, item):
            return number
        if full[: len(wanted)] == wanted and key_line is None:
            key_line = number
            if item is None:
                return number
    if key_line is None or item is None:
        return key_line
    # An item in a list or an inline table: the first line from the key on that mentions it.
    pattern = re.compile(rf"([\"']){re.escape(item)}\1|(^|[{{,\s]){re.escape(item)}\s*=")
    for number in range(key_line, len(lines) + 1):
        text_line = lines[number - 1]
        if number > key_line and (re.match(_HEADER, text_line) or re.match(_ASSIGNMENT, text_line)):
            break
        if pattern.search(text_line):
            return number
    return key_line


def _validate(table: Mapping[str, Any], path: StrPath, text: str) -> None:
    import difflib

    pyproject = _is_pyproject(path)
    for key, value in table.items():
        line = locate(text, pyproject, key)
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
        if not ok and isinstance(value, dict):
            # Point at the one entry that is wrong, not at the table.
            for name, item in value.items():
                if key == "severity" and item not in SEVERITIES:
                    problem = "must be 'error', 'warning' or 'info'"
                elif key == "params" and not isinstance(item, (int, float, str, bool)):
                    problem = "must be a number, a string or true/false"
                else:
                    continue
                where = locate(text, pyproject, key, name)
                raise ConfigError(f"{key}.{name} {problem}, got {item!r}", str(path), where)
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


def resolve(args: Any, cwd: StrPath) -> Resolved:
    """Merge defaults, the config file and the command line into Settings."""
    origins: dict[str, str] = {}
    table: dict[str, Any] = {}
    config_file: str | None = None
    if getattr(args, "config", None):
        config_file = str(args.config)
        if os.path.isdir(config_file):
            raise ConfigError("--config names a directory; give a TOML file", config_file)
        if not os.path.isfile(config_file):
            raise ConfigError("config file does not exist", config_file)
    elif not getattr(args, "isolated", False):
        config_file = find_config(cwd)
    text = ""
    if config_file is not None:
        table, text = _read(config_file)
        for key in table:
            origins[key] = str(config_file)
    base = os.path.dirname(config_file) if config_file is not None else os.fspath(cwd)

    def from_cli(key: str, value: Any) -> Any:
        origins[key] = "command line"
        return value

    select = tuple(table.get("select", ()))
    if getattr(args, "select", None):
        select = from_cli("select", split_list(args.select))
    ignore = tuple(table.get("ignore", ()))
    if getattr(args, "ignore", None):
        # --ignore adds to the config's list; each added selector remembers its origin.
        added = split_list(args.ignore)
        origins.update({f"ignore.{item}": "command line" for item in added if item not in ignore})
        origins["ignore"] = f"{origins['ignore']} + command line" if ignore else "command line"
        ignore += added
    fail_on = table.get("fail-on", "error")
    if getattr(args, "fail_on", None):
        fail_on = from_cli("fail-on", args.fail_on)
    params = dict(table.get("params", {}))
    for item in getattr(args, "param", []) or []:
        name, value = parse_param(item)
        params[name] = value
        origins[f"params.{name}"] = "command line"
    # Policy paths in a config file are relative to that file.
    policy_paths = tuple(os.path.normpath(os.path.join(base, p)) for p in table.get("policy-paths", ()))
    for raw, resolved_path in zip(table.get("policy-paths", ()), policy_paths, strict=True):
        if not os.path.exists(resolved_path):
            assert config_file is not None  # policy-paths only come from a file
            raise ConfigError(
                f"policy-paths: '{raw}' does not exist (paths are relative to the config file)",
                str(config_file),
                locate(text, _is_pyproject(config_file), "policy-paths", raw),
            )
    if getattr(args, "policies", None):
        if policy_paths:
            origins["policy-paths"] = f"{origins['policy-paths']} + command line"
        else:
            origins["policy-paths"] = "command line"
        policy_paths += tuple(args.policies)
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
        discover=bool(table.get("discover", False)),
    )
    return Resolved(settings, str(config_file) if config_file else None, origins, text)


def check_against_catalog(resolved: Resolved, catalog: Any) -> None:
    """Refuse selectors and params that name nothing a loaded policy defines."""
    from .settings import matches

    settings = resolved.settings

    def error(key: str, item: str, message: str) -> ConfigError:
        # "select: unknown rule" in a file, "--select: unknown rule" on the command line.
        file, line = resolved.where(key, item)
        if file is None:
            return ConfigError(f"--{'param' if key == 'params' else key}{message}")
        return ConfigError(f"{key}{message}", file, line)

    for key, selectors in (
        ("select", settings.select),
        ("ignore", settings.ignore),
        ("severity", tuple(settings.severity)),
    ):
        for selector in selectors:
            if not any(matches(selector, rule.id, rule.name) for rule in catalog.rules):
                close = catalog.close_matches(selector)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise error(key, selector, f": unknown rule '{selector}'{hint}")
    for name, value in settings.params.items():
        declared = catalog.params.get(name)
        if declared is None:
            known = ", ".join(sorted(catalog.params))
            raise error("params", name, f": unknown param '{name}' (known: {known})")
        if not _same_kind(declared.default, value):
            kind = type(declared.default).__name__
            raise error(
                "params",
                name,
                f": {name} must be {kind} like its default {declared.default!r}, got {value!r}",
            )


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (isinstance(default, float) or isinstance(value, int))
    return isinstance(value, type(default))


def describe(resolved: Resolved, catalog: Any) -> list[tuple[str, str, str]]:
    """(key, value, origin) rows for `archlint config`; a config file origin carries its line."""
    s = resolved.settings

    def origin(key: str, item: str | None = None) -> str:
        raw = (resolved.origins.get(f"{key}.{item}") if item else None) or resolved.origins.get(key)
        if raw is None:
            return "default"
        file, line = resolved.where(key, item)
        if file is None or line is None or not raw.startswith(file):
            return raw
        return f"{file}:{line}{raw[len(file) :]}"

    rows: list[tuple[str, Any, str]] = [
        ("select", list(s.select) or "all rules", origin("select")),
        ("ignore", list(s.ignore), origin("ignore")),
    ]
    if s.severity:
        rows.extend(
            (f"severity.{rule}", level.value, origin("severity", rule)) for rule, level in s.severity.items()
        )
    else:
        rows.append(("severity", {}, "default"))
    rows += [
        ("fail-on", s.fail_on.value, origin("fail-on")),
        ("builtin-policies", s.builtin_policies, origin("builtin-policies")),
        ("policy-paths", list(s.policy_paths), origin("policy-paths")),
        ("include", list(s.include), origin("include")),
        ("exclude", list(s.exclude), origin("exclude")),
        ("waivers", s.waivers, origin("waivers")),
        ("discover", s.discover, origin("discover")),
    ]
    for name, param in sorted(catalog.params.items()):
        if name in s.params:
            rows.append((f"params.{name}", s.params[name], origin("params", name)))
        else:
            rows.append((f"params.{name}", param.default, f"default ({os.path.basename(param.source)})"))
    return [(key, _show(value), where) for key, value, where in rows]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def load_for(
    args: Any, cwd: StrPath | None = None, extra_policies: Sequence[str] = ()
) -> tuple[Resolved, Any]:
    """Resolve settings and load the catalog they name; check one against the other."""
    from .policies import load_files

    resolved = resolve(args, os.getcwd() if cwd is None else cwd)
    catalog = load_files(policy_files_for(resolved.settings, extra_policies))
    check_against_catalog(resolved, catalog)
    return resolved, catalog


def policy_files_for(settings: Settings, extra_policies: Sequence[str] = ()) -> list[tuple[str, bool]]:
    """(path, is built-in) of the policy files these settings name, in load order."""
    from . import resources
    from .policy_paths import expand_policy_paths, policy_files

    # A file named twice (config and command line, or a built-in file named in
    # a checkout of archlint itself) is loaded once, not reported as a collision.
    seen = (
        {os.path.realpath(p) for p in resources.builtin_policy_files()}
        if settings.builtin_policies
        else set()
    )
    files = []
    for path in expand_policy_paths([*settings.policy_paths, *extra_policies]):
        if os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            files.append(path)
    return policy_files(files, builtin=settings.builtin_policies)
