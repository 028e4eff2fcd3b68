"""A zip archive laid out before its first byte is sent: every member's size is known (stored
media by their recorded size, generated documents by their rendered payload), so the archive's
length, each member's offset and an ETag are known up front. That gives the download a
Content-Length and lets a Range request be served by regenerating the archive from the wanted
offset: members before it are skipped by their size without being read; a member the range
starts inside is read from its offset (``seek``).

Records are encoded by zipstream-ng's ``ZipStreamInfo`` (the local header with the data
descriptor flag, the UTF-8 name flag (bit 11) for non-ASCII names, Zip64 extra fields) and the
archive's end record follows zipstream-ng's footer. zipstream-ng's own ``ZipStream`` cannot be
used for this: it reads every byte of every member to compute the CRC-32 and stamps members with
the current time, so neither its length without compression nor a resumed range can be had
without reading the whole package again.

A member's CRC-32 sits in its data descriptor (after its data) and in the central directory.
It is known for generated documents (computed when rendered) and for media once recorded
(`on_crc`); an unknown one is computed while the member streams whole, or, if a range needs it
without streaming the member (a resumed download), by reading the member once.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from zipfile import ZIP64_LIMIT, ZIP64_VERSION, ZIP_DEFLATED, ZIP_FILECOUNT_LIMIT, ZIP_STORED

from zipstream import ZipStreamInfo

CHUNK = 1024 * 1024
_FLAG_DATA_DESCRIPTOR = 1 << 3
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_LOCATOR = struct.Struct("<4sLQL")

__all__ = ["ZIP_DEFLATED", "ZIP_STORED", "Member", "ZipPlan", "parse_range", "RangeNotSatisfiable"]


@dataclass
class Member:
    """One file of the archive. `open()` returns a binary file of the payload as it is stored in
    the archive (raw deflate data when `method` is ZIP_DEFLATED); `stored_size` bytes of it."""

    name: str
    size: int
    stored_size: int
    date_time: tuple[int, int, int, int, int, int]
    open: Callable[[], IO[bytes]]
    method: int = ZIP_STORED
    crc: int | None = None
    key: Any = None  # handed to the plan's on_crc when the CRC is computed here

    @property
    def zip64(self) -> bool:
        return max(self.size, self.stored_size) > ZIP64_LIMIT


@dataclass
class _Placed:
    member: Member
    info: ZipStreamInfo
    offset: int
    header: bytes
    descriptor_len: int

    @property
    def data_offset(self) -> int:
        return self.offset + len(self.header)

    @property
    def end(self) -> int:
        return self.data_offset + self.member.stored_size + self.descriptor_len


def _info(m: Member, offset: int) -> ZipStreamInfo:
    info = ZipStreamInfo(m.name, date_time=m.date_time)
    info.compress_type = m.method
    info.file_size, info.compress_size = m.size, m.stored_size
    info.external_attr = 0o644 << 16
    info.flag_bits |= _FLAG_DATA_DESCRIPTOR
    info.header_offset = offset
    info.CRC = 0
    return info


@dataclass
class ZipPlan:
    """The archive's layout; iterate `stream(start, end)` for its bytes [start, end)."""

    members: list[Member]
    on_crc: Callable[[Member, int], None] | None = None
    _placed: list[_Placed] = field(init=False, default_factory=list)
    _cd_offset: int = field(init=False, default=0)
    _cd_len: int = field(init=False, default=0)
    _end_len: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        pos = 0
        for m in self.members:
            info = _info(m, pos)
            header = info.FileHeader(m.zip64)
            placed = _Placed(m, info, pos, header, 24 if m.zip64 else 16)
            self._placed.append(placed)
            pos = placed.end
        self._cd_offset = pos
        self._cd_len = sum(len(p.info._central_directory_header_data()) for p in self._placed)
        self._end_len = len(self._end_record())

    # --- size and identity ----------------------------------------------------------------------

    def __len__(self) -> int:
        return self._cd_offset + self._cd_len + self._end_len

    def etag(self, salt: str = "") -> str:
        """A strong validator: changes when any name, size, date or payload identity changes."""
        h = hashlib.sha256(salt.encode())
        for p in self._placed:
            m = p.member
            h.update(repr((m.name, m.size, m.stored_size, m.method, m.date_time, m.crc if m.method else m.key))
                     .encode())
        return '"' + h.hexdigest()[:40] + '"'

    # --- records --------------------------------------------------------------------------------

    def _crc(self, p: _Placed) -> int:
        m = p.member
        if m.crc is None:
            crc = 0
            with m.open() as fh:
                while chunk := fh.read(CHUNK):
                    crc = zlib.crc32(chunk, crc)
            self._set_crc(m, crc)
        assert m.crc is not None
        return m.crc

    def _set_crc(self, m: Member, crc: int) -> None:
        m.crc = crc & 0xFFFFFFFF
        if self.on_crc is not None:
            self.on_crc(m, m.crc)

    def _descriptor(self, p: _Placed) -> bytes:
        p.info.CRC = self._crc(p)
        return bytes(p.info.DataDescriptor(p.member.zip64))

    def _central(self, p: _Placed) -> bytes:
        p.info.CRC = self._crc(p)
        return bytes(p.info._central_directory_header_data())

    def _end_record(self) -> bytes:
        count, offset, size = len(self._placed), self._cd_offset, self._cd_len
        out = b""
        if count >= ZIP_FILECOUNT_LIMIT or offset > ZIP64_LIMIT or size > ZIP64_LIMIT:
            end64_at = offset + size
            out += _END64.pack(b"PK\x06\x06", 44, ZIP64_VERSION, ZIP64_VERSION, 0, 0, count, count, size, offset)
            out += _END64_LOCATOR.pack(b"PK\x06\x07", 0, end64_at, 1)
            count, size, offset = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(offset, 0xFFFFFFFF)
        return out + _END.pack(b"PK\x05\x06", 0, 0, count, count, size, offset, 0)

    # --- streaming ------------------------------------------------------------------------------

    def _data(self, p: _Placed, lo: int, hi: int) -> Iterator[bytes]:
        """Bytes [lo, hi) of the member's stored payload, read in chunks."""
        m = p.member
        whole = lo == 0 and hi == m.stored_size
        crc = 0 if (whole and m.crc is None) else None
        with m.open() as fh:
            if lo:
                fh.seek(lo)
            left = hi - lo
            while left > 0:
                chunk = fh.read(min(CHUNK, left))
                if not chunk:
                    raise OSError(f"{m.name}: stored file is shorter than its recorded size")
                left -= len(chunk)
                if crc is not None:
                    crc = zlib.crc32(chunk, crc)
                yield chunk
        if crc is not None:
            self._set_crc(m, crc)

    def stream(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The archive's bytes [start, end), generated; nothing before `start` is read."""
        end = len(self) if end is None else min(end, len(self))
        for p in self._placed:
            if p.end <= start:
                continue
            if p.offset >= end:
                break
            yield from self._slice(p.header, p.offset, start, end)
            d0, d1 = p.data_offset, p.data_offset + p.member.stored_size
            if d0 < end and d1 > start:
                yield from self._data(p, max(start, d0) - d0, min(end, d1) - d0)
            if d1 < end and p.end > start:
                yield from self._slice(self._descriptor(p), d1, start, end)
        pos = self._cd_offset
        for p in self._placed:
            if pos >= end:
                return
            length = len(p.info._central_directory_header_data())
            if pos + length > start:
                yield from self._slice(self._central(p), pos, start, end)
            pos += length
        yield from self._slice(self._end_record(), pos, start, end)

    @staticmethod
    def _slice(data: bytes, at: int, start: int, end: int) -> Iterator[bytes]:
        lo, hi = max(start - at, 0), min(end - at, len(data))
        if hi > lo:
            yield data[lo:hi]


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str, length: int) -> tuple[int, int] | None:
    """One `bytes=` range of a Range header as [start, end); None to send the whole (no header,
    a malformed one or several ranges: the server may ignore it, RFC 9110 §14.2);
    RangeNotSatisfiable when it lies past the end."""
    header = (header or "").strip()
    if not header.startswith("bytes=") or "," in header:
        return None
    first, _sep, last = header[6:].strip().partition("-")
    if not _sep:
        return None
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                raise RangeNotSatisfiable(header)
            return max(length - n, 0), length
        start = int(first)
        stop = int(last) + 1 if last else length
    except ValueError:
        return None
    if start >= length:
        raise RangeNotSatisfiable(header)
    if start < 0 or stop <= start:
        return None
    return start, min(stop, length)
