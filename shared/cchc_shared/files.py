"""Uploaded files (the ``files`` extra): what a service that takes documents from people needs,
once: the accepted types, recognised by their content (magic bytes) and never by name or
declared type; the size cap; a safe display name; content-addressed storage on local disk; and
the request-body cap that lets an upload route be larger than every other request.

Intake stores an initiative's report files with it; replication the evidence of an adoption
report. Each service keeps its own files (its own storage root), as it keeps its own data.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import unicodedata
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

import filetype
from starlette.types import ASGIApp, Receive, Scope, Send

from cchc_shared.chassis.http import BodySizeLimit
from cchc_shared.contracts.text import normalise
from cchc_shared.errors import Fault, InvalidInput, PayloadTooLarge, UnsupportedMediaType

CHUNK_BYTES: Final = 64 * 1024
# filetype reads at most this many leading bytes; enough for every type we accept.
SNIFF_BYTES: Final = 8192
FILENAME_MAX: Final = 200
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
# What a multipart body adds around one file (boundaries, part headers, small fields).
MULTIPART_OVERHEAD: Final = 64 * 1024

# Accepted types, recognised by their content, with the extension a stored name gets.
ACCEPTED_MEDIA_TYPES: Final[dict[str, str]] = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
ACCEPTED_VI: Final = "PDF, DOCX hoặc ảnh (PNG, JPEG, WebP)"


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class FileStorage(Protocol):
    async def put(self, chunks: AsyncIterable[bytes]) -> StoredObject:
        """Store the bytes; content-addressed, so storing the same bytes twice is harmless."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class ReceivedFile:
    """An upload that passed the checks and is stored: its detected type and where it is."""

    media_type: str
    stored: StoredObject


def detect_media_type(head: bytes) -> str | None:
    """The media type the leading bytes announce (magic numbers), or None."""
    kind = filetype.guess(head[:SNIFF_BYTES])
    return kind.mime if kind is not None else None


def clean_filename(name: str, media_type: str) -> str:
    """A safe display name: no directories, no control or format characters (U+202E before
    ``fdp.jpg`` displays it as ``gpj.pdf``), normalised as text is (a fullwidth solidus is a
    directory separator), bounded length, with the extension of the detected type."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cs"))
    base = normalise(base).replace("\\", "/").rsplit("/", 1)[-1]
    base = base.strip().strip(".") or "tep-dinh-kem"
    extension = ACCEPTED_MEDIA_TYPES.get(media_type, "bin")
    stem, dot, current = base.rpartition(".")
    if not dot or current.lower() not in (extension, "jpeg" if extension == "jpg" else extension):
        stem = base
    return f"{stem[: FILENAME_MAX - len(extension) - 1]}.{extension}"


async def _sniffed(chunks: AsyncIterable[bytes]) -> tuple[bytes, AsyncIterator[bytes]]:
    """The leading bytes, and an iterator that yields the whole content again."""
    iterator = aiter(chunks)
    head = b""
    async for chunk in iterator:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break

    async def everything() -> AsyncIterator[bytes]:
        if head:
            yield head
        async for chunk in iterator:
            yield chunk

    return head, everything()


async def _capped(chunks: AsyncIterator[bytes], max_bytes: int, field: str) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                Fault(
                    field,
                    f"Tệp vượt quá dung lượng cho phép ({max_bytes // (1024 * 1024)} MB)",
                    f"the file exceeds the limit of {max_bytes} bytes",
                )
            )
        yield chunk


async def receive_file(
    chunks: AsyncIterable[bytes], storage: FileStorage, *, max_bytes: int, field: str = "file"
) -> ReceivedFile:
    """Check an upload by its content (not empty, an accepted type, within ``max_bytes``) and
    store it; the refusals name ``field`` in Vietnamese (422 empty, 415 type, 413 size)."""
    head, content = await _sniffed(chunks)
    if not head:
        raise InvalidInput(Fault(field, "Tệp rỗng", "the file is empty"))
    media_type = detect_media_type(head)
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            Fault(
                field,
                f"Chỉ nhận tệp {ACCEPTED_VI}, nhận biết theo nội dung tệp",
                "only PDF, DOCX and image (PNG, JPEG, WebP) files are accepted, recognised by "
                f"their content (this one is {media_type or 'unrecognised'})",
            )
        )
    stored = await storage.put(_capped(content, max_bytes, field))
    return ReceivedFile(media_type, stored)


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


class UploadBodyLimit:
    """Uploads (the POST requests ``is_upload`` picks) may be as large as one file; every
    other request keeps the kit's small cap."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_max_bytes: int,
        is_upload: Callable[[str], bool] = lambda path: path.endswith("/attachments"),
    ) -> None:
        self.small = BodySizeLimit(app, max_bytes)
        self.large = BodySizeLimit(app, upload_max_bytes)
        self.is_upload = is_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        upload = (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and self.is_upload(scope.get("path", ""))
        )
        await (self.large if upload else self.small)(scope, receive, send)
