"""Adding a report file to an initiative: counted, sniffed by its content, capped in size,
and stored outside any transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from uuid import UUID

from cchc_intake.adapters.storage import SNIFF_BYTES, detect_media_type
from cchc_intake.domain.commands import Actor
from cchc_intake.domain.model import (
    ACCEPTED_MEDIA_TYPES,
    MAX_ATTACHMENTS_PER_INITIATIVE,
    Attachment,
    clean_filename,
)
from cchc_intake.ports import AttachmentStorage, UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.queries import visible_initiative
from cchc_shared.errors import (
    Conflict,
    Fault,
    InvalidInput,
    PayloadTooLarge,
    UnsupportedMediaType,
)


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


async def _capped(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                Fault(
                    "file",
                    f"Tệp vượt quá dung lượng cho phép ({max_bytes // (1024 * 1024)} MB)",
                    f"the file exceeds the limit of {max_bytes} bytes",
                )
            )
        yield chunk


async def add_attachment(
    *,
    actor: Actor,
    initiative_id: UUID,
    filename: str,
    chunks: AsyncIterable[bytes],
    uow: UnitOfWork,
    storage: AttachmentStorage,
    max_bytes: int,
    now: datetime,
) -> Attachment:
    async with uow:
        initiative = await visible_initiative(uow, actor, initiative_id)
        initiative.ensure_active()
        if await uow.initiatives.count_attachments(initiative_id) >= MAX_ATTACHMENTS_PER_INITIATIVE:
            raise Conflict(
                Fault(
                    "file",
                    f"Mỗi đề xuất có tối đa {MAX_ATTACHMENTS_PER_INITIATIVE} tệp đính kèm",
                    f"an initiative has at most {MAX_ATTACHMENTS_PER_INITIATIVE} attachments",
                )
            )
    # The upload is stored outside any transaction: a slow client must not hold a lock.
    head, content = await _sniffed(chunks)
    if not head:
        raise InvalidInput(Fault("file", "Tệp rỗng", "the file is empty"))
    media_type = detect_media_type(head)
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            Fault(
                "file",
                "Chỉ nhận tệp PDF, DOCX hoặc ảnh (PNG, JPEG, WebP), nhận biết theo nội dung tệp",
                "only PDF, DOCX and image (PNG, JPEG, WebP) files are accepted, recognised by "
                f"their content (this one is {media_type or 'unrecognised'})",
            )
        )
    stored = await storage.put(_capped(content, max_bytes))
    attachment = Attachment(
        id=uuid.uuid4(),
        initiative_id=initiative_id,
        filename=clean_filename(filename, media_type),
        media_type=media_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_at=now,
        uploaded_by=actor.subject,
    )
    async with uow:
        initiative = await visible_initiative(uow, actor, initiative_id)
        initiative.ensure_active()
        await uow.initiatives.add_attachment(attachment)
        await audit(uow, attachment, "attachment_added", actor, now)
        await uow.commit()
    return attachment
