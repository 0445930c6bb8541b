"""Issue 13, item 4: a worker process killed by the kernel (the OOM killer sends SIGKILL) left
the parent waiting forever. Now a dead worker ends the run with exit 2 and a message; a killed
process evaluating a policy is a POL001 finding on the document it was evaluating.

The tests kill real processes with SIGKILL while a real `archlint check` runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .bounded_policies import RULE_AT, SLOW, repository

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(folder / ".user-cache")}
    command = [sys.executable, "-m", "archlint", "check", "--no-cache", "--policies", "hostile.yaml", *args]
    return subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(b")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(run: subprocess.Popen[str]) -> None:
    """After a failure: end the run and the processes it started (workers would be orphaned)."""
    if run.poll() is None:
        family = _children(run.pid)
        family += [grandchild for child in family for grandchild in _children(child)]
        run.kill()
        for pid in family:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        run.communicate()


def _wait_for(find: object, run: subprocess.Popen[str]) -> int:
    """Poll until `find()` returns a pid (the run must still be going)."""
    assert callable(find)
    while run.poll() is None:
        pid = find()
        if pid:
            return int(pid)
        time.sleep(0.01)
    raise AssertionError(f"the run ended first: {run.communicate()}")


def test_a_worker_killed_by_sigkill_ends_the_run_with_exit_2(tmp_path: Path) -> None:
    # 60 files: two worker processes; each document costs its rule's time bound, so the run
    # lasts long enough for a worker to be found and killed while it checks files.
    folder = repository(tmp_path, 60, SLOW)
    run = _start(folder, "--jobs", "2")

    def worker() -> int | None:
        # Forked workers carry the parent's command line (the evaluating child does not).
        command = _cmdline(run.pid)
        workers = [pid for pid in _children(run.pid) if command and _cmdline(pid) == command]
        return workers[0] if workers else None

    try:
        os.kill(_wait_for(worker, run), signal.SIGKILL)
        out, err = run.communicate(timeout=600)  # a safety net: the guarantee is that it returns
    finally:
        _stop(run)

    assert run.returncode == 2, (out, err)
    assert err.startswith("archlint: error: a worker process died while checking files"), err
    assert "Traceback" not in err
    assert "checked" not in out  # no report of a run that did not check every file


def test_a_killed_evaluation_process_is_a_pol001_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = repository(tmp_path, 1, SLOW, "metadata.name.startsWith('release')")
    run = _start(folder)

    def evaluating() -> int | None:
        # The child that evaluates the policy, once it is past its start and evaluating.
        for pid in _children(run.pid):
            if b"archlint.sandbox" in _cmdline(pid) and _cpu(pid) > 0.2:
                return pid
        return None

    try:
        os.kill(_wait_for(evaluating, run), signal.SIGKILL)
        out, err = run.communicate(timeout=600)
    finally:
        _stop(run)

    assert run.returncode == 1, (out, err)
    findings = set(out.splitlines()[:2])
    assert findings == {
        f"f000.ai-feature.yaml{RULE_AT}HOS001 could not be evaluated on this document: "
        "the process evaluating it was killed by signal 9 (the memory bound is 512 MiB)",
        # The next rule is evaluated by a new process.
        "f000.ai-feature.yaml:5:3: error HOS002 never shown",
    }, out


def test_an_evaluating_process_that_cannot_start_stops_the_run_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No bound can be kept without the child: the run stops instead of evaluating in-process.
    from archlint.cli import main

    folder = repository(tmp_path, 1, "metadata.name.size() > 0")
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sys, "executable", "/bin/false")

    code = main(["check", "--isolated", "--no-cache", "--policies", "hostile.yaml", "."])

    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err == "archlint: error: the process that evaluates policies did not start\n"


def test_an_evaluating_process_killed_while_idle_blames_no_rule() -> None:
    from archlint.sandbox import Sandbox, Step

    bindings = {"metadata": {"name": "release-notes-styler"}, "variables": {}}
    steps = [Step("rule", "HOS001", "metadata.name.startsWith('release')")]
    sandbox = Sandbox()
    try:
        assert [result.value for result in sandbox.run(bindings, steps)] == [True]
        (child,) = [pid for pid in _children(os.getpid()) if b"archlint.sandbox" in _cmdline(pid)]
        os.kill(child, signal.SIGKILL)
        while Path(f"/proc/{child}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
            time.sleep(0.01)  # until the kernel has ended it

        again = sandbox.run(bindings, steps)
    finally:
        sandbox.close()

    assert [(result.ok, result.value) for result in again] == [(True, True)]
