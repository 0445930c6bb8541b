"""Evaluate the CEL of policies that are not built in, under a time and a memory bound.

A policy from the repository (or any file named by `--policies` or `policy-paths`) is
written by whoever opens the pull request. CEL stops an evaluation after 10,000
comprehension steps, but bounds neither its time nor its memory: a few nested
`replace` calls grow a string eightfold each. cel-expr-python offers no cost, time
or memory limit, so every evaluation of such a program runs in one child process
(`python -m archlint.sandbox`) that the parent can kill:

- memory: the child's address space is capped (`RLIMIT_AS`) at its size when it
  started plus `MEMORY_BYTES`; an allocation past it fails in CEL, which the child
  reports (or it dies, which the parent reports the same way);
- time: the parent waits `DEADLINE` seconds of wall-clock time for each result,
  then kills the child (SIGKILL) and starts a new one for the rest; the child also
  caps its own CPU time per evaluation (`RLIMIT_CPU`), so it cannot outlive a
  parent that died.

A program that exceeds a bound gets a `Result` whose message the engine reports as
POL001 on that document, at the rule. Built-in policies never come here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
import weakref
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import subprocess

DEADLINE = 1.0  # seconds of wall-clock time per evaluation
MEMORY_BYTES = 512 * 2**20  # address space an evaluation may add to the child's own
_CPU_SECONDS = 2  # the child's own cap per evaluation (whole seconds): for an orphaned child
_STARTUP = 60.0  # seconds for a child to import CEL and say it is ready (a loaded CI machine)
_READY = b"archlint-sandbox-ready\n"
_HEADER = struct.Struct(">I")


class Step(NamedTuple):
    """One program to evaluate: a variable (its value joins `variables` for the rules) or a rule."""

    kind: str  # "variable" or "rule"
    name: str  # the variable's name or the rule's id
    source: str
    needs: tuple[str, ...] = ()  # variables a rule reads: it is skipped when one of them failed


class Result(NamedTuple):
    """What one step gave: its value, or (ok false) why it has none."""

    ok: bool
    value: Any  # the value; the message when not ok; None for a skipped rule
    skipped: bool = False


class SandboxError(Exception):
    """The child process cannot be started at all (no bound could be kept)."""


def time_bound() -> str:
    return f"it exceeded the time bound ({DEADLINE:g} s per evaluation)"


def memory_bound() -> str:
    return f"it exceeded the memory bound ({MEMORY_BYTES // 2**20} MiB per evaluation)"


class Sandbox:
    """The child process of one checking process, started on first use.

    A process that inherits a sandbox (a forked worker) starts its own child: a
    process is only ever talked to by the process that started it.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = 0
        self._finalizer: Any = None

    def run(self, bindings: Mapping[str, Any], steps: Sequence[Step]) -> list[Result]:
        """The result of every step, in order, each bounded in time and memory."""
        results: list[Result] = []
        failed: set[str] = set()
        done: list[Step] = []  # variables that have a value: recomputed, unreported, after a restart
        while len(results) < len(steps):
            rest = steps[len(results) :]
            replies = self._ask(bindings, done, rest, failed)
            for step, result in zip(rest, replies, strict=False):
                results.append(result)
                if step.kind == "variable":
                    if result.ok:
                        done.append(step)
                    else:
                        failed.add(step.name)
        return results

    def _ask(
        self, bindings: Mapping[str, Any], done: Sequence[Step], rest: Sequence[Step], failed: set[str]
    ) -> list[Result]:
        """Results for `rest` until one exceeds a bound (its result is the last of the list)."""
        process = self._child()
        assert process.stdin is not None and process.stdout is not None
        request = (dict(bindings), tuple(done), tuple(rest), tuple(sorted(failed)))
        try:
            _send(process.stdin, request)
        except (OSError, ValueError):
            return [Result(False, self._ended())]
        replies: list[Result] = []
        for _ in rest:
            try:
                frame = _receive(process.stdout, DEADLINE)
            except TimeoutError:
                self.close()
                replies.append(Result(False, time_bound()))
                return replies
            if frame is None:
                replies.append(Result(False, self._ended()))
                return replies
            replies.append(_result(frame))
        return replies

    def _ended(self) -> str:
        """Why the child stopped answering (it is reaped, and a new one starts next time)."""
        process = self._process
        code = None
        if process is not None:
            process.kill()
            code = process.wait()
        self.close()
        if code is not None and code == -_sigxcpu():
            return time_bound()
        return memory_bound()

    def _child(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._owner == os.getpid():
            return self._process
        if self._finalizer is not None:  # inherited through fork: the parent's child, not ours
            self._finalizer.detach()
        self._process = self._finalizer = None
        import subprocess

        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (package, env.get("PYTHONPATH"))))
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "archlint.sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:
            raise SandboxError(f"cannot start the process that evaluates policies: {exc}") from None
        self._process, self._owner = process, os.getpid()
        self._finalizer = weakref.finalize(self, _stop, process)
        assert process.stdout is not None
        try:
            ready = _read_exactly(process.stdout, len(_READY), _STARTUP)
        except TimeoutError:
            ready = None
        if ready != _READY:
            self.close()
            raise SandboxError("the process that evaluates policies did not start")
        return process

    def close(self) -> None:
        """Stop the child (a new one starts if the sandbox is used again)."""
        if self._finalizer is not None:
            self._finalizer()
        self._process = None
        self._finalizer = None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _sigxcpu() -> int:
    import signal

    return int(getattr(signal, "SIGXCPU", 24))


def _result(frame: bytes) -> Result:
    try:
        kind, value = _loads(frame)
    except Exception:  # a child that wrote garbage is a child that failed
        return Result(False, memory_bound())
    if kind == "ok":
        return Result(True, value)
    if kind == "skip":
        return Result(False, None, skipped=True)
    return Result(False, str(value))


# -- framing: a 4-byte length, then a pickle --------------------------------------


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes], timeout: float | None) -> bytes | None:
    """One frame, None at the end of the stream; TimeoutError after `timeout` seconds."""
    header = _read_exactly(stream, _HEADER.size, timeout)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    # The frame is already on its way: the time bound was for computing it.
    return _read_exactly(stream, size, None if timeout is None else max(timeout, 10.0))


def _read_exactly(stream: IO[bytes], size: int, timeout: float | None) -> bytes | None:
    import time

    fd = stream.fileno()
    chunks: list[bytes] = []
    wanted = size
    end = None if timeout is None else time.monotonic() + timeout
    while wanted:
        if end is not None:
            _wait_readable(fd, end - time.monotonic())
        chunk = os.read(fd, min(wanted, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _wait_readable(fd: int, timeout: float) -> None:
    import select

    if timeout <= 0 or not select.select([fd], [], [], timeout)[0]:
        raise TimeoutError


class _Values(pickle.Unpickler):
    """Unpickles CEL values only: builtins and the datetime types (never an arbitrary class)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("datetime", "timedelta", "timezone", "date"):
            import datetime

            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a CEL value")


def _loads(frame: bytes) -> Any:
    import io

    return _Values(io.BytesIO(frame)).load()


# -- the child ------------------------------------------------------------------


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows: the time bound only
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed child leaves no core file
    size = _address_space()
    if size is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size + MEMORY_BYTES
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # not Linux: macOS does not enforce RLIMIT_AS anyway


def _limit_cpu() -> None:
    """Let the next evaluation use at most _CPU_SECONDS more seconds of CPU (SIGXCPU ends it)."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + _CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: one request per document, one reply per step to report."""
    from . import cel

    cel.activation({})  # load CEL before the memory bound is measured and set
    _limit_memory()
    replies.write(_READY)
    replies.flush()
    programs: dict[str, cel.Program] = {}

    def evaluate(source: str, activation: Any) -> tuple[str, Any]:
        _limit_cpu()
        try:
            program = programs.get(source)
            if program is None:
                program = programs[source] = cel.compile_expression(source)
            value = program.evaluate(activation)
            pickle.dumps(value)  # a value that cannot travel is an error here, not in the parent
        except cel.CelCompileError as exc:
            return "error", exc.message
        except cel.CelEvalError as exc:
            return "error", str(exc)
        except MemoryError:
            return "error", memory_bound()
        except (pickle.PicklingError, TypeError):
            return "error", "its value cannot be used outside CEL"
        return "ok", value

    while True:
        frame = _receive(requests, None)
        if frame is None:
            return
        bindings, done, rest, failed_names = pickle.loads(frame)
        failed = set(failed_names)
        variables = dict(bindings.get("variables") or {})
        first = cel.activation(bindings)
        second = None
        for step, reply in [(step, False) for step in done] + [(step, True) for step in rest]:
            if step.kind == "variable":
                kind, value = evaluate(step.source, first)
                if kind == "ok":
                    variables[step.name] = value
                else:
                    failed.add(step.name)
            elif failed.intersection(step.needs):
                kind, value = "skip", None
            else:
                if second is None:
                    second = cel.activation({**bindings, "variables": variables})
                kind, value = evaluate(step.source, second)
            if reply:
                _send(replies, (kind, value))


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
