"""The zip layout beyond 4 GB (Zip64): a sparse 4.3 GB file between two small ones, read back by
Python's zipfile through ranges of the generated stream (the archive is never built whole)."""

from __future__ import annotations

import io
import zipfile
import zlib

from zhengji.reporting.zipper import ZIP_DEFLATED, Member, ZipPlan, parse_range

BIG = 4 * 1024**3 + 300 * 1024**2  # past 4 GiB: sizes and later offsets need Zip64


class RangeReader(io.RawIOBase):
    """A seekable file over plan.stream(start, end): what a client resuming a download sees."""

    def __init__(self, plan: ZipPlan):
        self.plan, self.pos, self.reads = plan, 0, 0

    def seekable(self):
        return True

    def readable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = {0: offset, 1: self.pos + offset, 2: len(self.plan) + offset}[whence]
        return self.pos

    def readinto(self, buf):
        n = min(len(buf), len(self.plan) - self.pos, 1 << 20)
        if n <= 0:
            return 0
        data = b"".join(self.plan.stream(self.pos, self.pos + n))
        buf[: len(data)] = data
        self.pos += len(data)
        self.reads += 1
        return len(data)


def zeros_crc(size: int) -> int:
    crc, block = 0, bytes(16 << 20)
    while size:
        n = min(size, len(block))
        crc = zlib.crc32(block[:n] if n < len(block) else block, crc)
        size -= n
    return crc


def test_zip64_sparse_file(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as fh:
        fh.truncate(BIG)  # sparse: no disk used
    small = "头一个文件".encode() * 100
    packed = zlib.compressobj(6, zlib.DEFLATED, -15)
    form = packed.compress(small) + packed.flush()
    dt = (2026, 12, 1, 8, 0, 0)
    members = [
        Member("0001 作品/说明.txt", len(small), len(small), dt, lambda: io.BytesIO(small), crc=zlib.crc32(small)),
        Member("0001 作品/大视频.mp4", BIG, BIG, dt, lambda: big.open("rb"), crc=zeros_crc(BIG)),
        Member("0001 作品/推荐表.xlsx", len(small), len(form), dt, lambda: io.BytesIO(form), method=ZIP_DEFLATED,
               crc=zlib.crc32(small)),
    ]
    plan = ZipPlan(members)
    assert len(plan) > BIG
    reader = RangeReader(plan)
    z = zipfile.ZipFile(io.BufferedReader(reader, 1 << 16))
    infos = {i.filename: i for i in z.infolist()}
    assert infos["0001 作品/大视频.mp4"].file_size == BIG
    assert infos["0001 作品/推荐表.xlsx"].header_offset > 0xFFFFFFFF  # its offset needs the Zip64 field
    assert all(i.flag_bits & 0x800 for i in infos.values())
    assert z.read("0001 作品/推荐表.xlsx") == small and z.read("0001 作品/说明.txt") == small
    with z.open("0001 作品/大视频.mp4") as fh:
        assert fh.read(1 << 20) == bytes(1 << 20)
    assert reader.reads < 50  # the 4 GB member was never read through
    # The tail (where a resumed download ends) is the end-of-central-directory record.
    tail = b"".join(plan.stream(len(plan) - 22))
    assert tail.startswith(b"PK\x05\x06")
    assert parse_range("bytes=0-", len(plan)) == (0, len(plan))
