"""Report files: recognised by their content, size-capped, sha256 recorded, downloadable."""

from __future__ import annotations

import hashlib
import io
import zipfile

import httpx
import pytest

from ..conftest import bearer, initiative_body

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document>Báo cáo</w:document>")
    return buffer.getvalue()


async def upload(
    client: httpx.AsyncClient, url: str, name: str, content: bytes, headers: dict[str, str] = WARD
) -> httpx.Response:
    return await client.post(
        f"{url}/attachments",
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


async def test_upload_list_and_download(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    ).json()
    url = f"/api/v1/initiatives/{created['initiative_id']}"

    report = await upload(client, url, "Báo cáo kết quả.pdf", PDF)
    assert report.status_code == 201, report.text
    assert report.json()["media_type"] == "application/pdf"
    assert report.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert report.json()["size"] == len(PDF)
    assert report.json()["filename"] == "Báo cáo kết quả.pdf"
    word = await upload(client, url, "../../etc/bao-cao.docx", docx())
    assert word.status_code == 201, word.text
    assert word.json()["filename"] == "bao-cao.docx"
    photo = await upload(client, url, "anh-hien-truong", PNG)
    assert photo.json()["media_type"] == "image/png"
    assert photo.json()["filename"] == "anh-hien-truong.png"

    listed = await client.get(f"{url}/attachments", headers=WARD)
    assert [a["media_type"] for a in listed.json()] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]
    detail = await client.get(url, headers=bearer("secretariat"))
    assert len(detail.json()["attachments"]) == 3

    download = await client.get(f"{url}/attachments/{report.json()['attachment_id']}", headers=WARD)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert "UTF-8''B%C3%A1o" in download.headers["content-disposition"]
    other = bearer("agency_submitter", "26743")
    assert (
        await client.get(f"{url}/attachments/{report.json()['attachment_id']}", headers=other)
    ).status_code == 404
    assert (await upload(client, url, "x.pdf", PDF, other)).status_code == 404


async def test_refused_files(client: httpx.AsyncClient) -> None:
    created = (
        await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    ).json()
    url = f"/api/v1/initiatives/{created['initiative_id']}"

    for name, content in (
        ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),
        ("notes.pdf", "chỉ là văn bản".encode()),
        ("archive.docx", zipfile_without_word()),
    ):
        answer = await upload(client, url, name, content)
        assert answer.status_code == 415, name
        assert answer.json()["detail"][0]["field"] == "file"
    empty = await upload(client, url, "empty.pdf", b"")
    assert empty.status_code == 422

    # The test settings cap one file at 256 KiB.
    too_big = await upload(client, url, "big.pdf", PDF + b"0" * (300 * 1024))
    assert too_big.status_code == 413
    assert too_big.json()["detail"][0]["field"] == "file"
    far_too_big = await upload(client, url, "huge.pdf", PDF + b"0" * (400 * 1024))
    assert far_too_big.status_code == 413
    assert far_too_big.json()["detail"][0]["field"] == "body"
    assert (await client.get(f"{url}/attachments", headers=WARD)).json() == []

    await client.post(f"{url}/withdraw", headers=WARD)
    assert (await upload(client, url, "late.pdf", PDF)).status_code == 409


def zipfile_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    return buffer.getvalue()
