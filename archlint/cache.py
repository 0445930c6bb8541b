"""The content-hash cache of `archlint check`: compiled catalogs and per-file results.

Layout of the cache folder (`.archlint_cache/` at the project root, or `--cache-dir`):

    CACHEDIR.TAG, .gitignore     backup tools and git leave the folder alone
    v1/catalog-<key>.json        a compiled catalog: rules plus serialized CEL programs
    v1/<run>/<xx>/<entry>.json   one file's result for one run key

A run key covers everything a result depends on except the file: archlint's
version and code, the versions of its parsing and CEL libraries, the policy
files' contents and the effective settings (today's date excepted). An entry
is named by the run key and the file's display path and holds the file's
content hash, so an edited file overwrites its entry instead of adding one.
Waivers expire, so an entry also records the dates between which its result
holds (from its waivers' expiry dates) instead of the run key changing daily.

Every name is a keyed hash whose key is a per-user secret kept outside the
project, so a cache folder committed to a repository or planted by a pull
request is never read: a gate cannot be talked out of its findings.
Entries are JSON (never pickle) written to a temporary file and renamed into
place, so concurrent runs only ever see whole entries; an entry that does not
parse or has the wrong shape is a miss. Nothing here is worth failing a run
for: when the folder cannot be written, the run goes on without a cache.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

try:  # hashlib would load OpenSSL first (a few ms of start-up); BLAKE2 is built in
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from . import __version__
from .check import FileResult, Plan
from .finding import Finding, Severity
from .loader import Document, read_bytes
from .policies import Catalog, Param, PolicySet, Reference, Rule
from .settings import Settings

FORMAT = "v1"
DIRECTORY = ".archlint_cache"
MAX_AGE_DAYS = 30  # run folders and catalogs unused this long are removed
# Libraries whose version changes a result: the YAML parser, CEL, and jsonschema
# (the wording of schema errors).
_LIBRARIES = ("ruamel", "cel_expr_python", "jsonschema", "referencing")

_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by archlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_OPTIONAL = (str, type(None))
_FINDING_TYPES: tuple[type | tuple[type, ...], ...] = (
    str,
    str,
    str,
    str,
    str,
    str,
    int,
    int,
    _OPTIONAL,
    int,
    _OPTIONAL,
)


def default_directory(project_root: str) -> str:
    return os.path.join(project_root, DIRECTORY)


def open_store(directory: str) -> Store | None:
    """The cache in `directory`, created if needed; None (no cache) when that fails."""
    secret = _secret()
    if secret is None:
        return None
    try:
        os.makedirs(os.path.join(directory, FORMAT), exist_ok=True)
        tag = os.path.join(directory, "CACHEDIR.TAG")
        if not os.path.exists(tag):
            _write(os.path.join(directory, ".gitignore"), b"# Created by archlint.\n*\n")
            _write(tag, _TAG.encode())
    except OSError:
        return None
    return Store(directory, secret)


class Store:
    """One cache folder, with the key material every name is derived from."""

    def __init__(self, directory: str, secret: bytes) -> None:
        self.directory = directory
        self.secret = secret
        self.base = os.path.join(directory, FORMAT)
        self.environment = _environment()
        self.catalog_key: str | None = None  # set by `catalog`, for `results`

    def key(self, *parts: str) -> str:
        digest = blake2b(digest_size=20, key=self.secret)
        for part in parts:
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()

    # -- catalogs ------------------------------------------------------------

    def catalog(self, files: Sequence[tuple[str, bool]]) -> Catalog:
        """The catalog of these policy files, from the cache when their contents are unchanged."""
        from .policies import build_catalog, load_policy_document

        contents: list[bytes] = []
        for path, _ in files:
            try:
                contents.append(read_bytes(path))
            except OSError:
                load_policy_document(path)  # raises the PolicyError a run without cache raises
                raise
        parts = [self.environment]
        for (path, builtin), raw in zip(files, contents, strict=True):
            parts += [path, "builtin" if builtin else "", blake2b(raw, digest_size=20).hexdigest()]
        key = self.catalog_key = self.key("catalog", *parts)
        entry = os.path.join(self.base, f"catalog-{key}.json")
        try:
            catalog = decode_catalog(json.loads(_read(entry)))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            pass
        else:
            _touch(entry)
            return catalog
        catalog = build_catalog(
            [
                (*load_policy_document(path, raw), builtin)
                for (path, builtin), raw in zip(files, contents, strict=True)
            ]
        )
        try:
            data = json.dumps(encode_catalog(catalog), separators=(",", ":")).encode()
        except (TypeError, ValueError):
            return catalog  # a policy value JSON cannot hold: load it every time
        _prune(self.base, "catalog-")
        _store(entry, data)
        return catalog

    def serving_catalogs(self) -> _Serving:
        """A context in which `policies.load_catalog` answers from this cache."""
        return _Serving(self)

    # -- results -------------------------------------------------------------

    def results(self, settings: Settings) -> Results:
        """The per-file results of a run with these settings and the catalog loaded last."""
        if self.catalog_key is None:
            raise RuntimeError("load the catalog through this store first")
        run = self.key("run", self.environment, self.catalog_key, _settings_key(settings))
        folder = os.path.join(self.base, run[:24])
        if os.path.isdir(folder):
            _touch(folder)
        else:
            _prune(self.base, "")
        return Results(self, folder, run)


class _Serving:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.previous: Any = None

    def __enter__(self) -> None:
        from . import policies

        self.previous, policies.catalog_cache = policies.catalog_cache, self.store

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        from . import policies

        policies.catalog_cache = self.previous


class Results:
    """The cached results of one run key."""

    def __init__(self, store: Store, folder: str, run: str) -> None:
        self.store = store
        self.folder = folder
        self.run = run
        self._made: set[str] = set()

    def _entry(self, display: str) -> str:
        name = self.store.key(self.run, display)
        return os.path.join(self.folder, name[:2], name[2:] + ".json")

    @staticmethod
    def digest(raw: bytes) -> str:
        return blake2b(raw, digest_size=20).hexdigest()

    def get(self, display: str, digest: str, the_plan: Plan) -> FileResult | None:
        """The cached result for this file content, or None (a miss, also for a broken entry)."""
        try:
            data = json.loads(_read(self._entry(display)))
            if data["sha"] != digest or data["file"] != display:
                return None
            today = the_plan.settings.today.isoformat()
            if (data["from"] is not None and today < data["from"]) or (
                data["until"] is not None and today > data["until"]
            ):
                return None
            findings = tuple(_decode_finding(item) for item in data["findings"])
            features = tuple(data["features"])
            if not all(isinstance(name, str) for name in features):
                return None
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None
        return FileResult(display, findings, features, the_plan.evaluated)

    def put(
        self,
        display: str,
        digest: str,
        result: FileResult,
        documents: Sequence[Document],
        today: datetime.date,
    ) -> None:
        """Record a result; silently nothing when the folder cannot be written."""
        valid = validity(documents, today)
        if valid is None:
            return
        data = {
            "sha": digest,
            "file": display,
            "from": valid[0],
            "until": valid[1],
            "features": list(result.features),
            "findings": [[*finding[:2], finding.severity.value, *finding[3:]] for finding in result.findings],
        }
        path = self._entry(display)
        folder = os.path.dirname(path)
        if folder not in self._made:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError:
                return
            self._made.add(folder)
        _store(path, json.dumps(data, separators=(",", ":")).encode())


def validity(documents: Sequence[Document], today: datetime.date) -> tuple[str | None, str | None] | None:
    """The dates (inclusive, ISO) between which a result computed today holds.

    The only date a result depends on is whether each waiver has expired
    (`expires < today`); that answer stays the same from the day after the
    latest expired waiver to the day of the earliest unexpired one. None when
    a waiver date cannot be read (such a result is not cached).
    """
    start: datetime.date | None = None
    end: datetime.date | None = None
    for document in documents:
        data = document.data
        spec = data.get("spec") if isinstance(data, dict) else None
        waivers = spec.get("waivers") if isinstance(spec, dict) else None
        if not isinstance(waivers, list):
            continue
        for waiver in waivers:
            expires = waiver.get("expires") if isinstance(waiver, dict) else None
            if expires is None:
                continue
            try:
                date = datetime.date.fromisoformat(expires)
            except (TypeError, ValueError):
                return None
            if date < today:
                after = date + datetime.timedelta(days=1)
                start = after if start is None else max(start, after)
            else:
                end = date if end is None else min(end, date)
    return (
        start.isoformat() if start is not None else None,
        end.isoformat() if end is not None else None,
    )


def _decode_finding(item: list[Any]) -> Finding:
    if len(item) != len(_FINDING_TYPES) or not all(
        isinstance(value, kind) for value, kind in zip(item, _FINDING_TYPES, strict=True)
    ):
        raise TypeError("not a finding")
    item[2] = Severity(item[2])
    return Finding(*item)


def _settings_key(settings: Settings) -> str:
    """Every setting but today's date (entries carry their own validity)."""
    import dataclasses

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    fields = {
        f.name: plain(getattr(settings, f.name)) for f in dataclasses.fields(settings) if f.name != "today"
    }
    return json.dumps(fields, sort_keys=True, default=repr)


def _environment() -> str:
    """What a result depends on besides its inputs: archlint's code and data, and library versions."""
    from . import resources

    parts = [__version__, sys.version]
    package = os.path.dirname(os.path.abspath(__file__))
    folders = [package, str(resources.data_dir("schemas"))]
    for top in folders:
        for folder, subfolders, names in os.walk(top):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            for name in sorted(names):
                if name.endswith((".py", ".json")):
                    try:
                        status = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    parts.append(f"{folder}/{name}:{status.st_size}:{status.st_mtime_ns}")
    for entry in sys.path:
        if os.path.basename(entry) in ("site-packages", "dist-packages"):
            try:
                names = os.listdir(entry)
            except OSError:
                continue
            parts.extend(sorted(n for n in names if n.startswith(_LIBRARIES) and n.endswith(".dist-info")))
    return "\n".join(parts)


# -- catalogs as JSON ---------------------------------------------------------


def encode_catalog(catalog: Catalog) -> dict[str, Any]:
    def program(value: Any) -> Any:
        return None if value is None else [value.source, value.serialize().hex()]

    return {
        "sets": [
            {
                "name": policy_set.name,
                "source": policy_set.source,
                "builtin": policy_set.builtin,
                "base": policy_set.base,
                "rules": [
                    {
                        "id": rule.id,
                        "name": rule.name,
                        "severity": rule.severity.value,
                        "summary": rule.summary,
                        "rationale": rule.rationale,
                        "remediation": rule.remediation,
                        "references": [[ref.title, ref.url] for ref in rule.references],
                        "tags": list(rule.tags),
                        "tests": {kind: list(cases) for kind, cases in rule.tests.items()},
                        "source": rule.source,
                        "line": rule.line,
                        "policy_set": rule.policy_set,
                        "builtin": rule.builtin,
                        "engine": rule.engine,
                        "condition": program(rule.condition),
                        "path": list(rule.path),
                        "message": rule.message,
                    }
                    for rule in policy_set.rules
                ],
            }
            for policy_set in catalog.sets
        ],
        "params": [
            [param.name, param.default, param.description, param.source] for param in catalog.params.values()
        ],
        "variables": [[name, *program(value)] for name, value in catalog.variables],
    }


def decode_catalog(data: Mapping[str, Any]) -> Catalog:
    from .cel import Program

    def program(value: Any) -> Program | None:
        return None if value is None else Program.restore(value[0], bytes.fromhex(value[1]))

    sets = tuple(
        PolicySet(
            name=raw["name"],
            source=raw["source"],
            builtin=raw["builtin"],
            base=raw["base"],
            rules=tuple(
                Rule(
                    id=rule["id"],
                    name=rule["name"],
                    severity=Severity(rule["severity"]),
                    summary=rule["summary"],
                    rationale=rule["rationale"],
                    remediation=rule["remediation"],
                    references=tuple(Reference(title, url) for title, url in rule["references"]),
                    tags=tuple(rule["tags"]),
                    tests={kind: tuple(cases) for kind, cases in rule["tests"].items()},
                    source=rule["source"],
                    line=rule["line"],
                    policy_set=rule["policy_set"],
                    builtin=rule["builtin"],
                    engine=rule["engine"],
                    condition=program(rule["condition"]),
                    path=tuple(rule["path"]),
                    message=rule["message"],
                )
                for rule in raw["rules"]
            ),
        )
        for raw in data["sets"]
    )
    params = {
        name: Param(name, default, description, source)
        for name, default, description, source in data["params"]
    }
    variables = tuple(
        (name, Program.restore(source, bytes.fromhex(blob))) for name, source, blob in data["variables"]
    )
    return Catalog(sets, params, variables)


# -- files --------------------------------------------------------------------


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


_counter = 0


def _store(path: str, data: bytes) -> None:
    """Write `data` to `path` atomically: whole or not at all, whoever else is writing."""
    global _counter
    _counter += 1
    temporary = f"{path}.{os.getpid()}-{_counter}.tmp"
    try:
        _write(temporary, data)
        os.replace(temporary, path)
    except OSError:
        _remove(temporary)


def _write(path: str, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


# try/except rather than contextlib.suppress: contextlib is not otherwise loaded by a run.
def _touch(path: str) -> None:
    try:  # noqa: SIM105
        os.utime(path)
    except OSError:
        pass


def _remove(path: str) -> None:
    try:  # noqa: SIM105
        os.unlink(path)
    except OSError:
        pass


def _prune(base: str, prefix: str) -> None:
    """Remove catalogs (prefix "catalog-") or run folders (prefix "") unused for MAX_AGE_DAYS."""
    limit = time.time() - MAX_AGE_DAYS * 86400
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        try:
            if prefix:
                if entry.name.startswith(prefix) and entry.stat().st_mtime < limit:
                    os.unlink(entry.path)
            elif entry.is_dir() and entry.stat().st_mtime < limit:
                import shutil

                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def _user_cache_home() -> str | None:
    explicit = os.environ.get("XDG_CACHE_HOME")
    if explicit and os.path.isabs(explicit):
        return explicit
    if sys.platform == "win32":
        return os.environ.get("LOCALAPPDATA")
    home = os.path.expanduser("~")
    if home == "~":
        return None
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches")
    return os.path.join(home, ".cache")


def _secret() -> bytes | None:
    """The per-user key of every cache name, created on first use; None when there is nowhere to keep it."""
    home = _user_cache_home()
    if home is None:
        return None
    folder = os.path.join(home, "archlint")
    path = os.path.join(folder, "secret")
    try:
        secret = _read(path)
        if len(secret) >= 32:
            return secret[:64]
    except OSError:
        pass
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(32).hex().encode())
        try:
            os.link(temporary, path)  # first writer wins; a racing run reads the winner's key
        except FileExistsError:
            pass
        except OSError:
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        secret = _read(path)
    except OSError:
        return None
    return secret[:64] if len(secret) >= 32 else None
