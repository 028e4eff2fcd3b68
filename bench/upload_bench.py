#!/usr/bin/env python3
"""Upload benchmark: a 1 GB file through the tus endpoint of a real server (gunicorn, one sync
worker, temp var dir) with tuspy, against `shutil.copyfile` of the same file on the same disk.
Reports the time ratio and the server's peak RSS (sampled from /proc for the master and its
workers, plus the kernel's VmHWM high-water mark). Goal: peak RSS < 150 MB.

Environment: BENCH_UPLOAD_MB (default 1024), BENCH_CHUNK_MB (default 32), BENCH_CHECKSUM=1 to send
Upload-Checksum (sha1, tuspy's only algorithm) with every chunk, BENCH_SERVER=runserver to use
Django's dev server instead of gunicorn.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from procmem import RssSampler, descendants, free_port, status_kb  # noqa: E402, F401 (shared with the other benchmarks)

PY = sys.executable
MB = 1024 * 1024
SIZE_MB = int(os.environ.get("BENCH_UPLOAD_MB", "1024"))
CHUNK_MB = int(os.environ.get("BENCH_CHUNK_MB", "32"))
CHECKSUM = os.environ.get("BENCH_CHECKSUM") == "1"
SERVER = os.environ.get("BENCH_SERVER", "gunicorn")
GOAL_MB = 150


def make_file(path: Path, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        left = size
        while left:
            block = os.urandom(min(8 * MB, left))
            fh.write(block)
            h.update(block)
            left -= len(block)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while b := fh.read(8 * MB):
            h.update(b)
    return h.hexdigest()


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="zj-upload-bench-", dir=os.environ.get("BENCH_TMP")))
    var = tmp / "var"
    env = {**os.environ, "ZHENGJI_VAR_DIR": str(var), "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50,
           "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1", "STATIC_NO_MANIFEST": "1",
           "LOG_LEVEL": "WARNING", "MEDIA_USER_QUOTA_BYTES": str(100 * 1024 * MB)}
    env.pop("DATABASE_URL", None) if os.environ.get("BENCH_KEEP_DB") != "1" else None
    server = None
    try:
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        token = subprocess.run([PY, "manage.py", "shell", "-c", (
            "import secrets;from zhengji.accounts.models import User, ApiToken;"
            "from zhengji.accounts.tokens import hash_key;"
            "u=User.objects.create_user(username='bench', password=secrets.token_hex(8), phone='13900000000');"
            "k=secrets.token_urlsafe(32);ApiToken.objects.create(user=u,name='bench',prefix=k[:8],key_hash=hash_key(k));"
            "print(k)")], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]

        port = free_port()
        if SERVER == "runserver":
            cmd = [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"]
        else:
            cmd = [str(Path(PY).parent / "gunicorn"), "zhengji.wsgi:application", "-w", "1", "-k", "sync",
                   "-b", f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"]
        server = subprocess.Popen(cmd, cwd=ROOT, env=env)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1.0)  # let the worker boot (imports) before measuring
        sampler = RssSampler(server.pid)
        sampler.start()
        time.sleep(0.3)
        idle_kb = sum(sampler.peak_rss_kb.values())

        src = tmp / "source.bin"
        print(f"generating {SIZE_MB} MB …", flush=True)
        digest = make_file(src, SIZE_MB * MB)

        # Baseline: copy on the same disk, fsync'd like the server's writes.
        dst = tmp / "copy.bin"
        t0 = time.perf_counter()
        shutil.copyfile(src, dst)
        with open(dst, "rb+") as fh:
            os.fsync(fh.fileno())
        t_copy = time.perf_counter() - t0
        dst.unlink()

        from tusclient import client as tus_client

        url = f"http://127.0.0.1:{port}/files/tus/"
        c = tus_client.TusClient(url, headers={"Authorization": f"Bearer {token}"})
        print(f"uploading through tus ({CHUNK_MB} MB chunks{', sha1 checksums' if CHECKSUM else ''}) …", flush=True)
        t0 = time.perf_counter()
        with open(src, "rb") as fh:
            up = c.uploader(file_stream=fh, chunk_size=CHUNK_MB * MB, metadata={"filename": "bench.bin"},
                            upload_checksum=CHECKSUM)
            up.upload()
        t_tus = time.perf_counter() - t0
        time.sleep(0.2)
        sampler.stop.set()
        sampler.join()

        upload_id = up.url.rstrip("/").rsplit("/", 1)[-1]
        staged = var / "media" / "staging" / upload_id
        ok = staged.stat().st_size == SIZE_MB * MB and sha256_file(staged) == digest
        peak_sampled = max(sampler.peak_rss_kb.values()) / 1024
        peak_hwm = max(sampler.hwm_kb.values()) / 1024
        result = {
            "server": SERVER, "size_mb": SIZE_MB, "chunk_mb": CHUNK_MB, "checksum": CHECKSUM,
            "copyfile_s": round(t_copy, 2), "tus_s": round(t_tus, 2), "ratio": round(t_tus / t_copy, 2),
            "tus_mb_per_s": round(SIZE_MB / t_tus, 1),
            "server_processes": len(sampler.peak_rss_kb), "idle_rss_mb_total": round(idle_kb / 1024, 1),
            "peak_rss_mb_max_process": round(peak_sampled, 1), "vmhwm_mb_max_process": round(peak_hwm, 1),
            "bytes_and_sha256_match": ok, "goal_peak_rss_mb": GOAL_MB,
        }
        print(json.dumps(result, indent=2))
        print(f"| {SERVER} | {SIZE_MB} MB | {CHUNK_MB} MB | {'sha1' if CHECKSUM else '—'} | {t_copy:.2f} s | "
              f"{t_tus:.2f} s | {t_tus / t_copy:.1f}× | {peak_sampled:.0f} MB | {peak_hwm:.0f} MB |")
        return 0 if ok and peak_hwm < GOAL_MB else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
