"""The content-hash cache of `archlint check`: compiled catalogs and per-file results.

Layout of the cache folder (`.archlint_cache/` at the project root, or `--cache-dir`):

    CACHEDIR.TAG, .gitignore     backup tools and git leave the folder alone
    v1/catalog-<key>.json        a compiled catalog: rules plus serialized CEL programs
    v1/gates-<key>.json          the compiled decision gates
    v1/<run>/<xx>.json           results of one run key, in 256 packs by keyed path hash
    v1/<run>/run.json            the rules a run of that key evaluates (written by a run
                                 that loaded the catalog), so a run whose files all hit
                                 answers without loading it

A run key covers everything a result depends on except the file: archlint's
version and code, the versions of its parsing and CEL libraries, the policy
files' contents and the effective settings (today's date excepted). An entry
is found by the run key and the file's display path and holds the file's
content hash, so an edited file replaces its entry instead of adding one.
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

import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

try:  # hashlib would load OpenSSL first (a few ms of start-up); BLAKE2 is built in
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from . import __version__
from .finding import Finding, Severity
from .loader import Document, read_bytes
from .report import FileResult, Outcome, unreadable
from .settings import Settings

if TYPE_CHECKING:
    from .cel import Program
    from .policies import Catalog

T = TypeVar("T")

FORMAT = "v1"
DIRECTORY = ".archlint_cache"
_RUN_RECORD = "run.json"
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


def digest(content: bytes) -> str:
    """The hash a file is known by: a feature file's in its entry, a policy file's in the keys
    (and in archlint/_prebuilt.json)."""
    return blake2b(content, digest_size=20).hexdigest()


class Store:
    """One cache folder, with the key material every name is derived from."""

    def __init__(self, directory: str, secret: bytes) -> None:
        self.directory = directory
        self.secret = secret
        self.base = os.path.join(directory, FORMAT)
        self.environment = _environment()
        self.catalog_key: str | None = None  # set by `catalog` or `results_for`, for `results`
        self._policies: tuple[tuple[tuple[str, bool], ...], list[bytes], list[str]] | None = None
        self._programs: dict[str, str] | None = None  # source -> compiled form, hex
        self._attached: list[Program] = []

    def key(self, *parts: str) -> str:
        digest = blake2b(digest_size=20, key=self.secret)
        for part in parts:
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        return digest.hexdigest()

    # -- catalogs ------------------------------------------------------------

    def _read_policies(self, files: Sequence[tuple[str, bool]]) -> tuple[list[bytes], list[str]]:
        """The contents and digests of the policy files, and the catalog key they make
        (read once a run: `results_for` and then `catalog` name the same files)."""
        named = tuple(files)
        if self._policies is not None and self._policies[0] == named:
            return self._policies[1], self._policies[2]
        contents: list[bytes] = []
        for path, _ in files:
            try:
                contents.append(read_bytes(path))
            except OSError:
                from .policies import load_policy_document

                load_policy_document(path)  # raises the PolicyError a run without cache raises
                raise
        digests = [digest(raw) for raw in contents]
        parts = [self.environment]
        for (path, builtin), file_digest in zip(files, digests, strict=True):
            parts += [path, "builtin" if builtin else "", file_digest]
        self.catalog_key = self.key("catalog", *parts)
        self._policies = (named, contents, digests)
        return contents, digests

    def catalog(self, files: Sequence[tuple[str, bool]]) -> Catalog:
        """The catalog of these policy files, from the cache when their contents are unchanged."""
        from . import prebuilt
        from .policies import Catalog, build_catalog, load_policy_document

        contents, digests = self._read_policies(files)
        key = self.catalog_key
        ready = prebuilt.catalog(files, digests)
        if ready is not None:  # the built-in policies, shipped ready: only their compiled CEL is kept here
            self.attach(ready)
            return ready
        entry = os.path.join(self.base, f"catalog-{key}.json")
        try:
            catalog = decode(json.loads(_read(entry)))
            if not isinstance(catalog, Catalog):
                raise TypeError("not a catalog")
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
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
            data = json.dumps(encode(catalog), separators=(",", ":")).encode()
        except (TypeError, ValueError):
            return catalog  # a policy value JSON cannot hold: load it every time
        _prune(self.base, "catalog-")
        _store(entry, data)
        return catalog

    def compiled(self, kind: str, parts: Sequence[str], build: Callable[[], T], expected: type[T]) -> T:
        """What `build` returns, from the cache when `parts` (everything it depends on) are unchanged.

        For compiled data other modules load (the decision gates); a value the
        cache cannot hold is built every time.
        """
        entry = os.path.join(self.base, f"{kind}-{self.key(kind, self.environment, *parts)}.json")
        try:
            value = decode(json.loads(_read(entry)))
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            pass
        else:
            if isinstance(value, expected):
                _touch(entry)
                return value
        value = build()
        try:
            data = json.dumps(encode(value), separators=(",", ":")).encode()
        except (TypeError, ValueError):
            return value
        _prune(self.base, f"{kind}-")
        _store(entry, data)
        return value

    # -- compiled CEL of prebuilt policies and gates -------------------------------

    def attach(self, value: Any) -> None:
        """Give the CEL programs of a prebuilt catalog or gates their compiled form from the
        cache, and remember them: `save_programs` keeps what this run compiles."""
        from .cel import adopt_compiled, programs_in

        # Those shipped compiled (archlint/_prebuilt.json) need nothing from here.
        waiting = [program for program in programs_in(value) if not program.ready]
        if not waiting:
            return
        self._attached.extend(waiting)
        adopt_compiled(waiting, self._known())

    def save_programs(self) -> None:
        """Store the compiled form of every attached program this run compiled (at its end,
        so a first run compiles only the programs it evaluates)."""
        known = self._known()
        new = {p.source: p.serialize().hex() for p in self._attached if p.ready and p.source not in known}
        if not new:
            return
        merged = {**self._read_programs(), **new}  # read again: another run may have added some
        _prune(self.base, "programs-")
        _store(self._programs_entry(), json.dumps(merged, separators=(",", ":")).encode())
        self._programs = merged

    def _known(self) -> dict[str, str]:
        if self._programs is None:
            self._programs = self._read_programs()
        return self._programs

    def _programs_entry(self) -> str:
        return os.path.join(self.base, f"programs-{self.key('programs', self.environment)}.json")

    def _read_programs(self) -> dict[str, str]:
        entry = self._programs_entry()
        try:
            data = json.loads(_read(entry))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return {}
        _touch(entry)
        return data

    def serving(self) -> _Serving:
        """A context in which catalogs and decision gates load through this cache."""
        return _Serving(self)

    # -- results -------------------------------------------------------------

    def results_for(self, files: Sequence[tuple[str, bool]], settings: Settings) -> Results:
        """The per-file results of a run with these policy files and settings, without loading
        their catalog (its key is their contents)."""
        self._read_policies(files)
        return self.results(settings)

    def results(self, settings: Settings) -> Results:
        """The per-file results of a run with these settings and the catalog keyed last."""
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
        if kind is None:
            self.store.save_programs()


class Results:
    """The cached results of one run key, in 256 pack files by keyed hash of the display path.

    Lookups read a pack once per process. New entries are kept in memory (a
    worker process hands them to the parent with its results) and `flush`
    merges them into their packs, each written whole: one file write per pack
    touched, not one per checked file.
    """

    def __init__(self, store: Store, folder: str, run: str) -> None:
        self.store = store
        self.folder = folder
        self.run = run
        self._packs: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._to_record: tuple[str, ...] | None = None  # the run record `flush` writes

    def evaluated(self) -> tuple[str, ...] | None:
        """The rule ids a run of this key evaluates, as a run that loaded the catalog recorded
        them; None when none has (or the record is broken)."""
        try:
            data = json.loads(_read(os.path.join(self.folder, _RUN_RECORD)))
        except (OSError, ValueError):
            return None
        rules = data.get("evaluated") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not all(isinstance(rule, str) for rule in rules):
            return None
        return tuple(rules)

    def record(self, evaluated: tuple[str, ...]) -> None:
        """Record at `flush` the rule ids this run evaluates (the settings were checked against
        the catalog by then), unless the same record is there."""
        if self.evaluated() != evaluated:
            self._to_record = evaluated

    def answer(self, item: tuple[str, str], today: str, evaluated: tuple[str, ...]) -> Outcome | None:
        """The outcome of a (path, display) item the cache answers, or that cannot be read;
        None for a miss."""
        path, display = item
        try:
            raw = read_bytes(path)
        except OSError as exc:
            return unreadable(display, exc)
        return self.get(display, digest(raw), today, evaluated)

    @staticmethod
    def digest(raw: bytes) -> str:
        return digest(raw)

    def _pack(self, shard: str) -> dict[str, Any]:
        pack = self._packs.get(shard)
        if pack is None:
            pack = self._packs[shard] = self._read_pack(shard)
        return pack

    def _read_pack(self, shard: str) -> dict[str, Any]:
        try:
            pack = json.loads(_read(os.path.join(self.folder, f"{shard}.json")))
        except (OSError, ValueError):
            return {}
        return pack if isinstance(pack, dict) else {}

    def get(self, display: str, digest: str, today: str, evaluated: tuple[str, ...]) -> FileResult | None:
        """The cached result for this file content on the day `today` (ISO), or None (a miss,
        also for a broken entry); `evaluated` is the run's rule ids."""
        key = self.store.key(self.run, display)
        try:
            data = self._pack(key[:2]).get(key)
            if data is None or data["sha"] != digest or data["file"] != display:
                return None
            if (data["from"] is not None and today < data["from"]) or (
                data["until"] is not None and today > data["until"]
            ):
                return None
            depends = data.get("deps")
            if depends is not None and not _unchanged(depends):
                return None
            findings = tuple(_decode_finding(list(item)) for item in data["findings"])
            features = tuple(data["features"])
            if not all(isinstance(name, str) for name in features):
                return None
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return FileResult(display, findings, features, evaluated)

    def entry(
        self,
        display: str,
        digest: str,
        result: FileResult,
        documents: Sequence[Document],
        today: str,
        depends: list[list[Any]] | None = None,
    ) -> tuple[str, dict[str, Any]] | None:
        """The entry recording a result (None: not cacheable), for `keep`; `depends` is the
        state of the evidence files the result read (`evidence.dependencies`)."""
        valid = validity(documents, today)
        if valid is None:
            return None
        data = {
            "sha": digest,
            "file": display,
            "from": valid[0],
            "until": valid[1],
            "features": list(result.features),
            "findings": [[*finding[:2], finding.severity.value, *finding[3:]] for finding in result.findings],
        }
        if depends is not None:
            data["deps"] = depends
        return self.store.key(self.run, display), data

    def keep(self, entry: tuple[str, dict[str, Any]]) -> None:
        """Hold an entry until `flush`."""
        key, data = entry
        self._pending.setdefault(key[:2], {})[key] = data

    def flush(self) -> None:
        """Write the kept entries and the run record; silently nothing when the folder cannot be written."""
        if not self._pending and self._to_record is None:
            return
        try:
            os.makedirs(self.folder, exist_ok=True)
        except OSError:
            self._pending.clear()
            self._to_record = None
            return
        if self._to_record is not None:
            record = {"evaluated": list(self._to_record)}
            _store(os.path.join(self.folder, _RUN_RECORD), json.dumps(record).encode())
            self._to_record = None
        for shard, entries in self._pending.items():
            pack = self._read_pack(shard)  # read again: another run may have added entries
            pack.update(entries)
            data = json.dumps(pack, separators=(",", ":")).encode()
            _store(os.path.join(self.folder, f"{shard}.json"), data)
            self._packs[shard] = pack
        self._pending.clear()


def _unchanged(depends: Any) -> bool:
    """Are the evidence files a cached result read in the state it recorded?"""
    from .evidence.locate import signature

    if not isinstance(depends, list) or not all(isinstance(row, list) and row for row in depends):
        return False
    paths = [row[0] for row in depends]
    return all(isinstance(path, str) for path in paths) and signature(paths) == depends


def validity(documents: Sequence[Document], today: str) -> tuple[str | None, str | None] | None:
    """The dates (inclusive, ISO) between which a result computed `today` (ISO) holds.

    The only date a result depends on is whether each waiver has expired
    (`expires < today`); that answer stays the same from the day after the
    latest expired waiver to the day of the earliest unexpired one. None when
    a waiver date cannot be read (such a result is not cached).
    """
    start: str | None = None
    end: str | None = None
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
            import datetime  # here: most files have no waiver

            try:
                date = datetime.date.fromisoformat(expires)
            except (TypeError, ValueError):
                return None
            if date.isoformat() < today:
                after = (date + datetime.timedelta(days=1)).isoformat()
                start = after if start is None else max(start, after)
            else:
                end = date.isoformat() if end is None else min(end, date.isoformat())
    return start, end


def _decode_finding(item: list[Any]) -> Finding:
    if len(item) != len(_FINDING_TYPES) or not all(
        isinstance(value, kind) for value, kind in zip(item, _FINDING_TYPES, strict=True)
    ):
        raise TypeError("not a finding")
    item[2] = Severity(item[2])
    return Finding(*item)


def _settings_key(settings: Settings) -> str:
    """Every setting but today's date (entries carry their own validity)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(item) for item in value]
        return value

    fields = {name: plain(value) for name, value in settings._asdict().items() if name != "today"}
    return json.dumps(fields, sort_keys=True, default=repr)


def _environment() -> str:
    """What a result depends on besides its inputs: archlint's code and data files (the
    built-in gates among them), and the versions of the libraries it uses."""
    from . import resources

    parts = [__version__, sys.version]
    package = os.path.dirname(os.path.abspath(__file__))
    folders = [package, str(resources.data_dir("schemas"))]
    for top in folders:
        for folder, subfolders, names in os.walk(top):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            for name in sorted(names):
                try:
                    status = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                parts.append(f"{folder}/{name}:{status.st_size}:{status.st_mtime_ns}")
    parts.extend(resources.distributions(_LIBRARIES))
    return "\n".join(parts)


# -- compiled structures as JSON ----------------------------------------------
#
# Catalogs and decision gates are trees of archlint's records (NamedTuples),
# enums, tuples, mappings and CEL programs. They are written as JSON with a
# one-letter tag per non-JSON value; reading one back only ever builds
# archlint's own records and enums (never an arbitrary class, never pickle), and
# a record met twice (a gate and the question that names it) stays one object.


def encode(value: Any, compiled: bool = True) -> Any:
    """JSON-ready data for `decode`; TypeError for a value it cannot hold.

    CEL programs are kept compiled, or with `compiled` false as their source
    alone (decoded as programs compiled on first use).
    """
    return _Encoder(compiled)(value)


def decode(data: Any) -> Any:
    """The value `encode` was given; ValueError, KeyError or TypeError for anything else."""
    return _Decoder()(data)


def _is_record(kind: Any) -> bool:
    """An archlint record: a class made with typing.NamedTuple."""
    return isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields")


def _plain(value: Any) -> bool:
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return True
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return False


class _Encoder:
    def __init__(self, compiled: bool = True) -> None:
        self.compiled = compiled
        self.seen: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive, so ids stay unique

    def __call__(self, value: Any) -> Any:
        from enum import Enum

        from .cel import Program

        kind = type(value)
        if value is None or kind in (bool, int, float, str):
            return value
        if isinstance(value, Enum):
            return {"E": _class_name(kind), "v": value.value}
        if kind is Program:
            return {"P": [value.source, value.serialize().hex() if self.compiled else None]}
        if _is_record(kind):
            number = self.seen.get(id(value))
            if number is not None:
                return {"R": number}
            number = self.seen[id(value)] = len(self.seen)
            self.keep.append(value)
            fields = {name: self(item) for name, item in value._asdict().items()}
            return {"D": _class_name(kind), "n": number, "f": fields}
        if _plain(value):
            return {"J": value}
        if kind is tuple:
            return {"T": [self(item) for item in value]}
        if kind is list:
            return [self(item) for item in value]
        if kind is frozenset:
            return {"S": [self(item) for item in value]}
        if isinstance(value, Mapping):
            if all(type(key) is str for key in value):
                return {"M": {key: self(item) for key, item in value.items()}}
            return {"K": [[self(key), self(item)] for key, item in value.items()]}
        raise TypeError(f"cannot cache a {kind.__name__}")


class _Decoder:
    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}

    def __call__(self, data: Any) -> Any:
        if type(data) is list:
            return [self(item) for item in data]
        if type(data) is not dict:
            return data
        if "J" in data:
            return data["J"]
        if "T" in data:
            return tuple(self(item) for item in data["T"])
        if "M" in data:
            return {key: self(item) for key, item in data["M"].items()}
        if "R" in data:
            return self.objects[data["R"]]
        if "D" in data:
            cls: Any = _archlint_class(data["D"])
            if not _is_record(cls):
                raise TypeError(f"{data['D']} is not a record")
            value = cls(**{name: self(item) for name, item in data["f"].items()})
            self.objects[data["n"]] = value
            return value
        if "P" in data:
            from .cel import Program

            source, blob = data["P"]
            if not isinstance(source, str):
                raise TypeError("a program's source is text")
            return Program.deferred(source) if blob is None else Program.restore(source, bytes.fromhex(blob))
        if "E" in data:
            from enum import Enum

            enum = _archlint_class(data["E"])
            if not issubclass(enum, Enum):
                raise TypeError(f"{data['E']} is not an enum")
            return enum(data["v"])
        if "K" in data:
            return {self(key): self(item) for key, item in data["K"]}
        if "S" in data:
            return frozenset(self(item) for item in data["S"])
        raise ValueError("not an encoded value")


def _class_name(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


@cache
def _archlint_class(name: str) -> Any:
    import importlib

    module, _, qualname = name.partition(":")
    if module != "archlint" and not module.startswith("archlint."):
        raise TypeError(f"{name} is not an archlint class")
    value: Any = importlib.import_module(module)
    for part in qualname.split("."):
        value = getattr(value, part)
    if not isinstance(value, type):
        raise TypeError(f"{name} is not a class")
    return value


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
    """Remove compiled entries (prefix "catalog-", "gates-"...) or run folders (prefix "") unused
    for MAX_AGE_DAYS."""
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
