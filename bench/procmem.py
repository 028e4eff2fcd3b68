"""Helpers of the benchmarks that start a server: a free port, and the memory of a process tree
read from /proc (VmRSS sampled every 20 ms, and each process's VmHWM high-water mark)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children") if Path(f"/proc/{p}/task").exists() else []:
            try:
                todo += [int(c) for c in task.read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


class RssSampler(threading.Thread):
    """Samples VmRSS of the process tree every 20 ms; remembers each process's VmHWM too."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop, self.peak_rss_kb, self.hwm_kb = pid, threading.Event(), {}, {}

    def run(self):
        while not self.stop.is_set():
            for p in descendants(self.pid):
                self.peak_rss_kb[p] = max(self.peak_rss_kb.get(p, 0), status_kb(p, "VmRSS"))
                self.hwm_kb[p] = max(self.hwm_kb.get(p, 0), status_kb(p, "VmHWM"))
            time.sleep(0.02)

    def peaks(self) -> tuple[float, float]:
        """(largest sampled VmRSS, largest VmHWM) in MB over the processes seen."""
        return max(self.peak_rss_kb.values()) / 1024, max(self.hwm_kb.values()) / 1024
