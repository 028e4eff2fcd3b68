#!/usr/bin/env python3
"""Export package benchmark: the host unit's package of N media files (2 GB in all by default)
streamed by a real server (gunicorn, one sync worker, DEBUG off, SQLite, temp var dir) through
`GET /api/reporting/host/<track>/package.zip`, against reading the same files from disk (1 MiB
reads, same process as the client). The client reads the response in 1 MiB blocks and counts the
bytes; a sampler reads VmRSS (every 20 ms) and VmHWM of the server's processes.

The package ships each file's copy without metadata (docs/exports.md); the bench puts the copies
in place as the background task does when an entry reaches the host (hard links to the files).

Three downloads: cold (forms and the summary are rendered, the files' CRC-32 computed and
recorded), warm (everything recorded: the steady state), and a resumed one (Range from the
middle: nothing before the offset is read). The zip is checked (names, sizes) from its central
directory with a final Range request.

Goals: the package generated at ≥ 0.8 × the disk read, and memory flat while streaming: VmHWM
< 150 MB for the generating process and for the worker of the warm download, whatever the size.
The cold download's worker also renders PDFs (WeasyPrint with the CJK fonts, ~190 MB): reported,
not a goal. The HTTP figures are compared with the disk read and with a bare loopback socket.

Environment: BENCH_PACKAGE_MB (2048), BENCH_FILE_MB (64), BENCH_TMP (where the temp dir goes).
Run it with `python bench/run.py package_bench` (or `make bench` for all).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from procmem import RssSampler, descendants, free_port, status_kb  # noqa: E402, F401 (shared with the other benchmarks)

PY = sys.executable
MB = 1024 * 1024
SIZE_MB = int(os.environ.get("BENCH_PACKAGE_MB", "2048"))
FILE_MB = int(os.environ.get("BENCH_FILE_MB", "64"))
GOAL_RATIO = 0.8
GOAL_RSS_MB = 150


SETUP = r"""
import hashlib, os, sys, secrets
from pathlib import Path
from django.conf import settings
from django.utils import timezone
from tests import factories as f
from zhengji.accounts.models import ApiToken
from zhengji.accounts.tokens import hash_key
from zhengji.campaigns.roles import CampaignRole
from zhengji.entries.models import Entry, EntryFile, EntryStatus
from zhengji.media import stripping
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.orgs.models import OrgKind

size_mb, file_mb = int(sys.argv[1]), int(sys.argv[2])
prov = f.org("安徽省总工会", OrgKind.PROVINCE, code="AH")
cities = [f.org(n, OrgKind.CITY, prov, code=c) for n, c in (("铜陵市总工会", "AH-TL"), ("芜湖市总工会", "AH-WH"))]
units = [f.org(f"{c.name[:2]}某厂工会", OrgKind.GRASSROOTS, c, code=c.code + "-01") for c in cities]
host = f.org("宣城市总工会", OrgKind.CITY, prov, code="AH-XC")
camp = f.campaign(prov, year=2026)
track = f.track(camp, host, number=4, name="微视频作品")
staff = f.user(real_name="宣城联络员")
f.grant(staff, CampaignRole.HOST_STAFF, track=track)
key = secrets.token_urlsafe(32)
ApiToken.objects.create(user=staff, name="bench", prefix=key[:8], key_hash=hash_key(key))
root = Path(settings.MEDIA_ROOT) / "originals"
root.mkdir(parents=True, exist_ok=True)
block = os.urandom(8 << 20)
files, n = [], 0
left = size_mb
while left > 0:
    mb = min(file_mb, left)
    left -= mb
    name = f"bench-{n:04d}.mp4"
    with open(root / name, "wb") as fh:
        for i in range(0, mb, 8):
            fh.write(block[: min(8, mb - i) << 20])
    files.append((name, mb << 20))
    n += 1
for i in range(0, len(files), 2):
    unit = units[(i // 2) % 2]
    e = Entry.objects.create(track=track, submitter=staff, unit=unit, number=f"2026-04-{i // 2 + 1:06d}",
                             title=f"职工微视频《安全生产第{i // 2 + 1}课》", summary="一部关于安全生产的微视频。",
                             status=EntryStatus.REPORTED, submitted_at=timezone.now(), contact_phone="13912345678")
    for pos, (name, size) in enumerate(files[i:i + 2]):
        m = MediaFile.objects.create(owner=staff, filename=f"第{pos + 1}集 成片.mp4", original=f"originals/{name}",
                                     kind="video", content_type="video/mp4", size=size, duration=300.0,
                                     status=MediaStatus.READY, sha256=hashlib.sha256(name.encode()).hexdigest())
        # The package ships each file's copy without metadata, made when the entry reached the host
        # (reporting.package.prepare_media); the bench's bytes are no real video, so the copy is
        # put in place as that task leaves it: a hard link (same bytes, no disk used).
        clean = Path(settings.MEDIA_ROOT) / stripping.cache_name(m)
        clean.parent.mkdir(parents=True, exist_ok=True)
        os.link(root / name, clean)
        EntryFile.objects.create(entry=e, media=m, slot="video", position=pos)
print(json.dumps({"key": key, "track": track.pk, "files": [str(root / n) for n, _s in files]}))
"""


GENERATE = r"""
import time
from django.utils import translation
from zhengji.accounts.models import User
from zhengji.campaigns.models import Track
from zhengji.reporting.host import HostFilters
from zhengji.reporting.views_exports import host_package

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

track = Track.objects.get(number=4)
user = User.objects.get(real_name="宣城联络员")
translation.activate("zh-hans")
before = hwm()
t0 = time.perf_counter()
package = host_package(user, track, HostFilters())
t_plan = time.perf_counter() - t0
total = 0
for block in package.plan.stream():
    total += len(block)
took = time.perf_counter() - t0
print(json.dumps({"bytes": total, "seconds": took, "plan_seconds": t_plan, "hwm_before_mb": before,
                  "hwm_mb": hwm()}))
"""


TTFB: dict[str, float] = {}


def download(port: int, path: str, key: str, headers: dict | None = None) -> tuple[int, float, int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Bearer {key}", **(headers or {})})
    r = conn.getresponse()
    TTFB[path + repr(headers)] = time.perf_counter() - t0
    total, buf = 0, bytearray(MB)
    while n := r.readinto(buf):
        total += n
    took = time.perf_counter() - t0
    conn.close()
    return r.status, took, total, dict(r.getheaders())


def ranged(port: int, path: str, key: str, start: int, end: int) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Authorization": f"Bearer {key}", "Range": f"bytes={start}-{end - 1}"})
    data = conn.getresponse().read()
    conn.close()
    return data


def socket_baseline(size: int) -> float:
    """Seconds to move `size` bytes between two processes through a bare loopback socket (1 MiB
    sendall / recv_into): the ceiling of any HTTP download on this machine."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    pid = os.fork()
    if pid == 0:  # the sender
        c = socket.create_connection(srv.getsockname())
        block, left = os.urandom(MB), size
        while left > 0:
            c.sendall(block[: min(MB, left)])
            left -= MB
        c.close()
        os._exit(0)
    conn, _addr = srv.accept()
    buf, t0 = bytearray(MB), time.perf_counter()
    while conn.recv_into(buf):
        pass
    took = time.perf_counter() - t0
    os.waitpid(pid, 0)
    conn.close()
    srv.close()
    return took


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="zj-package-bench-", dir=os.environ.get("BENCH_TMP")))
    var = tmp / "var"
    env = {**os.environ, "ZHENGJI_VAR_DIR": str(var), "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1", "STATIC_NO_MANIFEST": "1",
           "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    server = None
    try:
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        print(f"generating {SIZE_MB} MB in files of {FILE_MB} MB …", flush=True)
        out = subprocess.run([PY, "manage.py", "shell", "-c", "import json, sys; sys.argv = ['x', "
                              f"'{SIZE_MB}', '{FILE_MB}']\n" + SETUP], cwd=ROOT, env=env, check=True,
                             stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
        setup = json.loads(out)
        key, files = setup["key"], [Path(p) for p in setup["files"]]
        url = f"/api/reporting/host/{setup['track']}/package.zip"

        def start() -> tuple[subprocess.Popen, RssSampler, int]:
            port = free_port()
            cmd = [str(Path(PY).parent / "gunicorn"), "zhengji.wsgi:application", "-w", "1", "-k", "sync",
                   "-b", f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"]
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            time.sleep(1.0)
            # One small request first: the worker's first request loads the URLs, the API and translations.
            download(port, "/api/reporting/host/tracks", key)
            sampler = RssSampler(proc.pid)
            sampler.start()
            time.sleep(0.3)
            return proc, sampler, port

        # Baseline: read every file from disk in 1 MiB blocks (warm page cache, like the server's).
        t0 = time.perf_counter()
        disk_bytes = 0
        for p in files:
            with open(p, "rb") as fh:
                while block := fh.read(MB):
                    disk_bytes += len(block)
        t_disk = time.perf_counter() - t0

        # Cold: a fresh worker renders the forms and records the CRCs.
        server, sampler, port = start()
        idle_mb = max(sampler.peak_rss_kb.values()) / 1024
        status, t_cold, cold_bytes, headers = download(port, url, key)
        ttfb_cold = TTFB[url + "None"]
        sampler.stop.set()
        cold_rss, cold_hwm = sampler.peaks()
        stop(server)
        # The package generated in one process without HTTP (what the zip costs on top of reading).
        gen = json.loads(subprocess.run([PY, "manage.py", "shell", "-c", "import json\n" + GENERATE], cwd=ROOT,
                                        env=env, check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()[-1])
        # Warm: a fresh worker streams what is recorded (no PDF engine loaded, no CRC computed).
        server, sampler, port = start()
        status2, t_warm, warm_bytes, headers2 = download(port, url, key)
        ttfb_warm = TTFB[url + "None"]
        length = int(headers2["Content-Length"])
        half = length // 2
        status3, t_resume, resume_bytes, headers3 = download(port, url, key,
                                                            {"Range": f"bytes={half}-", "If-Range": headers2["ETag"]})
        sampler.stop.set()
        sampler.join()
        warm_rss, warm_hwm = sampler.peaks()

        # Check the archive from its central directory (the last 64 KiB + a bit, by Range).
        tail_start = max(length - 256 * 1024, 0)
        tail = ranged(port, url, key, tail_start, length)

        class Tail(io.RawIOBase):
            def __init__(self):
                self.pos = 0

            def seekable(self):
                return True

            def readable(self):
                return True

            def tell(self):
                return self.pos

            def seek(self, off, whence=0):
                self.pos = {0: off, 1: self.pos + off, 2: length + off}[whence]
                return self.pos

            def readinto(self, buf):
                if self.pos < tail_start:
                    raise OSError("outside the tail")
                data = tail[self.pos - tail_start: self.pos - tail_start + len(buf)]
                buf[: len(data)] = data
                self.pos += len(data)
                return len(data)

        z = zipfile.ZipFile(Tail())
        media = [i for i in z.infolist() if i.filename.endswith(".mp4")]
        ok = (status == status2 == 200 and status3 == 206 and cold_bytes == warm_bytes == length
              and resume_bytes == length - half and len(media) == len(files)
              and sum(i.file_size for i in media) == disk_bytes
              and all(i.flag_bits & 0x800 for i in z.infolist()))
        disk_rate, warm_rate = disk_bytes / t_disk / MB, warm_bytes / t_warm / MB
        ratio = warm_rate / disk_rate
        t_socket = socket_baseline(length)
        socket_rate = length / t_socket / MB
        gen_rate = gen["bytes"] / gen["seconds"] / MB
        gen_ratio = gen_rate / disk_rate
        result = {
            "package_mb": round(length / MB, 1), "files": len(files), "entries": (len(files) + 1) // 2,
            "disk_read_s": round(t_disk, 2), "disk_mb_per_s": round(disk_rate, 1),
            "generator_s": round(gen["seconds"], 2), "generator_plan_s": round(gen["plan_seconds"], 3),
            "generator_mb_per_s": round(gen_rate, 1), "ratio_generator_to_disk": round(gen_ratio, 2),
            "generator_vmhwm_mb": round(gen["hwm_mb"], 1), "generator_vmhwm_before_mb": round(gen["hwm_before_mb"], 1),
            "http_cold_s": round(t_cold, 2), "http_cold_mb_per_s": round(cold_bytes / t_cold / MB, 1),
            "http_cold_worker_vmhwm_mb": round(cold_hwm, 1), "http_cold_first_byte_s": round(ttfb_cold, 2),
            "http_warm_first_byte_s": round(ttfb_warm, 3),
            "http_warm_s": round(t_warm, 2), "http_warm_mb_per_s": round(warm_rate, 1),
            "ratio_http_warm_to_disk": round(ratio, 2), "http_warm_worker_vmhwm_mb": round(warm_hwm, 1),
            "socket_loopback_s": round(t_socket, 2), "socket_loopback_mb_per_s": round(socket_rate, 1),
            "ratio_http_warm_to_socket": round(warm_rate / socket_rate, 2),
            "http_resume_from_half_s": round(t_resume, 2), "idle_rss_mb": round(idle_mb, 1), "zip_checked": ok,
            "goals": {"ratio_generator_to_disk": GOAL_RATIO, "vmhwm_mb": GOAL_RSS_MB},
        }
        print(json.dumps(result, indent=2))
        print(f"| {length / MB:.0f} MB, {len(files)} files | {t_disk:.2f} s ({disk_rate:.0f} MB/s) | "
              f"{gen['seconds']:.2f} s ({gen_rate:.0f} MB/s, {gen_ratio:.2f}×, {gen['hwm_mb']:.0f} MB) | "
              f"{t_cold:.2f} s ({cold_hwm:.0f} MB) | {t_warm:.2f} s ({warm_rate:.0f} MB/s, {ratio:.2f}×, "
              f"{warm_hwm:.0f} MB) | {t_socket:.2f} s ({socket_rate:.0f} MB/s, {warm_rate / socket_rate:.2f}×) | "
              f"{t_resume:.2f} s |")
        return 0 if ok and gen_ratio >= GOAL_RATIO and max(gen["hwm_mb"], warm_hwm) < GOAL_RSS_MB else 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
