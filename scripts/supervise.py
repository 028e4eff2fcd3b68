#!/usr/bin/env python3
"""Run several long-lived commands together and keep them running (what `make run` uses).

    scripts/supervise.py "web=python manage.py runserver --noreload" "worker=python manage.py db_worker"

Each NAME=COMMAND runs in its own process group. When one exits (a crash, kill -9), only that one
is started again, after a back-off that doubles on each quick exit (0.5 s, 1 s, 2 s … at most
--max-backoff) and starts over once it has run for --healthy seconds. The others keep running.
Ctrl-C, SIGTERM or SIGHUP stops them all (SIGTERM, then SIGKILL after --grace seconds) and exits;
if the supervisor itself is killed, the kernel sends its children SIGTERM (Linux prctl).
Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    print(f"[supervise] {message}", file=sys.stderr, flush=True)


def _die_with_parent(parent: int):
    def setup() -> None:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
        os.setpgid(0, 0)  # its own group: a Ctrl-C reaches the supervisor, which stops it in order

    return setup


class Child:
    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.failures = 0
        self.restart_at = 0.0

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, preexec_fn=_die_with_parent(os.getpid()))  # noqa: PLW1509
        self.started = time.monotonic()
        log(f"{self.name} started (pid {self.proc.pid})")

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)


def parse(specs: list[str]) -> list[Child]:
    children = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            raise SystemExit(f"supervise: expected NAME=COMMAND, got {spec!r}")
        children.append(Child(name.strip(), shlex.split(command)))
    return children


def supervise(children: list[Child], *, max_backoff: float, healthy: float, grace: float, poll: float = 0.2) -> int:
    stopping: list[int] = []

    def on_signal(signum, _frame) -> None:
        stopping.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    for child in children:
        child.start()
    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.proc is None:
                if now >= child.restart_at:
                    child.start()
                continue
            code = child.proc.poll()
            if code is None:
                continue
            ran = now - child.started
            child.failures = 1 if ran >= healthy else child.failures + 1
            delay = min(max_backoff, 0.5 * 2 ** (child.failures - 1))
            log(f"{child.name} exited with {code} after {ran:.1f} s; restarting in {delay:g} s")
            child.proc = None
            child.restart_at = now + delay
        time.sleep(poll)
    log(f"{signal.Signals(stopping[0]).name}: stopping {', '.join(c.name for c in children)}")
    for child in children:
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        if child.proc is None:
            continue
        try:
            child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{child.name} did not stop in {grace:g} s; killing it")
            child.signal(signal.SIGKILL)
            child.proc.wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    parser.add_argument("--max-backoff", type=float, default=30.0, help="longest wait before a restart (s)")
    parser.add_argument("--healthy", type=float, default=30.0, help="a run this long resets the back-off (s)")
    parser.add_argument("--grace", type=float, default=15.0, help="wait after SIGTERM before SIGKILL (s)")
    args = parser.parse_args(argv)
    return supervise(parse(args.commands), max_backoff=args.max_backoff, healthy=args.healthy, grace=args.grace)


if __name__ == "__main__":
    sys.exit(main())
