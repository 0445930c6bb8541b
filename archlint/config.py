"""Configuration in layers: defaults, the organisation's config, the repository's, the flags.

- **org**: `--org-config PATH` or `ARCHLINT_ORG_CONFIG`, a file outside the checkout. With
  `lock = true` the repository may only make the gate stricter (`check_lock`).
- **repo**: `[tool.archlint]` in pyproject.toml, or archlint.toml / .archlint.toml. Each
  feature file is configured by the nearest of those at or above its folder (two in one folder
  are an error); `extend = "../archlint.toml"` inherits from another file in the repository.
  `--config` names one file for every feature file; `--isolated` ignores them.
- **flag**: the command line, which belongs to whoever runs archlint.

Config files are parsed by `tomllib` alone; line numbers for error messages come from one
linear scan of the text (`locate`), made only when there is an error or a row to show.
"""

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import ConfigError
from .finding import Severity
from .paths import ancestors, git_root, inside, project_root
from .settings import Settings

# Paths as text or os.PathLike; os.path throughout, as pathlib costs ~3 ms to import on every run.
StrPath = str | os.PathLike[str]

# The names a repository config may have; two of them configuring archlint in one folder is an error.
CONFIG_NAMES = (".archlint.toml", "archlint.toml", "pyproject.toml")
SEVERITIES = ("error", "warning", "info")
ORG, REPO, FLAG, DEFAULT = "org", "repo", "flag", "default"
ORG_CONFIG_ENV = "ARCHLINT_ORG_CONFIG"
MAX_EXTENDS = 32  # files in one extend chain

_LIST_OF_STRINGS = "a list of strings"
_BOOL = "true or false"
KEYS: dict[str, str] = {
    "select": _LIST_OF_STRINGS,
    "ignore": _LIST_OF_STRINGS,
    "severity": "a table of rule = 'error' | 'warning' | 'info'",
    "fail-on": "one of 'error', 'warning', 'info'",
    "params": "a table of param = value",
    "policy-paths": _LIST_OF_STRINGS,
    "include": _LIST_OF_STRINGS,
    "exclude": _LIST_OF_STRINGS,
    "builtin-policies": _BOOL,
    "waivers": "true, false or a table with max-days and approvers",
    "extend": "a path to another config file",
    # Only in the organisation config:
    "lock": _BOOL,
    "baseline": _BOOL,
    "require-files": _BOOL,
    "evidence": "'default' or 'strict'",
    "discover": _BOOL,  # archlint check also runs archlint discover (DSC001-DSC004)
}
EVIDENCE_MODES = ("default", "strict")
ORG_ONLY = frozenset({"lock", "baseline"})
WAIVER_KEYS = ("max-days", "approvers")


class Source(NamedTuple):
    """One config file as read: its archlint table, its text (to locate values) and its layer."""

    path: str
    layer: str
    table: Mapping[str, Any]
    text: str

    def line(self, key: str, item: str | None = None) -> int | None:
        return locate(self.text, _is_pyproject(self.path), key, item)


class Origin(NamedTuple):
    """Where a value came from: a layer, and for org and repo the file that set it."""

    layer: str
    source: Source | None = None
    key: str = ""
    item: str | None = None
    detail: str = ""  # a flag's name, or the policy file of a param's default

    def where(self) -> tuple[str | None, int | None]:
        if self.source is None:
            return None, None
        return self.source.path, self.source.line(self.key, self.item)

    def __str__(self) -> str:
        file, line = self.where()
        if file is not None:
            return f"{file}:{line}" if line is not None else file
        if self.layer == FLAG:
            return self.detail or "command line"
        return f"default ({self.detail})" if self.detail else "default"


Origins = Mapping[str, tuple[Origin, ...]]
_NO_ORIGINS: Origins = MappingProxyType({})


class Resolved(NamedTuple):
    """The effective settings for some folder, the config files behind them and each value's origin."""

    settings: Settings
    file: str | None  # the repository config file (the nearest, or --config); None without one
    origins: Origins = _NO_ORIGINS
    org: str | None = None  # the organisation config file
    locked: bool = False
    baseline: bool = True  # false: the organisation config forbids baselines
    # The settings of the org layer alone (what a locked repository config is compared with),
    # and the org and repo layers before the flags; both None without a lock.
    org_settings: Settings | None = None
    unflagged: Settings | None = None
    unflagged_origins: Origins = _NO_ORIGINS
    org_policy_paths: tuple[str, ...] = ()

    def origin(self, key: str, item: str | None = None) -> tuple[Origin, ...]:
        found = self.origins.get(f"{key}.{item}") if item is not None else None
        return found or self.origins.get(key) or (Origin(DEFAULT),)

    def where(self, key: str, item: str | None = None) -> tuple[str | None, int | None]:
        """(config file, line) of a value; (None, None) when it came from a flag or a default."""
        origins = [origin for origin in reversed(self.origin(key, item)) if origin.source is not None]
        # Of a list several layers made, the file whose own list holds the item.
        for origin in origins:
            if item is None or origin.item is not None or _holds(origin.source, key, item):
                assert origin.source is not None
                return origin.source.path, origin.source.line(key, item)
        return (
            (origins[0].source.path, origins[0].source.line(key))
            if origins and origins[0].source
            else (None, None)
        )

    def layer(self, key: str, item: str | None = None) -> str:
        """The layers a value came from: org, repo, flag or default (joined with + when several)."""
        layers: list[str] = []
        for origin in self.origin(key, item):
            if origin.layer not in layers:
                layers.append(origin.layer)
        return " + ".join(layers)


def _holds(source: Source | None, key: str, item: str) -> bool:
    value = source.table.get(key) if source is not None else None
    return isinstance(value, (list, dict)) and item in value


# ---------------------------------------------------------------- reading one file


def _is_pyproject(path: StrPath) -> bool:
    return os.path.basename(path) == "pyproject.toml"


def _read_text(path: StrPath) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror or exc}", str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("config file is not valid UTF-8", str(path)) from None


def _parse(text: str, path: StrPath) -> dict[str, Any]:
    """tomllib, with its errors located; nesting too deep for it is a located error too."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _split_position(str(exc))
        raise ConfigError(f"invalid TOML: {message}", str(path), line, column) from None
    except RecursionError:
        depth, line, column = deepest(text)
        raise ConfigError(
            f"invalid TOML: arrays or inline tables nested {depth} deep, too deep to read",
            str(path),
            line,
            column,
        ) from None


def _split_position(message: str) -> tuple[str, int | None, int | None]:
    """tomllib's "Invalid value (at line 3, column 9)" as ("Invalid value", 3, 9)."""
    head, sep, tail = message.rpartition(" (at line ")
    if not sep:
        return message, None, None
    line, _, rest = tail.partition(", column ")
    column = rest.rstrip(")")
    if line.isdigit() and column.isdigit():
        return head, int(line), int(column)
    return message, None, None


def deepest(text: str) -> tuple[int, int, int]:
    """(depth, line, column) of the first place where `[` and `{` outside strings and comments
    nest deepest: one pass over the text."""
    depth = best = 0
    at = (1, 1)
    line, line_start = 1, 0
    quote = ""  # the delimiter of the string we are in: " ' \"\"\" '''
    comment = False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\n":
            line, line_start = line + 1, i + 1
            comment = False
            if len(quote) == 1:
                quote = ""  # a one-line string cannot span lines (tomllib reports that)
        elif comment:
            pass
        elif quote:
            if char == "\\" and quote[0] == '"':
                i += 1  # an escaped character
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif char == "#":
            comment = True
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote) - 1
        elif char in "[{":
            depth += 1
            if depth > best:
                best, at = depth, (line, i - line_start + 1)
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return best, at[0], at[1]


def _archlint_table(data: Mapping[str, Any], path: StrPath) -> dict[str, Any]:
    if not _is_pyproject(path):
        return dict(data)
    tool = data.get("tool", {})
    table = tool.get("archlint", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError("[tool.archlint] must be a table", str(path))
    return table


def read_config(path: StrPath) -> dict[str, Any]:
    """Parse and validate a config file and return its archlint table (possibly empty)."""
    return dict(read_source(path, REPO).table)


def read_source(path: StrPath, layer: str) -> Source:
    """Read, parse and validate one config file of a layer."""
    text = _read_text(path)
    table = _archlint_table(_parse(text, path), path)
    source = Source(str(path), layer, table, text)
    _validate(source)
    return source


def _validate(source: Source) -> None:
    import difflib

    for key, value in source.table.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(KEYS)})"
            raise ConfigError(f"unknown key '{key}'{hint}", source.path, source.line(key))
        if key in ORG_ONLY and source.layer != ORG:
            raise ConfigError(
                f"'{key}' may be set only in the organisation config (--org-config)",
                source.path,
                source.line(key),
            )
        problem = _problem(key, value)
        if problem is not None:
            item, message = problem
            raise ConfigError(message, source.path, source.line(key, item))


def _problem(key: str, value: Any) -> tuple[str | None, str] | None:
    """(item, message) of what is wrong with a value; None when it is right."""
    expected = KEYS[key]
    if expected == _LIST_OF_STRINGS:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif expected == _BOOL:
        ok = isinstance(value, bool)
    elif key == "fail-on":
        ok = value in SEVERITIES
    elif key == "extend":
        ok = isinstance(value, str) and value != ""
    elif key == "evidence":
        ok = value in EVIDENCE_MODES
    elif key in ("severity", "params") and isinstance(value, dict):
        for name, item in value.items():
            if key == "severity" and item not in SEVERITIES:
                return name, f"severity.{name} must be 'error', 'warning' or 'info', got {item!r}"
            if key == "params" and not isinstance(item, (int, float, str, bool)):
                return name, f"params.{name} must be a number, a string or true/false, got {item!r}"
        ok = True
    elif key == "waivers" and isinstance(value, dict):
        return _waivers_problem(value)
    else:
        ok = key == "waivers" and isinstance(value, bool)
    return None if ok else (None, f"'{key}' must be {expected}, got {value!r}")


def _waivers_problem(table: Mapping[str, Any]) -> tuple[str | None, str] | None:
    for name, item in table.items():
        if name not in WAIVER_KEYS:
            return name, f"unknown key 'waivers.{name}' (known: {', '.join(WAIVER_KEYS)})"
        if name == "max-days" and (
            isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 36500
        ):
            return name, f"waivers.max-days must be a whole number of days from 0 to 36500, got {item!r}"
        if name == "approvers" and not (
            isinstance(item, list) and all(isinstance(v, str) and v.strip() for v in item)
        ):
            return name, f"waivers.approvers must be a list of names, got {item!r}"
    return None


# ---------------------------------------------------------------- locating values (linear)


def _dotted_key(text: str, start: int) -> tuple[tuple[str, ...] | None, int]:
    """A TOML dotted key at `start` (after blanks) and the index after it; (None, start) if none."""
    parts: list[str] = []
    i, n = start, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "\"'":
            quote = text[i]
            j = i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" and quote == '"' else 1
            if j >= n:
                return None, start
            parts.append(text[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_-"):
                j += 1
            if j == i:
                return None, start
            parts.append(text[i:j])
            i = j
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return tuple(parts), i


def _line_key(line: str) -> tuple[str, tuple[str, ...]] | None:
    """("header", table) for a table header, ("assign", key) for `key = ...`, else None."""
    stripped = line.lstrip()
    if stripped.startswith("["):
        begin = 2 if stripped.startswith("[[") else 1
        key, end = _dotted_key(stripped, begin)
        if key is not None and stripped[end : end + 1] == "]":
            return "header", key
        return None
    key, end = _dotted_key(stripped, 0)
    if key is not None and stripped[end : end + 1] == "=":
        return "assign", key
    return None


def _mentions(line: str, item: str) -> bool:
    """Whether a line holds `item` as a quoted string or as an inline-table key."""
    if f'"{item}"' in line or f"'{item}'" in line:
        return True
    at = line.find(item)
    while at >= 0:
        before = line[at - 1] if at > 0 else " "
        after = line[at + len(item) :].lstrip()
        if before in "{, \t" and after.startswith("="):
            return True
        at = line.find(item, at + 1)
    return False


def locate(text: str, pyproject: bool, key: str, item: str | None = None) -> int | None:
    """The 1-based line of `key` in the archlint table, or of `item` within it.

    tomllib keeps no positions, so this scans the lines once, following table
    headers and dotted keys. `item` is a key of a sub-table (severity, params,
    waivers) or a string in a list (select, ignore); when it cannot be found
    the key's own line is the answer.
    """
    prefix = ("tool", "archlint") if pyproject else ()
    wanted = (*prefix, key)
    # Lines as TOML counts them: ended by "\n" only (a "\r\n" leaves a "\r", stripped as a blank).
    lines = text.split("\n")
    table: tuple[str, ...] = ()
    key_line: int | None = None
    for number, line in enumerate(lines, 1):
        parsed = _line_key(line)
        if parsed is None:
            continue
        kind, name = parsed
        if kind == "header":
            table = name
            if table == wanted and key_line is None:
                key_line = number
            continue
        full = table + name
        if item is not None and full == (*wanted, item):
            return number
        if full[: len(wanted)] == wanted and key_line is None:
            key_line = number
            if item is None:
                return number
    if key_line is None or item is None:
        return key_line
    # An item in a list or an inline table: the first line from the key on that mentions it.
    for number in range(key_line, len(lines) + 1):
        text_line = lines[number - 1]
        if number > key_line and _line_key(text_line) is not None:
            break
        if _mentions(text_line, item):
            return number
    return key_line


# ---------------------------------------------------------------- finding files


def _configures_archlint(path: str) -> bool:
    """Whether a pyproject.toml has a [tool.archlint] table; one that does not parse counts when
    it mentions archlint at all, so that its error is reported instead of the file passed over."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    if "archlint" not in text:
        return False  # the usual pyproject.toml: no need to parse it
    import tomllib

    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return True
    tool = data.get("tool")
    return isinstance(tool, dict) and "archlint" in tool


def configs_in(directory: str) -> list[str]:
    """The config files of one folder (normally none or one)."""
    # One listing, not a stat per name: this runs for every folder of a large run.
    try:
        listing = os.listdir(directory)
    except OSError:  # an unreadable folder: ask for each name
        listing = list(CONFIG_NAMES)
    present = set(listing)
    names = [name for name in CONFIG_NAMES if name in present]
    found = []
    for name in names:
        candidate = os.path.join(directory, name)
        if not os.path.isfile(candidate):
            continue
        if name == "pyproject.toml" and not _configures_archlint(candidate):
            continue
        found.append(candidate)
    return found


def _one_config(directory: str) -> str | None:
    found = configs_in(directory)
    if len(found) > 1:
        names = ", ".join(os.path.basename(path) for path in found)
        raise ConfigError(
            f"more than one archlint config in this folder ({names}): keep one, so that which "
            "settings apply is never in doubt",
            directory,
        )
    return found[0] if found else None


def find_config(start: StrPath) -> str | None:
    """The nearest config file at or above `start` that configures archlint."""
    for directory in ancestors(os.path.abspath(start)):
        found = _one_config(directory)
        if found is not None:
            return found
    return None


def _chain(path: str, layer: str, root: str | None) -> tuple[Source, ...]:
    """A config file and the files it extends, the most basic first."""
    chain: list[Source] = []
    seen: list[str] = []
    current = path
    while True:
        real = os.path.realpath(current)
        source = read_source(current, layer)
        if real in seen:
            cycle = " -> ".join([*(os.path.basename(p) for p in seen), os.path.basename(real)])
            previous = chain[0]
            raise ConfigError(f"extend: cycle ({cycle})", previous.path, previous.line("extend"))
        seen.append(real)
        chain.insert(0, source)
        extend = source.table.get("extend")
        if extend is None:
            return tuple(chain)
        if len(chain) >= MAX_EXTENDS:
            raise ConfigError(
                f"extend: more than {MAX_EXTENDS} files in one chain", source.path, source.line("extend")
            )
        target = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(current)), extend))
        if root is not None and not inside(target, root):
            raise ConfigError(
                f"extend: '{extend}' is outside the repository ({root}); a repository config may "
                "only extend files inside it",
                source.path,
                source.line("extend"),
            )
        if not os.path.isfile(target):
            raise ConfigError(
                f"extend: '{extend}' does not exist (paths are relative to the config file)",
                source.path,
                source.line("extend"),
            )
        current = target


# ---------------------------------------------------------------- merging layers


_ADDING_LISTS = ("ignore", "include", "exclude", "policy-paths")


class _Layer:
    """The values of one layer (a chain of files): later files add to lists (but replace
    `select`), replace scalars, and override tables entry by entry."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, tuple[Origin, ...]] = {}
        self.sources = tuple(sources)
        for source in sources:
            self._add(source)

    def _add(self, source: Source) -> None:
        layer = source.layer
        for key, value in source.table.items():
            if key == "extend":
                continue
            if key in ("severity", "params") or (key == "waivers" and isinstance(value, dict)):
                table = dict(self.values.get(key, {})) if isinstance(self.values.get(key), dict) else {}
                for name, item in value.items():
                    table[name] = item
                    self.origins[f"{key}.{name}"] = (Origin(layer, source, key, name),)
                self.values[key] = table
                if key == "waivers":
                    self.values["waivers-honour"] = self.values.get("waivers-honour", True)
                    continue
            elif key == "waivers":
                self.values["waivers-honour"] = value
                self.origins["waivers"] = (Origin(layer, source, key),)
                continue
            elif key in _ADDING_LISTS:
                if key == "policy-paths":
                    base = os.path.dirname(os.path.abspath(source.path))
                    value = [(os.path.normpath(os.path.join(base, p)), p, source) for p in value]
                # Lists add up along an extend chain (select, which narrows, replaces).
                before = self.values.get(key, [])
                self.values[key] = [*before, *(entry for entry in value if entry not in before)]
                self.origins[key] = (*self.origins.get(key, ()), Origin(layer, source, key))
                continue
            else:
                self.values[key] = value
            self.origins[key] = (Origin(layer, source, key),)


def _combine_lists(
    key: str, org: _Layer, repo: _Layer, values: dict[str, Any], origins: dict[str, tuple[Origin, ...]]
) -> None:
    """An org list and a repo list together: the org's entries, then the repo's new ones."""
    first, second = org.values.get(key), repo.values.get(key)
    if second is None:
        if first is not None:
            values[key], origins[key] = list(first), org.origins[key]
        return
    if first is None:
        values[key], origins[key] = list(second), repo.origins[key]
        return
    values[key] = [*first, *(x for x in second if x not in first)]
    origins[key] = (*org.origins[key], *repo.origins[key])
    for entry in second:
        if entry not in first and isinstance(entry, str):
            origins[f"{key}.{entry}"] = repo.origins[key]


def _merge(org: _Layer, repo: _Layer, locked: bool) -> tuple[dict[str, Any], dict[str, tuple[Origin, ...]]]:
    values: dict[str, Any] = {}
    origins: dict[str, tuple[Origin, ...]] = {}
    for layer in (org, repo):
        for key, value in layer.values.items():
            if key in ("severity", "params", "waivers"):
                values[key] = {**values.get(key, {}), **value}
            else:
                values[key] = value
        origins.update(layer.origins)
    # What the organisation adds stays: its policies, its ignores and excludes.
    for key in ("ignore", "include", "exclude", "policy-paths"):
        _combine_lists(key, org, repo, values, origins)
    if locked:
        _combine_lists("select", org, repo, values, origins)  # select more rules, never fewer
    return values, origins


def _check_lock(source: Source, org: _Layer) -> None:
    """Refuse what a repository config file may not do under an organisation lock."""
    lock_origin = org.origins["lock"][0]
    lock_file, lock_line = lock_origin.where()
    why = f"the organisation config ({lock_file}:{lock_line}) sets lock = true"

    def refuse(key: str, item: str | None, rule: str) -> ConfigError:
        label = f"{key}.{item}" if key == "waivers" and item else key
        return ConfigError(f"{label}: {rule}: {why}", source.path, source.line(key, item))

    table = source.table
    for key, verb in (("ignore", "ignore rules"), ("exclude", "exclude files")):
        allowed = org.values.get(key, [])
        for entry in table.get(key, []):
            if entry not in allowed:
                raise refuse(key, entry, f"a repository config may not {verb} ('{entry}')")
    if (
        "select" in table
        and not org.values.get("select")
        and not any(entry.strip().upper() == "ALL" for entry in table["select"])
    ):
        raise refuse(
            "select", None, "a repository config may only select more rules, and every rule already runs"
        )
    if table.get("builtin-policies") is False and org.values.get("builtin-policies", True):
        raise refuse("builtin-policies", None, "a repository config may not disable the built-in policies")
    if "fail-on" in table and table["fail-on"] != org.values.get("fail-on", "error"):
        raise refuse("fail-on", None, "a repository config may not change fail-on")
    if table.get("require-files") is False and org.values.get("require-files", False):
        raise refuse("require-files", None, "a repository config may not turn off require-files")
    if table.get("evidence") == "default" and org.values.get("evidence") == "strict":
        raise refuse("evidence", None, "a repository config may not relax evidence = 'strict'")
    waivers = table.get("waivers")
    if waivers is True and org.values.get("waivers-honour", True) is False:
        raise refuse(
            "waivers", None, "a repository config may not honour waivers the organisation turned off"
        )
    if isinstance(waivers, dict):
        org_waivers = org.values.get("waivers", {})
        limit = org_waivers.get("max-days")
        if "max-days" in waivers and limit is not None and waivers["max-days"] > limit:
            raise refuse(
                "waivers", "max-days", f"a repository config may not raise waivers.max-days above {limit}"
            )
        approvers = org_waivers.get("approvers")
        for name in waivers.get("approvers", []):
            if approvers is not None and name not in approvers:
                raise refuse("waivers", "approvers", f"a repository config may not add the approver '{name}'")


def _settings(values: Mapping[str, Any]) -> Settings:
    waivers = values.get("waivers", {})
    max_days = waivers.get("max-days")
    return Settings(
        select=tuple(values.get("select", ())),
        ignore=tuple(values.get("ignore", ())),
        severity={rule: Severity(level) for rule, level in values.get("severity", {}).items()},
        fail_on=Severity(values.get("fail-on", "error")),
        params=dict(values.get("params", {})),
        policy_paths=tuple(path for path, _, _ in values.get("policy-paths", ())),
        builtin_policies=values.get("builtin-policies", True),
        include=tuple(values.get("include", ())),
        exclude=tuple(values.get("exclude", ())),
        waivers=values.get("waivers-honour", True),
        waiver_approvers=tuple(waivers.get("approvers", ())),
        waiver_max_days=max_days if isinstance(max_days, int) else None,
        require_files=values.get("require-files", False),
        evidence=values.get("evidence", "default"),
        discover=values.get("discover", False),
    )


def case_settings(table: Mapping[str, Any], source: str) -> Settings:
    """The settings of a policy test case's `config:` table, validated like a config file."""
    case = Source(source, REPO, dict(table), "")
    _validate(case)
    return _settings(_Layer([case]).values)


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


def _apply_flags(args: Any, values: dict[str, Any], origins: dict[str, tuple[Origin, ...]]) -> None:
    def flag(key: str, name: str, item: str | None = None) -> Origin:
        return Origin(FLAG, None, key, item, name)

    if getattr(args, "select", None):
        values["select"] = list(split_list(args.select))
        origins["select"] = (flag("select", "--select"),)
    if getattr(args, "ignore", None):
        # --ignore adds to the config's list; each added selector remembers its origin.
        ignore = list(values.get("ignore", []))
        added = [item for item in split_list(args.ignore) if item not in ignore]
        for item in added:
            origins[f"ignore.{item}"] = (flag("ignore", "--ignore", item),)
        origins["ignore"] = (*origins.get("ignore", ()), flag("ignore", "--ignore"))
        values["ignore"] = ignore + added
    if getattr(args, "fail_on", None):
        values["fail-on"] = args.fail_on
        origins["fail-on"] = (flag("fail-on", "--fail-on"),)
    params = dict(values.get("params", {}))
    for item in getattr(args, "param", []) or []:
        name, value = parse_param(item)
        params[name] = value
        origins[f"params.{name}"] = (flag("params", "--param", name),)
    values["params"] = params
    if getattr(args, "policies", None):
        values["policy-paths"] = [*values.get("policy-paths", []), *((p, p, None) for p in args.policies)]
        origins["policy-paths"] = (*origins.get("policy-paths", ()), flag("policy-paths", "--policies"))
    if getattr(args, "builtin_policies", None) is False:
        values["builtin-policies"] = False
        origins["builtin-policies"] = (flag("builtin-policies", "--no-builtin-policies"),)
    if getattr(args, "waivers", True) is False:
        values["waivers-honour"] = False
        origins["waivers"] = (flag("waivers", "--no-waivers"),)
    if getattr(args, "require_files", None):
        values["require-files"] = True
        origins["require-files"] = (flag("require-files", "--require-files"),)
    if getattr(args, "evidence", None):
        values["evidence"] = args.evidence
        origins["evidence"] = (flag("evidence", "--evidence"),)


def _check_policy_paths(values: Mapping[str, Any]) -> None:
    for resolved_path, raw, source in values.get("policy-paths", ()):
        if source is None:
            continue  # --policies: the command line may name any path
        if source.layer == REPO:
            # Before the existence test: its message must not tell what lies outside.
            _must_stay_in_repository(raw, resolved_path, source.path, source.text)
        if not os.path.exists(resolved_path):
            raise ConfigError(
                f"policy-paths: '{raw}' does not exist (paths are relative to the config file)",
                source.path,
                source.line("policy-paths", raw),
            )


def org_config_path(args: Any) -> str | None:
    """The organisation config the command line or the environment names, if any."""
    return getattr(args, "org_config", None) or os.environ.get(ORG_CONFIG_ENV) or None


class Resolver:
    """The settings of every folder of a run: each feature file is configured by the nearest
    config file at or above its folder (unless `--config` or `--isolated`), on top of the
    organisation config and under the flags. Each config file is read once."""

    def __init__(self, args: Any, cwd: StrPath) -> None:
        self.args = args
        self.cwd = os.path.abspath(cwd)
        self.root = project_root(self.cwd)
        self._nearest: dict[str, str | None] = {}
        self._by_file: dict[str | None, Resolved] = {}
        self._by_folder: dict[str, Resolved] = {}
        self.org = self._read_org()
        self.explicit: str | None = None
        if getattr(args, "config", None):
            explicit = str(args.config)
            if os.path.isdir(explicit):
                raise ConfigError("--config names a directory; give a TOML file", explicit)
            if not os.path.isfile(explicit):
                raise ConfigError("config file does not exist", explicit)
            self.explicit = explicit
        self.isolated = bool(getattr(args, "isolated", False)) and self.explicit is None
        self.run = self.for_directory(self.cwd)

    def _read_org(self) -> _Layer:
        path = org_config_path(self.args)
        if path is None:
            return _Layer(())
        if not os.path.isfile(path):
            raise ConfigError("organisation config does not exist", path)
        if inside(path, self.root):
            raise ConfigError(
                f"the organisation config must live outside the repository ({self.root}): "
                "a pull request could edit it",
                path,
            )
        return _Layer(_chain(path, ORG, None))

    def config_for(self, directory: str) -> str | None:
        """The repository config file that applies in `directory`."""
        if self.explicit is not None:
            return self.explicit
        if self.isolated:
            return None
        if not os.path.isabs(directory):
            directory = os.path.abspath(directory)
        visited = []
        found: str | None = None
        for folder in ancestors(directory):
            if folder in self._nearest:
                found = self._nearest[folder]
                break
            visited.append(folder)
            found = _one_config(folder)
            if found is not None:
                break
        for folder in visited:
            self._nearest[folder] = found
        return found

    def for_directory(self, directory: StrPath) -> Resolved:
        file = self.config_for(os.fspath(directory))
        resolved = self._by_file.get(file)
        if resolved is None:
            resolved = self._by_file[file] = self._resolve(file)
        return resolved

    def for_file(self, path: StrPath) -> Resolved:
        """The settings of a feature file (a path relative to the current directory, or absolute)."""
        folder = os.path.dirname(os.fspath(path))
        # Keyed by the folder as given: one dictionary look-up per file in a large run.
        found = self._by_folder.get(folder)
        if found is None:
            found = self._by_folder[folder] = self.for_directory(os.path.abspath(folder or "."))
        return found

    def _refuse_link_out(self, file: str) -> None:
        """A config file found in the checkout must not be a link to a file outside it."""
        absolute = os.path.abspath(file)
        root = self.root if self.root.endswith(os.sep) else self.root + os.sep
        if absolute.startswith(root) and not inside(absolute, self.root):
            raise ConfigError(
                f"config file is a symbolic link to a file outside the repository ({self.root})", file
            )

    def _containment_root(self, file: str) -> str:
        if inside(file, self.root):
            return self.root
        # A config above the checkout (found by walking up): its own repository, or its folder.
        folder = os.path.dirname(os.path.abspath(file))
        return git_root(folder) or folder

    def _resolve(self, file: str | None) -> Resolved:
        org = self.org
        if file is not None and file != self.explicit:
            self._refuse_link_out(file)
        chain = _chain(file, REPO, self._containment_root(file)) if file is not None else ()
        locked = org.values.get("lock") is True
        if locked:
            for source in chain:
                _check_lock(source, org)
        repo = _Layer(chain)
        values, origins = _merge(org, repo, locked)
        _check_policy_paths(values)
        unflagged = _settings(values) if locked else None
        unflagged_origins = MappingProxyType(dict(origins))
        _apply_flags(self.args, values, origins)
        org_paths = tuple(path for path, _, _ in org.values.get("policy-paths", ()))
        return Resolved(
            settings=_settings(values),
            file=file,
            origins=MappingProxyType(origins),
            org=org.sources[-1].path if org.sources else None,
            locked=locked,
            baseline=org.values.get("baseline", True),
            org_settings=_settings(org.values) if locked else None,
            unflagged=unflagged,
            unflagged_origins=unflagged_origins if locked else _NO_ORIGINS,
            org_policy_paths=org_paths,
        )


def resolve(args: Any, cwd: StrPath) -> Resolved:
    """The settings in effect in `cwd`: defaults, org config, the nearest repository config, flags."""
    return Resolver(args, cwd).run


# ---------------------------------------------------------------- against the loaded policies


def _must_stay_in_repository(raw: str, path: str, config_file: str, text: str) -> None:
    """A policy path a repository's config names must lie in that repository once links are
    followed, and so must every file of a folder it names (the folder is not walked, nor any
    file read, before this): a pull request could otherwise point it at any file of the runner.
    A config file outside any git work tree is not a repository's and may name any path."""
    from .paths import git_root, inside
    from .policy_paths import expand_policy_paths

    root = git_root(os.path.dirname(os.path.abspath(config_file)))
    if root is None:
        return
    outside = path if not inside(path, root) else None
    if outside is None and os.path.isdir(path):
        outside = next((file for file in expand_policy_paths([path]) if not inside(file, root)), None)
    if outside is not None:
        shown = "" if outside == path else f" ({os.path.relpath(outside, path)} is a link out of it)"
        raise ConfigError(
            f"policy-paths: '{raw}' leads out of the repository{shown}: a repository's config may "
            "only name policies inside it (pass others with --policies or the organisation config)",
            config_file,
            locate(text, _is_pyproject(config_file), "policy-paths", raw),
        )


def check_against_catalog(resolved: Resolved, catalog: Any) -> None:
    """Refuse selectors and params that name nothing a loaded policy defines, and (under an
    organisation lock) severities and params a repository config weakens."""
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
    if resolved.locked:
        check_lock(resolved, catalog)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (isinstance(default, float) or isinstance(value, int))
    return isinstance(value, type(default))


def check_lock(resolved: Resolved, catalog: Any) -> None:
    """Under an organisation lock: no rule's severity lower than the org layer gives it, and no
    param of a built-in or organisation policy moved in its loose direction."""
    from .settings import matches, severity_for

    base, mine = resolved.org_settings, resolved.unflagged
    if base is None or mine is None:
        return
    lock_file, lock_line = resolved.where("lock")
    # Judged before the flags: the command line belongs to whoever runs archlint.
    resolved = resolved._replace(settings=mine, origins=resolved.unflagged_origins)
    why = f"the organisation config ({lock_file}:{lock_line}) sets lock = true"

    def refuse(key: str, item: str, rule: str) -> ConfigError:
        file, line = resolved.where(key, item)
        return ConfigError(f"{key}.{item}: {rule}: {why}", file or "", line)

    locked_files = {policy_set.source for policy_set in catalog.sets if policy_set.builtin} | {
        policy_set.source
        for policy_set in catalog.sets
        if any(inside(policy_set.source, path) for path in resolved.org_policy_paths)
    }
    for rule in catalog.rules:
        if rule.source not in locked_files:
            continue  # a rule of a policy the repository added itself
        before = severity_for(base, rule.id, rule.name, rule.severity)
        after = severity_for(mine, rule.id, rule.name, rule.severity)
        if after.rank < before.rank:
            culprit = _best_selector(mine, rule.id, rule.name, matches)
            raise refuse(
                "severity",
                culprit,
                f"a repository config may not lower {rule.id} from {before.value} to {after.value}",
            )
    for name, value in mine.params.items():
        declared = catalog.params.get(name)
        if declared is None or declared.source not in locked_files:
            continue  # a param of a policy the repository added itself
        if resolved.layer("params", name) != REPO:
            continue
        before = base.params.get(name, declared.default)
        if value == before or _tighter(getattr(declared, "stricter", None), before, value):
            continue
        direction = getattr(declared, "stricter", None)
        if direction in ("higher", "lower"):
            rule_text = (
                f"a repository config may only tighten {name}: {direction} is stricter, "
                f"and {value!r} is {'below' if direction == 'higher' else 'above'} {before!r}"
            )
        else:
            rule_text = (
                f"{name} declares no stricter direction, so a repository config may not change it "
                f"from {before!r}"
            )
        raise refuse("params", name, rule_text)


def _tighter(direction: str | None, before: Any, after: Any) -> bool:
    if isinstance(before, bool) or isinstance(after, bool):
        return False
    if not isinstance(before, (int, float)) or not isinstance(after, (int, float)):
        return False
    return (direction == "higher" and after > before) or (direction == "lower" and after < before)


def _best_selector(settings: Settings, rule_id: str, rule_name: str, matches: Any) -> str:
    """The severity selector that decides a rule's severity (as `severity_for` chooses it)."""
    best: tuple[int, str] | None = None
    for selector in settings.severity:
        if not matches(selector, rule_id, rule_name):
            continue
        exact = selector.strip().upper() == rule_id or selector.strip().lower() == rule_name
        rank = 1000 if exact else len(selector.strip())
        if best is None or rank > best[0]:
            best = (rank, selector)
    return best[1] if best else rule_id


# ---------------------------------------------------------------- `archlint config`


class Row(NamedTuple):
    key: str
    value: str
    layer: str
    origin: str


def describe(resolved: Resolved, catalog: Any) -> list[Row]:
    """A row for each value `archlint config` shows: its layer and where it came from."""
    s = resolved.settings

    def row(key: str, value: Any, item: str | None = None) -> Row:
        name = f"{key}.{item}" if item is not None else key
        origins = resolved.origin(key, item)
        text = " + ".join(_origin_text(resolved, origin, key, item) for origin in origins)
        return Row(name, _show(value), resolved.layer(key, item), text)

    rows = [row("select", list(s.select) or "all rules"), row("ignore", list(s.ignore))]
    if s.severity:
        rows.extend(row("severity", level.value, rule) for rule, level in s.severity.items())
    else:
        rows.append(Row("severity", "{}", DEFAULT, "default"))
    rows += [
        row("fail-on", s.fail_on.value),
        row("builtin-policies", s.builtin_policies),
        row("policy-paths", list(s.policy_paths)),
        row("include", list(s.include)),
        row("exclude", list(s.exclude)),
        row("waivers", s.waivers),
        row("require-files", s.require_files),
        row("evidence", s.evidence),
        row("discover", s.discover),
        row("waivers", s.waiver_max_days if s.waiver_max_days is not None else "no limit", "max-days"),
        row("waivers", list(s.waiver_approvers) or "anyone", "approvers"),
        row("baseline", resolved.baseline),
        row("lock", resolved.locked),
    ]
    for name, param in sorted(catalog.params.items()):
        if name in s.params:
            rows.append(row("params", s.params[name], name))
        else:
            default = os.path.basename(param.source)
            rows.append(Row(f"params.{name}", _show(param.default), DEFAULT, f"default ({default})"))
    return rows


def _origin_text(resolved: Resolved, origin: Origin, key: str, item: str | None) -> str:
    if origin.source is not None and item is not None and origin.item is None:
        line = origin.source.line(key, item) or origin.source.line(key)
        return f"{origin.source.path}:{line}" if line is not None else origin.source.path
    return str(origin)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def load_for(
    args: Any, cwd: StrPath | None = None, extra_policies: Sequence[str] = (), path: StrPath | None = None
) -> tuple[Resolved, Any]:
    """Resolve settings (for the folder of `path` when given, else `cwd`) and load the catalog
    they name; check one against the other."""
    from .policies import load_files

    resolver = Resolver(args, os.getcwd() if cwd is None else cwd)
    resolved = resolver.run if path is None else resolver.for_file(path)
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


def excluded_here(resolved: Resolved, path: str) -> bool:
    """Whether a nested config's `exclude` drops `path` (matched relative to that config's folder)."""
    if not resolved.settings.exclude or resolved.file is None:
        return False
    from .discovery import _excluded

    base = os.path.dirname(os.path.abspath(resolved.file))
    return _excluded(os.path.relpath(os.path.abspath(path), base), resolved.settings.exclude)
