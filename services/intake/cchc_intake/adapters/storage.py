"""Where attachment files live: the local-disk default under the data dir (the port is
``ports.AttachmentStorage``), and how a file's type is recognised."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

import filetype

from cchc_intake.ports import StoredObject

CHUNK_BYTES = 64 * 1024
# filetype reads at most this many leading bytes; enough for every type we accept.
SNIFF_BYTES = 8192


def detect_media_type(head: bytes) -> str | None:
    """The media type the leading bytes announce (magic numbers), or None."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return kind.mime if kind is not None else None


class LocalDiskStorage:
    """Files under ``root/<aa>/<sha256>``; written to a temporary file and renamed, so a
    reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    async def put(self, chunks: AsyncIterable[bytes]) -> StoredObject:
        staging = self.root / "tmp"
        await asyncio.to_thread(staging.mkdir, parents=True, exist_ok=True)
        temporary = staging / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        handle = await asyncio.to_thread(temporary.open, "wb")
        try:
            try:
                async for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    await asyncio.to_thread(handle.write, chunk)
                await asyncio.to_thread(handle.flush)
                await asyncio.to_thread(os.fsync, handle.fileno())
            finally:
                await asyncio.to_thread(handle.close)
            sha256 = digest.hexdigest()
            key = f"{sha256[:2]}/{sha256}"
            final = self._path(key)
            await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(os.replace, temporary, final)
        finally:
            await asyncio.to_thread(temporary.unlink, missing_ok=True)
        return StoredObject(key=key, size=size, sha256=sha256)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
