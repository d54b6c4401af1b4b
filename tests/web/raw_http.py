"""HTTP requests written as raw bytes on a TCP connection: what a client library would not
send (bytes that are not UTF-8 in a header, an oversized header, a bad Content-Length)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

Headers = list[tuple[bytes, bytes]]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]        # names in lower case
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def request_bytes(method: bytes, path: bytes, headers: Headers | None = None,
                  body: bytes = b"") -> bytes:
    """One request; ``Host`` and ``Connection: close`` are added unless given."""
    headers = headers or []
    names = {name.lower() for name, _ in headers}
    lines = [method + b" " + path + b" HTTP/1.1"]
    if b"host" not in names:
        lines.append(b"Host: 127.0.0.1")
    lines.append(b"Connection: close")
    if body and not names & {b"content-length", b"transfer-encoding"}:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(body: bytes, size: int = 16) -> bytes:
    """``body`` in the chunked transfer coding (for ``Transfer-Encoding: chunked``)."""
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, data = out + rest[:size], rest[size + 2:]
    return out


def parse_response(data: bytes) -> RawResponse:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return RawResponse(int(status_line.split()[1]), headers, body)


async def send_raw(base_url: str, data: bytes, timeout: float = 10) -> RawResponse:
    """Send ``data`` and read the response until the server closes the connection."""
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(data)
        await writer.drain()
        received = await asyncio.wait_for(reader.read(-1), timeout)
    finally:
        writer.close()
    return parse_response(received)


async def raw_request(base_url: str, method: str, path: str, headers: Headers | None = None,
                      body: bytes = b"") -> RawResponse:
    return await send_raw(base_url, request_bytes(method.encode(), path.encode(), headers,
                                                  body))
