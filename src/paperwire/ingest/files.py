"""Open input files the same way for every file source: plain or gzip, by magic bytes."""

import gzip
import io
from collections.abc import Iterator
from typing import BinaryIO, cast

GZIP_MAGIC = b"\x1f\x8b"


def text_lines(stream: BinaryIO) -> Iterator[str]:
    """Yield decoded lines of a binary stream, gunzipping it when it starts like gzip."""
    buffered = io.BufferedReader(cast(io.RawIOBase, stream))
    raw: BinaryIO = buffered
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        raw = gzip.GzipFile(fileobj=buffered)  # type: ignore[assignment]
    yield from io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
