"""The kit's uploaded files: a file is judged by its content (type, emptiness, size) and
stored content-addressed on a real disk."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cchc_shared.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from cchc_shared.files import LocalDiskStorage, clean_filename, receive_file

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n" + b"x" * 20_000


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_an_accepted_file_is_stored_by_its_content(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    received = await receive_file(chunks(PDF[:100], PDF[100:]), storage, max_bytes=1 << 20)
    assert received.media_type == "application/pdf"
    assert received.stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert received.stored.size == len(PDF)
    stored = b"".join([c async for c in storage.open(received.stored.key)])
    assert stored == PDF


@pytest.mark.parametrize(
    ("parts", "error", "reason"),
    [
        ((), InvalidInput, "Tệp rỗng"),
        ((b"MZ\x90\x00" + b"\x00" * 100,), UnsupportedMediaType, "Chỉ nhận tệp PDF, DOCX"),
        ((PDF, PDF), PayloadTooLarge, "Tệp vượt quá dung lượng cho phép"),
    ],
)
async def test_a_refused_file_names_the_field_in_vietnamese(
    tmp_path: Path, parts: tuple[bytes, ...], error: type[Exception], reason: str
) -> None:
    with pytest.raises(error) as caught:
        await receive_file(
            chunks(*parts), LocalDiskStorage(tmp_path), max_bytes=30_000, field="evidence"
        )
    [fault] = caught.value.faults  # type: ignore[attr-defined]
    assert fault.field == "evidence" and fault.message_vi.startswith(reason)
    assert not stored_files(tmp_path)  # nothing kept


def test_a_display_name_takes_the_detected_type() -> None:
    assert clean_filename("../../bao-cao\u202efdp.exe", "application/pdf") == "bao-caofdp.exe.pdf"
    assert clean_filename("Ảnh hiện trường.JPEG", "image/jpeg") == "Ảnh hiện trường.jpg"
