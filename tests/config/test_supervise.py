"""scripts/supervise.py, what `make run` runs the web server, worker and scheduler under (issue 7,
point 5): a child that dies is restarted alone, with back-off; SIGTERM stops all; so does the
supervisor's own death. Real processes with dummy children."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import procs

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "supervise.py"
# A dummy long-lived child: records its pid in DIR/NAME-<pid>, then sleeps.
SLEEPER = ("import os,sys,time; open(os.path.join(sys.argv[1], sys.argv[2] + '-' + str(os.getpid())), 'w').close(); "
           "time.sleep(600)")


def pids(folder: Path, name: str) -> list[int]:
    return sorted(int(p.name.rsplit("-", 1)[1]) for p in folder.glob(f"{name}-*"))


@pytest.fixture
def supervisor(tmp_path):
    started: list[subprocess.Popen] = []

    def start(*specs: str, extra: tuple[str, ...] = ()) -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, str(SCRIPT), "--grace", "5", *extra, *specs], cwd=ROOT,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        started.append(p)
        return p

    yield start
    for p in started:
        if p.poll() is None:
            procs.kill_group(p)


def sleeper(tmp_path: Path, name: str) -> str:
    return f"{name}={sys.executable} -c \"{SLEEPER}\" {tmp_path} {name}"


def test_a_killed_child_is_restarted_alone_and_sigterm_stops_all(supervisor, tmp_path):
    sup = supervisor(sleeper(tmp_path, "web"), sleeper(tmp_path, "worker"))
    procs.wait_until(lambda: pids(tmp_path, "web") and pids(tmp_path, "worker"), 30, "both children")
    [web] = pids(tmp_path, "web")
    [worker] = pids(tmp_path, "worker")

    os.kill(web, signal.SIGKILL)  # the web server crashes
    procs.wait_until(lambda: len(pids(tmp_path, "web")) == 2, 30, "the web server to come back")
    new_web = max(set(pids(tmp_path, "web")) - {web})
    assert procs.alive(new_web) and not procs.alive(web)
    assert procs.alive(worker) and pids(tmp_path, "worker") == [worker]  # untouched
    assert sup.poll() is None

    sup.send_signal(signal.SIGTERM)
    assert sup.wait(timeout=20) == 0
    out = sup.stdout.read()
    assert "web exited with -9" in out and "stopping web, worker" in out
    procs.wait_until(lambda: not procs.alive(new_web) and not procs.alive(worker), 10, "the children to stop")


def test_a_child_that_keeps_failing_is_restarted_with_back_off(supervisor, tmp_path):
    counter = tmp_path / "starts"
    failing = f"bad={sys.executable} -c \"open('{counter}', 'a').write('x'); raise SystemExit(3)\""
    sup = supervisor(failing, sleeper(tmp_path, "good"), extra=("--max-backoff", "2"))
    procs.wait_until(lambda: pids(tmp_path, "good"), 30, "the good child")
    time.sleep(4)
    starts = len(counter.read_text())
    # 0, 0.5, 1.5, 3.5 s (plus start-up time): a handful, not a tight loop.
    assert 2 <= starts <= 5
    assert procs.alive(pids(tmp_path, "good")[0])
    sup.send_signal(signal.SIGINT)  # Ctrl-C
    assert sup.wait(timeout=20) == 0
    out = sup.stdout.read()
    assert re.search(r"bad exited with 3 after [\d.]+ s; restarting in 1 s", out)
    assert "SIGINT: stopping bad, good" in out


def test_children_die_with_a_killed_supervisor(supervisor, tmp_path):
    sup = supervisor(sleeper(tmp_path, "web"))
    procs.wait_until(lambda: pids(tmp_path, "web"), 30, "the child")
    [web] = pids(tmp_path, "web")
    os.kill(sup.pid, signal.SIGKILL)
    sup.wait(timeout=10)
    procs.wait_until(lambda: not procs.alive(web), 10, "the child to die with its supervisor")


def test_make_run_uses_the_supervisor():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "scripts/supervise.py" in recipe and "kill 0" not in recipe
    for name in ("worker=", "scheduler=", "web="):
        assert name in recipe


def test_bad_specification_is_refused():
    p = subprocess.run([sys.executable, str(SCRIPT), "no-equals-sign"], capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "NAME=COMMAND" in p.stderr
