"""Adding a report file to an initiative: counted, sniffed by its content, capped in size,
and stored outside any transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from datetime import datetime
from uuid import UUID

from cchc_intake.domain.commands import Actor
from cchc_intake.domain.model import (
    MAX_ATTACHMENTS_PER_INITIATIVE,
    Attachment,
)
from cchc_intake.ports import AttachmentStorage, UnitOfWork
from cchc_intake.service_layer.handlers.audit import audit
from cchc_intake.service_layer.queries import visible_initiative
from cchc_shared.errors import Conflict, Fault
from cchc_shared.files import clean_filename, receive_file


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
    received = await receive_file(chunks, storage, max_bytes=max_bytes)
    media_type, stored = received.media_type, received.stored
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
