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
- time: the parent kills the child (SIGKILL) once an evaluation has used
  `CPU_SECONDS` of CPU time (read from /proc on Linux, so a loaded machine does
  not turn a slow answer into a finding; wall-clock time elsewhere), or
  `WALL_SECONDS` of wall-clock time whatever it used, and starts a new child for
  the rest; the child also caps its own CPU time per evaluation (`RLIMIT_CPU`),
  so it cannot outlive a parent that died.

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

from .errors import ArchlintError

if TYPE_CHECKING:
    import subprocess

CPU_SECONDS = 1.0  # CPU time per evaluation
WALL_SECONDS = 10.0  # wall-clock time per evaluation, whatever CPU time it used
MEMORY_BYTES = 512 * 2**20  # address space an evaluation may add to the child's own
_ORPHAN_CPU_SECONDS = 2  # the child's own cap per evaluation (whole seconds), past CPU_SECONDS
_STARTUP = 60.0  # seconds for a child to import CEL and say it is ready (a loaded CI machine)
_READY = b"archlint-sandbox-ready"  # the child's first frame
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


class SandboxError(ArchlintError):
    """The child process cannot be started at all: the run stops (exit 2), as no bound could be kept."""


def time_bound() -> str:
    return f"it exceeded the time bound ({CPU_SECONDS:g} s of CPU time per evaluation)"


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
        self._cpu = 0.0  # the child's CPU time when it last answered
        self._replies: _Replies | None = None

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
        request = (dict(bindings), tuple(done), tuple(rest), tuple(sorted(failed)))
        for attempt in range(2):
            process = self._child()
            assert process.stdin is not None
            try:
                _send(process.stdin, request)
                break
            except (OSError, ValueError):
                # The child died while it waited (the OOM killer picks the largest process):
                # no step of this request is to blame; a new child gets it once.
                message = self._ended()
                if attempt:
                    return [Result(False, message)]
        replies: list[Result] = []
        for _ in rest:
            try:
                frame = self._next(process)
            except TimeoutError:
                self.close()
                replies.append(Result(False, time_bound()))
                return replies
            if frame is None:
                replies.append(Result(False, self._ended()))
                return replies
            result, self._cpu = _result(frame)
            replies.append(result)
            if not result.ok and result.value == memory_bound():
                self.close()  # what CEL allocated may not all be freed: a new child for the rest
                return replies
        return replies

    def _next(self, process: subprocess.Popen[bytes]) -> bytes | None:
        """The next reply, waiting until the evaluation it answers has used CPU_SECONDS of CPU
        (or WALL_SECONDS have passed); TimeoutError then."""
        import time

        assert self._replies is not None
        start = time.monotonic()
        # A child (one thread) cannot use more CPU time than the wall-clock time that passed.
        with contextlib.suppress(TimeoutError):
            return self._replies.next(CPU_SECONDS)
        while True:
            elapsed = time.monotonic() - start
            used = _cpu_time(process.pid)
            spent = elapsed if used is None else used - self._cpu
            wait = min(CPU_SECONDS - spent, WALL_SECONDS - elapsed)
            if wait <= 0:
                raise TimeoutError
            with contextlib.suppress(TimeoutError):
                return self._replies.next(wait + 0.01)

    def _ended(self) -> str:
        """Why the child stopped answering (it is reaped, and a new one starts next time)."""
        process = self._process
        code = None
        if process is not None:
            process.kill()
            code = process.wait()
        self.close()
        xcpu = _signal("SIGXCPU")
        if xcpu and code == -xcpu:
            return time_bound()
        how = f"was killed by signal {-code}" if code is not None and code < 0 else "ended"
        # The kernel's out-of-memory killer sends SIGKILL: the likely reason, not a certain one.
        return f"the process evaluating it {how} (the memory bound is {MEMORY_BYTES // 2**20} MiB)"

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
        self._replies = _Replies(process.stdout)
        try:
            ready = self._replies.next(_STARTUP)
        except TimeoutError:
            ready = None
        if ready != _READY:
            self.close()
            raise SandboxError("the process that evaluates policies did not start")
        self._cpu = _cpu_time(process.pid) or 0.0
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


def _signal(name: str) -> int:
    import signal

    return int(getattr(signal, name, 0))


def _result(frame: bytes) -> tuple[Result, float]:
    """A reply: the step's result, and the child's CPU time when it sent it."""
    try:
        kind, value, cpu = _loads(frame)
    except Exception:  # a child that wrote garbage is a child that failed
        return Result(False, "the process evaluating it gave no usable answer"), 0.0
    if kind == "ok":
        return Result(True, value), float(cpu)
    if kind == "skip":
        return Result(False, None, skipped=True), float(cpu)
    return Result(False, str(value)), float(cpu)


def _cpu_time(pid: int) -> float | None:
    """The CPU time a process has used (Linux: /proc), None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            fields = stream.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    try:
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError, OSError):
        return None


# -- framing: a 4-byte length, then a pickle --------------------------------------


def _send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    """One frame, None at the end of the stream."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    (size,) = _HEADER.unpack(header)
    return _read_exactly(stream, size)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    fd = stream.fileno()
    chunks: list[bytes] = []
    wanted = size
    while wanted:
        chunk = os.read(fd, min(wanted, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


class _Replies:
    """The frames a child writes, each awaited with a timeout: select() on POSIX; on Windows,
    where a pipe cannot be selected, a thread reads them ahead."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.queue: Any = None
        if os.name == "nt":
            import queue
            import threading

            self.queue = queue.SimpleQueue()
            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                frame = _receive(self.stream)
            except (OSError, ValueError):
                frame = None
            self.queue.put(frame)
            if frame is None:
                return

    def next(self, timeout: float) -> bytes | None:
        """The next frame (None at the end of the stream); TimeoutError after `timeout` s."""
        if self.queue is not None:
            import queue

            try:
                frame: bytes | None = self.queue.get(timeout=timeout)
            except queue.Empty:
                raise TimeoutError from None
            return frame
        import select

        if not select.select([self.stream.fileno()], [], [], timeout)[0]:
            raise TimeoutError
        return _receive(self.stream)


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
    """Let the next evaluation use at most _ORPHAN_CPU_SECONDS more seconds of CPU (SIGXCPU
    ends it): the parent stops it sooner, unless the parent is gone."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + _ORPHAN_CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _usage() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: one request per document, one reply per step to report."""
    from . import cel

    cel.activation({})  # load CEL before the memory bound is measured and set
    _limit_memory()
    replies.write(_HEADER.pack(len(_READY)) + _READY)
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
        frame = _receive(requests)
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
                usage = _usage()
                _send(replies, (kind, value, usage))
            if kind == "error" and value == memory_bound():
                return  # the parent starts a new child for the rest


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
