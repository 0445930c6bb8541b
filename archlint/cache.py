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
project, and every file carries a MAC under that key over its name and content:
a cache folder committed to a repository, planted by a pull request or edited
by anyone who can write it is never believed (an entry that fails its MAC is a
miss), so a gate cannot be talked out of its findings.
Entries are JSON (never pickle) written to a temporary file and renamed into
place (`files.replace`: a link is never followed), so concurrent runs only ever
see whole entries; an entry that does not parse or has the wrong shape is a
miss. The folder must be a real folder of the current user (not a link), and one
that git tracks is left alone with a notice. Nothing here is worth failing a run
for: when the folder cannot be used, the run goes on without a cache.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from _operator import _compare_digest  # hmac's constant-time comparison, without importing hmac
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

try:  # hashlib would load OpenSSL first (a few ms of start-up); BLAKE2 is built in
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it
    from hashlib import blake2b

from . import __version__, files
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

# A cache file is read never through a link, and a FIFO planted there never blocks.
_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
# Every cache file starts with a line holding its MAC: _MAGIC and 40 hex digits.
_MAGIC = b"archlint-mac "
_PERSON = b"archlint-cache"

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


def open_store(directory: str, warn: Callable[[str], None] | None = None) -> Store | None:
    """The cache in `directory`, created if needed; None (no cache) when that fails.

    A folder that is a symbolic link, is not a folder or belongs to another user
    is refused, and one git tracks (committed to the repository) is left alone:
    `warn` gets a line saying so ("warning: ..." or "notice: ..."). A folder
    archlint made for this user carries a MAC of its own path in its CACHEDIR.TAG,
    so only a folder without one costs a question to git.
    """
    secret = _secret()
    if secret is None:
        return None
    try:
        created = _own_folder(directory)
        store = Store(directory, secret)
        tag = os.path.join(directory, "CACHEDIR.TAG")
        marker = store.owner_tag()
        try:
            current = _read(tag)
        except OSError:
            current = b""
        if current != marker:
            if not created:
                refusal = _tracked(directory)
                if refusal is not None:
                    raise _Tracked(refusal)
            files.replace(os.path.join(directory, ".gitignore"), b"# Created by archlint.\n*\n")
            files.replace(tag, marker)
        _own_folder(store.base)  # only once the folder is known to be this user's, untracked
    except _Refused as refused:
        if warn is not None:
            reason = f"cannot use the cache folder {directory}: it {refused}"
            warn(f"{refused.level}: {reason}; running without cache")
        return None
    except OSError:
        return None
    return store


class _Refused(Exception):
    """A cache folder archlint will not use, and why (the end of a sentence)."""

    level = "warning"


class _Tracked(_Refused):
    level = "notice"


def _own_folder(path: str) -> bool:
    """Make sure `path` is a real folder of the current user, creating it when absent;
    whether it was created. _Refused for a link, a file or another user's folder."""
    created = False
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        try:
            os.makedirs(path)
            created = True
        except FileExistsError:
            pass  # another run made it a moment ago: judged as found
        status = os.lstat(path)
    if stat.S_ISLNK(status.st_mode):
        raise _Refused("is a symbolic link")
    if not stat.S_ISDIR(status.st_mode):
        raise _Refused("is not a folder")
    if hasattr(os, "geteuid") and status.st_uid != os.geteuid():
        raise _Refused("belongs to another user")
    return created


def _tracked(directory: str) -> str | None:
    """Why a cache folder not made by archlint for this user must be left alone (git tracks
    it, or git cannot say whether it does); None when it is free to use."""
    from .paths import git_root

    absolute = os.path.abspath(directory)
    if "GIT_DIR" not in os.environ and git_root(os.path.dirname(absolute)) is None:
        return None  # outside any work tree
    import subprocess

    parent, name = os.path.split(absolute)
    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", name],
            cwd=parent,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot be checked with git ({exc})"
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"cannot be checked with git ({reason[-1] if reason else f'exit {completed.returncode}'})"
    if completed.stdout:
        return f"is tracked by git (untrack it: git rm -r --cached {name})"
    return None


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

    # -- authenticated files --------------------------------------------------

    def _mac(self, path: str, data: bytes | memoryview) -> bytes:
        """The MAC of a cache file: its name within the folder and its content, under the key."""
        name = path[len(self.directory) :] if path.startswith(self.directory) else path
        mac = blake2b(digest_size=20, key=self.secret, person=_PERSON)
        mac.update(name.encode("utf-8", "surrogateescape"))
        mac.update(b"\0")
        mac.update(data)
        return _MAGIC + mac.hexdigest().encode() + b"\n"

    def load(self, path: str) -> bytes:
        """The content of a cache file; OSError when it cannot be read, ValueError when its MAC
        fails (anyone but this user's archlint wrote it, or it was edited): a miss either way."""
        raw = _read(path)
        end = raw.find(b"\n") + 1
        if not end or not _compare_digest(raw[:end], self._mac(path, memoryview(raw)[end:])):
            raise ValueError(f"{path}: not written by this user's archlint")
        return raw[end:]

    def save(self, path: str, data: bytes) -> None:
        """Write a cache file with its MAC, whole, never through a link; nothing on failure."""
        try:  # noqa: SIM105 - contextlib is not otherwise loaded by a run
            files.replace(path, self._mac(path, data) + data)
        except OSError:
            pass

    def owner_tag(self) -> bytes:
        """The CACHEDIR.TAG of a folder this user's archlint made: the tag, then a MAC of the
        folder's real path (a committed or copied folder does not carry a valid one)."""
        where = os.path.realpath(self.directory).encode("utf-8", "surrogateescape")
        return _TAG.encode() + b"# owner: " + self._mac("CACHEDIR.TAG", where)[len(_MAGIC) :]

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
            catalog = decode(json.loads(self.load(entry)))
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
        self.save(entry, data)
        return catalog

    def compiled(self, kind: str, parts: Sequence[str], build: Callable[[], T], expected: type[T]) -> T:
        """What `build` returns, from the cache when `parts` (everything it depends on) are unchanged.

        For compiled data other modules load (the decision gates); a value the
        cache cannot hold is built every time.
        """
        entry = os.path.join(self.base, f"{kind}-{self.key(kind, self.environment, *parts)}.json")
        try:
            value = decode(json.loads(self.load(entry)))
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
        self.save(entry, data)
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
        self.save(self._programs_entry(), json.dumps(merged, separators=(",", ":")).encode())
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
            data = json.loads(self.load(entry))
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
        return Results(self, folder, run, settings.waiver_max_days)


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

    def __init__(self, store: Store, folder: str, run: str, max_days: int | None = None) -> None:
        self.store = store
        self.folder = folder
        self.run = run
        self.max_days = max_days  # waivers.max-days: one more date a result depends on
        self._packs: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, dict[str, Any]] = {}
        self._to_record: tuple[str, ...] | None = None  # the run record `flush` writes

    def evaluated(self) -> tuple[str, ...] | None:
        """The rule ids a run of this key evaluates, as a run that loaded the catalog recorded
        them; None when none has (or the record is broken)."""
        try:
            data = json.loads(self.store.load(os.path.join(self.folder, _RUN_RECORD)))
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
            pack = json.loads(self.store.load(os.path.join(self.folder, f"{shard}.json")))
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
        valid = validity(documents, today, self.max_days)
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
            _own_folder(self.folder)  # the folder of a run key: never a link planted there
        except (OSError, _Refused):
            self._pending.clear()
            self._to_record = None
            return
        if self._to_record is not None:
            record = {"evaluated": list(self._to_record)}
            self.store.save(os.path.join(self.folder, _RUN_RECORD), json.dumps(record).encode())
            self._to_record = None
        for shard, entries in self._pending.items():
            pack = self._read_pack(shard)  # read again: another run may have added entries
            pack.update(entries)
            data = json.dumps(pack, separators=(",", ":")).encode()
            self.store.save(os.path.join(self.folder, f"{shard}.json"), data)
            self._packs[shard] = pack
        self._pending.clear()


def _unchanged(depends: Any) -> bool:
    """Are the evidence files a cached result read in the state it recorded?"""
    from .paths import signature

    if not isinstance(depends, list) or not all(isinstance(row, list) and row for row in depends):
        return False
    paths = [row[0] for row in depends]
    return all(isinstance(path, str) for path in paths) and signature(paths) == depends


def validity(
    documents: Sequence[Document], today: str, max_days: int | None = None
) -> tuple[str | None, str | None] | None:
    """The dates (inclusive, ISO) between which a result computed `today` (ISO) holds.

    The only date a result depends on is whether each waiver has expired
    (`expires < today`); that answer stays the same from the day after the
    latest expired waiver to the day of the earliest unexpired one. None when
    a waiver date cannot be read (such a result is not cached). With `max_days`
    (waivers.max-days) an unexpired waiver's answer also changes on the day its
    expiry comes within `max_days`.
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
                if max_days is not None:
                    allowed_from = date - datetime.timedelta(days=max_days)
                    if today < allowed_from.isoformat():
                        last = (allowed_from - datetime.timedelta(days=1)).isoformat()
                        end = min(end, last)
                    else:
                        start = (
                            allowed_from.isoformat()
                            if start is None
                            else max(start, allowed_from.isoformat())
                        )
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
    """A cache file's bytes: a regular file, never through a link, never a FIFO's wait."""
    descriptor = os.open(path, _READ)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise IsADirectoryError(f"{path}: not a regular file")
        # One read of the size fstat gave (plus one byte): a short read is the end of the file.
        wanted = status.st_size + 1
        chunks = [os.read(descriptor, wanted)]
        while len(chunks[-1]) == wanted:  # it grew while being read: read on
            chunks.append(os.read(descriptor, 1 << 16))
            wanted = 1 << 16
        return b"".join(chunks)
    finally:
        os.close(descriptor)


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
